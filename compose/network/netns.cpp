// Persistent network namespaces, the way `ip netns add` makes them: an empty file whose inode
// is covered by a bind mount of a namespace's nsfs file. The namespace is created by a
// short-lived thread that unshare()s only itself, so the caller's namespace never changes and
// other threads of the engine are unaffected. Entering works the same way: a thread setns()es,
// runs the callback and ends; a netlink socket it opened stays bound to that namespace.
#include "compose/network/netns.hpp"

#include "compose/network/netlink.hpp"

#include <fcntl.h>
#include <linux/magic.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <exception>
#include <filesystem>
#include <thread>

#include <fmt/format.h>

#include "common/scope_exit.hpp"
#include "common/sys_error.hpp"

namespace berth::network {

namespace {

// Runs fn on a fresh thread and rethrows what it threw. unshare/setns on a thread only change
// that thread; it exits right after, so no thread with a foreign namespace is ever reused.
void on_thread(const std::function<void()>& fn) {
  std::exception_ptr error;
  std::thread t([&] {
    try {
      fn();
    } catch (...) {
      error = std::current_exception();
    }
  });
  t.join();
  if (error) std::rethrow_exception(error);
}

}  // namespace

bool netns_exists(const std::string& path) {
  struct statfs fs {};
  if (::statfs(path.c_str(), &fs) != 0) return false;
  return fs.f_type == static_cast<decltype(fs.f_type)>(NSFS_MAGIC);
}

void create_netns(const std::string& path) {
  if (netns_exists(path)) return;
  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::path(path).parent_path(), ec);
  if (ec) throw SysError(fmt::format("mkdir `{}`", std::filesystem::path(path).parent_path().string()), ec.value());
  // O_EXCL is not used: a file left by a crash between create and mount is simply reused.
  int fd = ::open(path.c_str(), O_RDONLY | O_CREAT | O_CLOEXEC, 0444);
  if (fd < 0) throw_errno(fmt::format("create netns file `{}`", path));
  ::close(fd);
  ScopeExit unlink_file([&] { ::unlink(path.c_str()); });
  on_thread([&] {
    if (::unshare(CLONE_NEWNET) != 0) throw_errno(fmt::format("unshare(CLONE_NEWNET) for `{}`", path));
    const std::string self = fmt::format("/proc/self/task/{}/ns/net", ::syscall(SYS_gettid));
    if (::mount(self.c_str(), path.c_str(), nullptr, MS_BIND, nullptr) != 0)
      throw_errno(fmt::format("bind mount `{}` on `{}`", self, path));
  });
  unlink_file.dismiss();
  // Loopback up in every namespace Berth makes, as Docker has it, `network_mode: none` included.
  NlSocket ns = NlSocket::open_in(path);
  set_link(ns, "lo", true);
}

void remove_netns(const std::string& path) {
  // A path may carry more than one mount after a racing create; unmount until none is left.
  for (int i = 0; i < 8 && netns_exists(path); ++i) {
    if (::umount2(path.c_str(), MNT_DETACH) != 0 && errno != EINVAL && errno != ENOENT)
      throw_errno(fmt::format("umount `{}`", path));
  }
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) throw_errno(fmt::format("unlink `{}`", path));
}

UniqueFd open_netns(const std::string& path) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) throw_errno(fmt::format("open netns `{}`", path));
  return fd;
}

void run_in_netns(const std::string& path, const std::function<void()>& fn) {
  UniqueFd ns = open_netns(path);
  on_thread([&] {
    if (::setns(ns.get(), CLONE_NEWNET) != 0) throw_errno(fmt::format("setns `{}`", path));
    fn();
  });
}

}  // namespace berth::network
