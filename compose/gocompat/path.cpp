// Go's path.Clean rules, by components: drop empty and "." elements, let ".." remove the element
// before it (or stay, at the front of a relative path; vanish at the root).
#include "compose/gocompat/path.hpp"

#include <vector>

#include "common/split_path.hpp"

namespace berth::gocompat {

std::string clean_path(std::string_view path) {
  if (path.empty()) return ".";
  const bool rooted = path[0] == '/';
  std::vector<std::string> parts;
  for (std::string& part : split_path(path)) {
    if (part != "..") {
      parts.push_back(std::move(part));
    } else if (!parts.empty() && parts.back() != "..") {
      parts.pop_back();
    } else if (!rooted) {
      parts.push_back(std::move(part));
    }
  }
  std::string out = rooted ? "/" : "";
  for (size_t k = 0; k < parts.size(); ++k) {
    if (k > 0) out += '/';
    out += parts[k];
  }
  return out.empty() ? "." : out;
}

}  // namespace berth::gocompat
