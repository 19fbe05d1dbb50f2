#pragma once
// The files of one container log as berth-shim rotates them (runtime-shim/log_rotation.hpp,
// Docker's json-file layout): <log> is being written; <log>.1 is the newest rotated file,
// <log>.2 the one before, ...; each may be gzipped (<log>.N.gz). While a rotated file is being
// compressed both <log>.N and <log>.N.gz exist; the plain one is complete and is preferred.
#include <sys/types.h>

#include <string>
#include <vector>

#include "common/unique_fd.hpp"

namespace berth::logs {

/// One rotated file of a log.
struct RotatedLog {
  int index = 0;  ///< N of <log>.N
  std::string path;
  bool gz = false;
};

/// The rotated files of `log_path`, newest (<log>.1) first. A missing directory is an empty list.
std::vector<RotatedLog> rotated_logs(const std::string& log_path);

/// The first complete line of the file open as `fd` (plain) without its '\n'; "" when the file
/// has no complete line yet. Reads with pread, so the offset of `fd` is not moved.
std::string first_log_line(int fd, const std::string& path);

/// The whole decompressed content of gzip file `fd`; throws std::runtime_error naming `path`.
std::string read_gz_log(int fd, const std::string& path);

/// The first complete line of gzip file `fd` ("" if none), decompressing only as far as needed.
std::string first_gz_log_line(int fd, const std::string& path);

}  // namespace berth::logs
