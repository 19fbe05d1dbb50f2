// Listing and reading a log's rotated files (see log_files.hpp). gzip files are read with
// zlib's gz* API on a dup of the caller's fd, so a file renamed or removed by the next rotation
// is still read whole.
#include "compose/logs/log_files.hpp"

#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <map>
#include <stdexcept>

#include "common/sys_error.hpp"

namespace berth::logs {

namespace {

/// Reads gzip `fd` (from its start) until `stop(content)` says enough or the end.
template <class Stop>
std::string gz_read(int fd, const std::string& path, Stop stop) {
  int copy = ::dup(fd);
  if (copy < 0) throw_errno("dup log `" + path + "`");
  if (::lseek(copy, 0, SEEK_SET) < 0) {
    ::close(copy);
    throw_errno("seek log `" + path + "`");
  }
  gzFile gz = ::gzdopen(copy, "rb");
  if (!gz) {
    ::close(copy);
    throw std::runtime_error("read log `" + path + "`: out of memory");
  }
  std::string out;
  char buf[64 * 1024];
  for (;;) {
    int n = ::gzread(gz, buf, sizeof buf);
    if (n < 0) {
      int err = 0;
      std::string msg = ::gzerror(gz, &err);
      ::gzclose(gz);
      throw std::runtime_error("read log `" + path + "`: " + msg);
    }
    if (n == 0) break;
    out.append(buf, static_cast<size_t>(n));
    if (stop(out)) break;
  }
  ::gzclose(gz);
  return out;
}

}  // namespace

std::vector<RotatedLog> rotated_logs(const std::string& log_path) {
  std::filesystem::path p(log_path);
  const std::string prefix = p.filename().string() + ".";
  std::map<int, RotatedLog> by_index;
  std::error_code ec;
  for (std::filesystem::directory_iterator it(p.parent_path(), ec), end; !ec && it != end; it.increment(ec)) {
    std::string name = it->path().filename().string();
    if (name.size() <= prefix.size() || name.compare(0, prefix.size(), prefix) != 0) continue;
    std::string rest = name.substr(prefix.size());
    bool gz = rest.size() > 3 && rest.compare(rest.size() - 3, 3, ".gz") == 0;
    if (gz) rest.resize(rest.size() - 3);
    if (rest.empty() || rest.size() > 9 || rest.find_first_not_of("0123456789") != std::string::npos) continue;
    int index = std::stoi(rest);
    if (index < 1) continue;
    auto [slot, fresh] = by_index.try_emplace(index, RotatedLog{index, it->path().string(), gz});
    if (!fresh && slot->second.gz && !gz) slot->second = RotatedLog{index, it->path().string(), false};
  }
  std::vector<RotatedLog> out;
  for (auto& [index, log] : by_index) out.push_back(std::move(log));
  return out;
}

std::string first_log_line(int fd, const std::string& path) {
  std::string line;
  char buf[16 * 1024];
  for (off_t off = 0;;) {
    ssize_t n = ::pread(fd, buf, sizeof buf, off);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw_errno("read log `" + path + "`");
    if (n == 0) return "";  // no complete line
    std::string_view data(buf, static_cast<size_t>(n));
    if (size_t nl = data.find('\n'); nl != std::string_view::npos) return line.append(data.substr(0, nl));
    line.append(data);
    off += n;
  }
}

std::string read_gz_log(int fd, const std::string& path) {
  return gz_read(fd, path, [](const std::string&) { return false; });
}

std::string first_gz_log_line(int fd, const std::string& path) {
  std::string head = gz_read(fd, path, [](const std::string& s) { return s.find('\n') != std::string::npos; });
  size_t nl = head.find('\n');
  return nl == std::string::npos ? "" : head.substr(0, nl);
}

}  // namespace berth::logs
