#include "compose/registry/upload_url.hpp"

#include <charconv>
#include <stdexcept>
#include <vector>

namespace berth::registry {

namespace {

/// "scheme://authority" of an absolute URL ("" when it has none).
std::string url_origin(const std::string& url) {
  auto scheme_end = url.find("://");
  if (scheme_end == std::string::npos) return "";
  auto path = url.find_first_of("/?#", scheme_end + 3);
  return url.substr(0, path);
}

/// RFC 3986 §5.2.4: "." and ".." segments removed from an absolute path.
std::string remove_dot_segments(const std::string& path) {
  std::vector<std::string> out;
  std::size_t start = 1;
  while (start <= path.size()) {
    auto end = path.find('/', start);
    if (end == std::string::npos) end = path.size();
    std::string seg = path.substr(start, end - start);
    const bool last = end == path.size();
    if (seg == "..") {
      if (!out.empty()) out.pop_back();
      if (last) out.emplace_back();
    } else if (seg == ".") {
      if (last) out.emplace_back();
    } else {
      out.push_back(seg);
    }
    start = end + 1;
  }
  std::string joined;
  for (const auto& s : out) joined += "/" + s;
  return joined.empty() ? "/" : joined;
}

}  // namespace

std::string resolve_location(const std::string& request_url, const std::string& location) {
  if (location.empty()) throw std::runtime_error("the registry's answer has no Location header");
  if (location.find("://") != std::string::npos && location.find("://") < location.find_first_of("/?#"))
    return location;  // absolute
  const std::string origin = url_origin(request_url);
  if (location.rfind("//", 0) == 0) return request_url.substr(0, request_url.find("://") + 1) + location;
  // Split off the query (and fragment) so the path can be merged and cleaned.
  const auto query_at = location.find_first_of("?#");
  const std::string loc_path = location.substr(0, query_at);
  const std::string loc_rest = query_at == std::string::npos ? "" : location.substr(query_at);
  std::string base_path = request_url.substr(origin.size());
  base_path = base_path.substr(0, base_path.find_first_of("?#"));
  if (base_path.empty()) base_path = "/";
  if (loc_path.empty()) {  // "?x=y": the request's path with another query
    return origin + base_path + loc_rest;
  }
  std::string merged = loc_path[0] == '/' ? loc_path : base_path.substr(0, base_path.rfind('/') + 1) + loc_path;
  return origin + remove_dot_segments(merged) + loc_rest;
}

std::string add_query(const std::string& url, const std::string& param) {
  const auto hash = url.find('#');
  std::string base = url.substr(0, hash);
  const std::string fragment = hash == std::string::npos ? "" : url.substr(hash);
  if (base.find('?') == std::string::npos)
    base += "?";
  else if (base.back() != '?' && base.back() != '&')
    base += "&";
  return base + param + fragment;
}

long long upload_range_end(const std::string& range) {
  std::string r = range;
  if (r.rfind("bytes=", 0) == 0) r = r.substr(6);
  const auto dash = r.find('-');
  if (dash == std::string::npos || r.substr(0, dash) != "0") return -1;
  long long end = -1;
  const char* first = r.data() + dash + 1;
  const char* last = r.data() + r.size();
  auto [ptr, ec] = std::from_chars(first, last, end);
  if (ec != std::errc() || ptr != last || first == last) return -1;
  return end;
}

}  // namespace berth::registry
