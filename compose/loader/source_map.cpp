#include "compose/loader/source_map.hpp"

#include <algorithm>
#include <cctype>
#include <vector>

namespace berth::loader {

Location SourceMap::find(const Pointer& ptr) const {
  Pointer p = ptr;
  for (;;) {
    if (auto it = m_positions.find(p.to_string()); it != m_positions.end()) return it->second;
    if (p.empty()) break;
    p = p.parent_pointer();
  }
  return Location{m_default_file, 0, 0};
}

void SourceMap::overlay(const SourceMap& other, const Pointer& from, const Pointer& to) {
  const std::string prefix = from.to_string(), target = to.to_string();
  std::vector<std::pair<std::string, Location>> copied;  // `other` may be *this
  for (auto it = other.m_positions.lower_bound(prefix); it != other.m_positions.end(); ++it) {
    const std::string& key = it->first;
    if (key.compare(0, prefix.size(), prefix) != 0) break;
    if (key.size() > prefix.size() && key[prefix.size()] != '/') continue;
    copied.emplace_back(target + key.substr(prefix.size()), it->second);
  }
  for (auto& [k, loc] : copied) m_positions[std::move(k)] = std::move(loc);
}

std::string display_path(const Pointer& ptr) {
  // json_pointer has no public iteration, so split its escaped string form.
  std::string s = ptr.to_string(), out;
  size_t i = 0;
  while (i < s.size()) {
    size_t next = s.find('/', i + 1);
    std::string seg = s.substr(i + 1, next == std::string::npos ? std::string::npos : next - i - 1);
    // Unescape ~1 -> / and ~0 -> ~.
    for (size_t k = 0; (k = seg.find('~', k)) != std::string::npos; ++k)
      seg.replace(k, 2, seg.compare(k, 2, "~1") == 0 ? "/" : "~");
    bool index = !seg.empty() && std::all_of(seg.begin(), seg.end(), [](unsigned char c) { return std::isdigit(c); });
    if (index)
      out += "[" + seg + "]";
    else
      out += (out.empty() ? "" : ".") + seg;
    i = next == std::string::npos ? s.size() : next;
  }
  return out;
}

}  // namespace berth::loader
