#pragma once
// Writing the files a test sets up and reading back what the code under test wrote.
#include <cstddef>
#include <string>

#include "common/unique_fd.hpp"

namespace berth::test {

/// Writes `data` to `path` (binary), creating the parent directories.
void write_bytes(const std::string& path, const std::string& data);

/// The whole content of `path`; empty when it cannot be opened (tests compare it, so a missing file
/// shows as a mismatch).
std::string read_bytes(const std::string& path);

/// The value of extended attribute `name` of `path` (not following a final symlink); "" when
/// it has none.
std::string read_xattr(const std::string& path, const char* name);

/// An anonymous in-memory file (memfd) holding `data`, its offset at the start: what readers of
/// an fd (layers, archives, gzip streams) get in a test. Throws std::runtime_error on failure.
UniqueFd memfd_with(const std::string& data);

/// How many file descriptors this process has open now (entries of /proc/self/fd, the one the
/// listing itself uses included): compare two counts to find a leak.
std::size_t open_fd_count();

}  // namespace berth::test
