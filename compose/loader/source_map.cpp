#include "compose/loader/source_map.hpp"

#include <algorithm>
#include <cctype>
#include <vector>

namespace berth::loader {

uint32_t SourceMap::file_id(const std::string& file) {
  for (uint32_t i = 0; i < m_files.size(); ++i)
    if (m_files[i] == file) return i;
  m_files.push_back(file);
  return static_cast<uint32_t>(m_files.size() - 1);
}

void SourceMap::set(std::string key, const Location& loc) {
  m_positions[std::move(key)] = Compact{file_id(loc.file), loc.line, loc.column};
}

Location SourceMap::find(const Pointer& ptr) const {
  std::string key = ptr.to_string();
  for (;;) {
    if (auto it = m_positions.find(key); it != m_positions.end())
      return Location{m_files[it->second.file], it->second.line, it->second.column};
    if (key.empty()) break;
    key.erase(key.rfind('/'));
  }
  return Location{m_default_file, 0, 0};
}

void SourceMap::overlay(const SourceMap& other, const std::string& prefix, const std::string& target) {
  std::vector<uint32_t> remap;  // other's file ids -> ours
  for (const auto& f : other.m_files)
    remap.push_back(&other == this ? static_cast<uint32_t>(remap.size()) : file_id(f));
  std::vector<std::pair<std::string, Compact>> copied;  // `other` may be *this
  for (auto it = other.m_positions.lower_bound(prefix); it != other.m_positions.end(); ++it) {
    const std::string& key = it->first;
    if (key.compare(0, prefix.size(), prefix) != 0) break;
    if (key.size() > prefix.size() && key[prefix.size()] != '/') continue;
    Compact c = it->second;
    c.file = remap[c.file];
    copied.emplace_back(target + key.substr(prefix.size()), c);
  }
  for (auto& [k, c] : copied) m_positions[std::move(k)] = c;
}

void append_pointer_segment(std::string& pointer, std::string_view segment) {
  pointer += '/';
  for (char c : segment) {
    if (c == '~')
      pointer += "~0";
    else if (c == '/')
      pointer += "~1";
    else
      pointer += c;
  }
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
      seg.replace(k, 2, 1, seg.compare(k, 2, "~1") == 0 ? '/' : '~');
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
