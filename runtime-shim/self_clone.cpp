// Running from a sealed memfd, as runc does since CVE-2019-5736: at start, berth-shim copies
// /proc/self/exe into memfd_create(MFD_CLOEXEC | MFD_ALLOW_SEALING), seals it against writes
// and size changes, and re-execs itself from it with fexecve. From then on /proc/PID/exe of the
// shim and of every child it forks into a container (before that child's execve) is
// "/memfd:berth-shim (deleted)": a process in the container that opens it (it would need
// CAP_SYS_PTRACE, the children are non-dumpable) reads an anonymous copy, cannot write it
// (F_SEAL_WRITE, and ETXTBSY while it runs), and never learns or reaches the host's file.
// One copy serves every shim of the same binary: a starting shim first looks for a running
// berth-shim whose /proc/PID/exe is a sealed memfd with exactly its own bytes (compared in full,
// so whatever a process calling itself berth-shim offers, only an identical, immutable image is
// ever exec'd) and re-execs from that one; only the first shim pays for a copy (3.5 MB of shmem,
// which lives as long as any shim runs from it) instead of each holding its own. A start costs
// ~2.5 ms more (3.5 ms of CPU: the scan of /proc, the comparison or the copy, the second exec).
// Kernel quirks: an fexecve'd process is named after "/dev/fd/N" ("3"), so comm is set back
// (the engine recognises shims by comm); memfd_create refuses MFD_EXEC before Linux 6.3 and
// some 6.3+ kernels refuse executable memfds without it (vm.memfd_noexec), so it is tried first.
#include "runtime-shim/self_clone.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <stdexcept>

#include "common/dir_list.hpp"
#include "common/sys_error.hpp"

extern char** environ;

namespace berth::shim {

namespace {

#ifndef MFD_EXEC
constexpr unsigned kMfdExec = 0x0010U;  // Linux 6.3
#else
constexpr unsigned kMfdExec = MFD_EXEC;
#endif

constexpr int kSeals = F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE;
/// Set across the re-exec: the original executable's path (the copy's /proc/self/exe no longer
/// says it, and berth-init is found next to it).
constexpr const char* kMarker = "_BERTH_SHIM_SEALED_FROM";

std::string& original_path() {
  static std::string path;
  return path;
}

std::string read_link(const char* path) {
  char buf[4096];
  ssize_t n = ::readlink(path, buf, sizeof buf - 1);
  if (n < 0) throw_errno(std::string("readlink `") + path + "`");
  return std::string(buf, static_cast<size_t>(n));
}

UniqueFd sealed_copy_of(int src, const std::string& shown, const char* name) {
  struct stat st {};
  if (::fstat(src, &st) != 0) throw_errno("stat `" + shown + "`");
  UniqueFd mem(::memfd_create(name, MFD_CLOEXEC | MFD_ALLOW_SEALING | kMfdExec));
  if (!mem && errno == EINVAL) mem.reset(::memfd_create(name, MFD_CLOEXEC | MFD_ALLOW_SEALING));
  if (!mem) throw_errno(std::string("memfd_create `") + name + "`");
  off_t offset = 0;
  while (offset < st.st_size) {
    ssize_t n = ::sendfile(mem.get(), src, &offset, static_cast<size_t>(st.st_size - offset));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw_errno("copy `" + shown + "` into a memfd");
    if (n == 0) throw SysError("copy `" + shown + "` into a memfd: the file shrank while copied", EIO);
  }
  if (::fcntl(mem.get(), F_ADD_SEALS, kSeals) != 0) throw_errno(std::string("seal the memfd `") + name + "`");
  return mem;
}

bool same_content(int a, int b, off_t size) {
  char buf_a[65536], buf_b[65536];
  for (off_t at = 0; at < size;) {
    const ssize_t n = ::pread(a, buf_a, sizeof buf_a, at);
    if (n <= 0 || ::pread(b, buf_b, static_cast<size_t>(n), at) != n) return false;
    if (std::memcmp(buf_a, buf_b, static_cast<size_t>(n)) != 0) return false;
    at += n;
  }
  return true;
}

/// A sealed copy of `self` (same size, same bytes) that another process named `comm` runs from;
/// empty when there is none.
UniqueFd find_running_copy(int self, const std::string& comm) {
  struct stat st {};
  if (comm.empty() || ::fstat(self, &st) != 0) return {};
  std::optional<DirReader> proc;
  try {
    proc.emplace("/proc");
  } catch (const SysError&) {
    return {};
  }
  const std::string own = std::to_string(::getpid());
  while (auto entry = proc->next()) {
    if ((*entry)[0] < '1' || (*entry)[0] > '9' || own == *entry) continue;
    const std::string dir = "/proc/" + *entry;
    char name[32] = {};
    UniqueFd comm_fd(::open((dir + "/comm").c_str(), O_RDONLY | O_CLOEXEC));
    if (!comm_fd || ::read(comm_fd.get(), name, sizeof name - 1) <= 0 || comm + "\n" != name) continue;
    UniqueFd exe(::open((dir + "/exe").c_str(), O_RDONLY | O_CLOEXEC));
    struct stat other {};
    if (!exe || !is_sealed_copy(exe.get()) || ::fstat(exe.get(), &other) != 0 || other.st_size != st.st_size) continue;
    if (same_content(self, exe.get(), st.st_size)) return exe;
  }
  return {};
}

}  // namespace

bool is_sealed_copy(int fd) {
  const int seals = ::fcntl(fd, F_GET_SEALS);
  return seals >= 0 && (seals & kSeals) == kSeals;
}

UniqueFd sealed_copy(const std::string& path, const char* name) {
  UniqueFd src(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!src) throw_errno("open `" + path + "`");
  return sealed_copy_of(src.get(), path, name);
}

const std::string& original_executable_path() { return original_path(); }

void ensure_running_from_sealed_copy(char** argv) {
  UniqueFd self(::open("/proc/self/exe", O_RDONLY | O_CLOEXEC));
  if (!self) throw_errno("open `/proc/self/exe`");
  const char* marker = std::getenv(kMarker);
  if (is_sealed_copy(self.get())) {
    original_path() = marker ? marker : "";
    ::unsetenv(kMarker);
    const std::string base = original_path().substr(original_path().rfind('/') + 1);
    if (!base.empty()) ::prctl(PR_SET_NAME, base.c_str(), 0, 0, 0);  // comm keeps 15 bytes
    return;
  }
  // The marker without seals: the re-exec did not land in the copy; never loop.
  if (marker) throw std::runtime_error("re-exec from a sealed copy of `" + std::string(marker) + "`: not sealed");
  const std::string path = read_link("/proc/self/exe");
  UniqueFd copy = find_running_copy(self.get(), path.substr(path.rfind('/') + 1).substr(0, 15));
  if (!copy) copy = sealed_copy_of(self.get(), path, "berth-shim");
  if (::setenv(kMarker, path.c_str(), 1) != 0) throw_errno(std::string("setenv ") + kMarker);
  ::fexecve(copy.get(), argv, environ);
  throw_errno("re-exec from the sealed copy of `" + path + "` (fexecve)");
}

}  // namespace berth::shim
