#pragma once
// Crash-safe file replacement: write to a temporary file in the same directory, fsync, rename.
// A crash at any point leaves either the old or the new content, never a mix. Also the plain
// whole-buffer write and whole-file read those are made of.
#include <string>
#include <string_view>

namespace berth {

/// Replaces `path` with `content` atomically; throws SysError naming the step and path.
void write_file_atomic(const std::string& path, std::string_view content, unsigned mode = 0644);

/// Writes all of `data` to `fd` (again after a short write or EINTR); throws SysError naming
/// `path` (what the fd is, for the message).
void write_all(int fd, std::string_view data, const std::string& path);

/// Reads a whole file; throws SysError naming the path.
std::string read_file(const std::string& path);

}  // namespace berth
