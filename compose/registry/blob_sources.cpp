#include "compose/registry/blob_sources.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <fstream>

#include "common/unique_fd.hpp"

namespace berth::registry {

namespace {

/// Every "host/repository" line of a record, in file order.
std::vector<std::string> read_source_lines(const std::string& path) {
  std::vector<std::string> lines;
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) lines.push_back(line);
  return lines;
}

}  // namespace

bool BlobSources::add(const image::Digest& blob, const std::string& host,
                      const std::string& repository) const noexcept {
  try {
    const std::string path = m_dir + "/" + std::string(blob.hex());
    const std::string line = host + "/" + repository;
    const auto known = read_source_lines(path);
    if (std::find(known.begin(), known.end(), line) != known.end()) return true;  // noted before
    if (::mkdir(m_dir.c_str(), 0755) != 0 && errno != EEXIST) return false;
    UniqueFd fd(::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644));
    if (!fd) return false;
    const std::string text = line + "\n";
    ssize_t n;
    do n = ::write(fd.get(), text.data(), text.size());
    while (n < 0 && errno == EINTR);
    return n == static_cast<ssize_t>(text.size());
  } catch (const std::exception&) {  // (allocation)
    return false;
  }
}

std::vector<std::string> BlobSources::repositories(const image::Digest& blob, const std::string& host,
                                                   const std::string& except) const {
  const std::string prefix = host + "/";
  std::vector<std::string> out;
  auto lines = read_source_lines(m_dir + "/" + std::string(blob.hex()));
  for (auto it = lines.rbegin(); it != lines.rend(); ++it) {
    if (it->rfind(prefix, 0) != 0) continue;
    std::string repo = it->substr(prefix.size());
    if (repo.empty() || repo == except || std::find(out.begin(), out.end(), repo) != out.end()) continue;
    out.push_back(std::move(repo));
  }
  return out;
}

}  // namespace berth::registry
