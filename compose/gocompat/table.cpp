// Two passes: the widest cell of each column, then each row padded to those widths. Only the
// layout docker's formatter produces is supported (left aligned, space padding, no tabs kept).
#include "compose/gocompat/table.hpp"

#include <algorithm>

namespace berth::gocompat {

std::string format_table(const std::vector<std::vector<std::string>>& rows, std::size_t min_width, bool trim) {
  std::vector<size_t> width;
  auto display = [](const std::string& s) {  // UTF-8 aware width (… is one column)
    size_t n = 0;
    for (unsigned char c : s) n += (c & 0xC0) != 0x80;
    return n;
  };
  for (const auto& row : rows)
    for (size_t i = 0; i < row.size(); ++i) {
      if (width.size() <= i) width.push_back(0);
      width[i] = std::max(width[i], display(row[i]));
    }
  std::string out;
  for (const auto& row : rows) {
    std::string line;
    for (size_t i = 0; i < row.size(); ++i) {
      line += row[i];
      if (i + 1 < row.size()) line += std::string(std::max(width[i] + 3, min_width) - display(row[i]), ' ');
    }
    while (trim && !line.empty() && line.back() == ' ') line.pop_back();
    out += line + "\n";
  }
  return out;
}

}  // namespace berth::gocompat
