#pragma once
// Standard base64 (RFC 4648, padded), as Go's encoding/base64.StdEncoding writes it: registry
// credentials (`auth` in docker's config.json, Basic authorization) and Kubernetes Secret data
// (compose/bridge) use it.
#include <optional>
#include <string>

namespace berth::gocompat {

/// base64 of `text`.
std::string base64_encode(const std::string& text);

/// Decoded `text`; std::nullopt when it is not padded base64.
std::optional<std::string> base64_decode(const std::string& text);

}  // namespace berth::gocompat
