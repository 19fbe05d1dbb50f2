#pragma once
// Tables as docker prints them (Go's text/tabwriter with minwidth 0, padding 3, no trailing
// blanks): ps, ls, images, top and `berth image ls` all print through this one.
#include <string>
#include <vector>

namespace berth::gocompat {

/// Columns padded to their widest cell + 3 spaces (at least `min_width` in all: docker's formatter
/// package uses 10), widths counted in UTF-8 characters ("…" is one column), trailing spaces
/// trimmed unless `trim` is false (tabwriter itself pads every cell but a line's last, so an empty
/// cell before an empty last one leaves blanks), each row ended by "\n".
std::string format_table(const std::vector<std::vector<std::string>>& rows, std::size_t min_width = 0,
                         bool trim = true);

}  // namespace berth::gocompat
