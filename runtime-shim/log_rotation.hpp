#pragma once
// Docker's json-file rotation (moby daemon/logger/loggerutils/logfile.go), on the shim's files:
// with max-size set, a write finding the current file at or past max-size first rotates:
// <log>.<max-file - 1>[.gz] is removed, <log>.<i-1>[.gz] moves to <log>.<i>[.gz], <log> becomes
// <log>.1 (or is unlinked when max-file is 1) and a new empty <log> is opened. With compress,
// <log>.1 is then gzipped to <log>.1.gz in the background (the uncompressed file is removed only
// once the .gz is complete, so a reader always finds a whole copy); the next rotation waits for it.
#include <cstdint>
#include <string>

namespace berth::shim {

/// How the log rotates (the bundle's org.berth.log-* annotations).
struct LogRotation {
  int64_t max_size = -1;  ///< bytes; -1 = never rotate
  int max_file = 1;       ///< files kept, the current one included
  bool compress = false;  ///< gzip rotated files
};

/// Shifts the rotated files of `path` up by one, dropping the oldest (Docker's rotate()). Does
/// nothing when `max_file` < 2. Throws SysError naming the file on failures other than ENOENT.
void shift_rotated_logs(const std::string& path, int max_file, bool compress);

/// gzips `path` into `path`.gz, then removes `path`; a missing `path` is no error. On failure
/// the partial .gz is removed and SysError/runtime_error names the file.
void compress_log_file(const std::string& path);

}  // namespace berth::shim
