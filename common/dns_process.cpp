// berth-dns as a process (see dns_process.hpp).
#include "common/dns_process.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "common/spawn_ready.hpp"
#include "common/sys_error.hpp"

namespace berth {

int live_dns_pid(const std::string& dir) {
  int pid = 0;
  std::ifstream in(dir + "/dns.pid");
  if (!(in >> pid) || pid <= 0) return 0;
  char exe[4096];
  const std::string link = "/proc/" + std::to_string(pid) + "/exe";
  const ssize_t n = ::readlink(link.c_str(), exe, sizeof exe - 1);
  if (n <= 0) return 0;
  const std::string path(exe, static_cast<size_t>(n));
  return path.compare(path.rfind('/') + 1, 9, "berth-dns") == 0 ? pid : 0;
}

std::vector<std::string> dns_argv(const std::string& binary, const std::string& dir) {
  return {binary, "--records", dir + "/dns.json", "--pid-file", dir + "/dns.pid", "--log", dir + "/dns.log"};
}

void start_dns_process(const std::string& binary, const std::string& dir) {
  const std::string out = spawn_ready("berth-dns", dns_argv(binary, dir)).first_line();
  nlohmann::json reply;
  try {
    reply = nlohmann::json::parse(out);
  } catch (const nlohmann::json::exception&) {
    throw std::runtime_error("berth-dns gave no readiness line" + (out.empty() ? "" : ": " + out));
  }
  if (!reply.value("ok", false))
    throw std::runtime_error("start berth-dns: " + reply.value("error", std::string("failed")));
}

UniqueFd lock_dns_dir(const std::string& dir, bool wait) {
  for (;;) {
    UniqueFd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!fd) {
      if (errno == ENOENT) return fd;
      throw_errno("open `" + dir + "`");
    }
    while (::flock(fd.get(), wait ? LOCK_EX : LOCK_EX | LOCK_NB) != 0) {
      if (errno == EWOULDBLOCK && !wait) return UniqueFd();
      if (errno != EINTR) throw_errno("flock `" + dir + "`");
    }
    struct stat held {
    }, now{};
    if (::fstat(fd.get(), &held) != 0) throw_errno("stat `" + dir + "`");
    if (::stat(dir.c_str(), &now) != 0) {
      if (errno == ENOENT) return UniqueFd();
      throw_errno("stat `" + dir + "`");
    }
    if (held.st_dev == now.st_dev && held.st_ino == now.st_ino) return fd;
  }
}

}  // namespace berth
