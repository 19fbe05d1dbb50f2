#pragma once
// Upload session URLs as registries hand them out: the `Location` of a POST or PATCH answer may
// be absolute, scheme-relative ("//host/..."), absolute-path ("/v2/...") or relative to the URL
// that answered (RFC 3986 §5.2), and it may already carry critical query parameters
// (distribution's `_state`), so `digest=` is added with `&` then. Pure: no network.
#include <string>

namespace berth::registry {

/// The absolute URL of `location` as answered to a request for `request_url`. Throws
/// std::runtime_error when `location` is empty (the answer named no session).
std::string resolve_location(const std::string& request_url, const std::string& location);

/// `url` with `param` ("digest=sha256:...") added to its query, before any fragment.
std::string add_query(const std::string& url, const std::string& param);

/// The end offset of a `Range: 0-<end>` (or `bytes=0-<end>`) upload answer; -1 when absent or
/// malformed.
long long upload_range_end(const std::string& range);

}  // namespace berth::registry
