// The project's berth-dns, restarted by the shims (see dns_watch.hpp).
#include "runtime-shim/dns_watch.hpp"

#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <exception>
#include <filesystem>

#include "common/dns_process.hpp"

namespace berth::shim {

namespace {
constexpr std::chrono::milliseconds kIdleLook{1000};  ///< nothing to watch: look again
constexpr std::chrono::milliseconds kBusyLook{100};   ///< another holds the lock: it is on it
}  // namespace

DnsWatch::DnsWatch(EventLoop& loop, std::string dir, std::string binary, std::function<void(const std::string&)> warn)
    : m_loop(loop), m_dir(std::move(dir)), m_binary(std::move(binary)), m_warn(std::move(warn)) {
  check();
}

DnsWatch::~DnsWatch() {
  unwatch();
  if (m_timer) m_loop.cancel(m_timer);
}

void DnsWatch::unwatch() {
  if (!m_pidfd) return;
  m_loop.remove(m_pidfd.get());
  m_pidfd.reset();
}

void DnsWatch::retry_in(std::chrono::milliseconds delay) {
  if (m_timer) m_loop.cancel(m_timer);
  m_timer = m_loop.after(delay, [this] {
    m_timer = 0;
    check();
  });
}

void DnsWatch::watch(int pid) {
  unwatch();
  m_pidfd.reset(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)));
  if (!m_pidfd) {  // exited between the check and now (ESRCH), or no pidfd (Linux < 5.3)
    retry_in(errno == ESRCH ? kBusyLook : kIdleLook);
    return;
  }
  m_loop.add(m_pidfd.get(), EPOLLIN, [this](uint32_t) {  // readable = it exited
    unwatch();
    check();
  });
}

void DnsWatch::check() {
  if (int pid = live_dns_pid(m_dir)) return watch(pid);
  std::error_code ec;
  if (!std::filesystem::exists(m_dir + "/dns.json", ec)) return retry_in(kIdleLook);  // not wanted now
  const UniqueFd lock = lock_dns_dir(m_dir, false);
  if (!lock) return retry_in(kBusyLook);
  if (int pid = live_dns_pid(m_dir)) return watch(pid);  // another shim was first
  if (!std::filesystem::exists(m_dir + "/dns.json", ec)) return retry_in(kIdleLook);
  try {
    start_dns_process(m_binary, m_dir);
    m_warn("berth-dns had exited: started it again");
  } catch (const std::exception& e) {
    m_warn(std::string("restart berth-dns: ") + e.what());
    return retry_in(kIdleLook);
  }
  if (int pid = live_dns_pid(m_dir)) return watch(pid);
  retry_in(kIdleLook);
}

}  // namespace berth::shim
