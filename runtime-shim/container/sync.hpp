#pragma once
// Typed messages between the shim (parent) and the container's init (child) over a
// SOCK_SEQPACKET socketpair: one datagram per message, so no framing bugs.
//
//   child -> parent  Pid    {value = host pid}   (from the intermediate process, see create.cpp)
//   parent -> child  Go     cgroups joined: continue with the setup
//   child -> parent  Error  {step, errno, text}  a setup step failed; the child exits
//   child -> parent  Ready  everything is set up; execve() comes next
//   (EOF)                   the child's end is O_CLOEXEC: EOF after Ready means "exec'd"
#include <cstdint>
#include <optional>
#include <string>
#include <utility>

#include "common/unique_fd.hpp"

namespace berth::shim {

enum class SyncType : uint32_t { Pid = 1, Go = 2, Error = 3, Ready = 4 };

struct SyncMessage {
  SyncType type = SyncType::Go;
  int err = 0;        ///< errno of a failed step (0 when not from a system call)
  int64_t value = 0;  ///< Pid: the pid
  std::string step;   ///< Error: which setup step ("mounts", "pivot_root", ...)
  std::string text;   ///< Error: the full message ("mount proc on `/proc`: ...")
};

/// Human-readable name of a message type ("Go", "Ready", ...).
const char* to_string(SyncType type);

class SyncSocket {
 public:
  SyncSocket() = default;
  explicit SyncSocket(UniqueFd fd) : m_fd(std::move(fd)) {}

  /// A connected pair (both ends O_CLOEXEC): first for the parent, second for the child.
  static std::pair<SyncSocket, SyncSocket> pair();

  /// Sends one message; throws SysError.
  void send(const SyncMessage& message) const;
  /// Sends without throwing (the child's error path); returns false on failure.
  bool try_send(const SyncMessage& message) const noexcept;
  /// The next message, or std::nullopt at EOF (peer closed: exec'd or died). Throws SysError or
  /// std::runtime_error on a malformed datagram.
  std::optional<SyncMessage> receive() const;
  /// receive() that expects `type`; throws std::runtime_error naming what came instead.
  SyncMessage expect(SyncType type) const;

  int fd() const noexcept { return m_fd.get(); }
  void close() noexcept { m_fd.reset(); }

 private:
  UniqueFd m_fd;
};

}  // namespace berth::shim
