#pragma once
// Checks on the text a command printed.
#include <string_view>

namespace berth::test {

/// Whether `part` occurs in `text`.
inline bool contains(std::string_view text, std::string_view part) { return text.find(part) != std::string_view::npos; }

}  // namespace berth::test
