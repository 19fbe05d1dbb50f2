#pragma once
// The lowercase hex sha256 of a string, for the names and labels derived from one (config-hash
// label, anonymous volume names, network ids, veth names): one helper for model/, engine/ and
// network/ without any of them reaching into image/ for it.
#include <string>
#include <string_view>

namespace berth::gocompat {

/// Lowercase hex sha256 of `data` (64 characters); throws std::runtime_error if OpenSSL fails.
std::string sha256_hex(std::string_view data);

}  // namespace berth::gocompat
