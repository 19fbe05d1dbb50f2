#pragma once
// Lexical path cleaning as Go's path.Clean does it, for the paths compose-go and docker clean
// (volume targets, working_dir, an image's WORKDIR) so that berth prints the same text.
#include <string>
#include <string_view>

namespace berth::gocompat {

/// Go path.Clean: "//a/./b/../c/" -> "/a/c", ".." kept at the front of a relative path, dropped at
/// the root; "" -> ".". Purely lexical: no symlinks, no file system.
std::string clean_path(std::string_view path);

}  // namespace berth::gocompat
