// Sync socket wire format: a fixed header {type u32, errno i32, value i64, step_len u32,
// text_len u32} followed by the step and text bytes, in one SOCK_SEQPACKET datagram (max 64 KiB).
// SEQPACKET keeps message boundaries and reports EOF when the peer's last copy of the socket is
// closed, which is how the parent learns that execve() succeeded (the child end is O_CLOEXEC).
#include "runtime-shim/container/sync.hpp"

#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <vector>

#include "common/sys_error.hpp"

namespace berth::shim {

namespace {

struct Header {
  uint32_t type;
  int32_t err;
  int64_t value;
  uint32_t step_len;
  uint32_t text_len;
};

constexpr size_t max_datagram = 65536;

std::vector<char> encode(const SyncMessage& m) {
  std::string text = m.text.substr(0, max_datagram - sizeof(Header) - 256);
  std::string step = m.step.substr(0, 255);
  Header h{static_cast<uint32_t>(m.type), m.err, m.value, static_cast<uint32_t>(step.size()),
           static_cast<uint32_t>(text.size())};
  std::vector<char> out(sizeof h + step.size() + text.size());
  std::memcpy(out.data(), &h, sizeof h);
  std::memcpy(out.data() + sizeof h, step.data(), step.size());
  std::memcpy(out.data() + sizeof h + step.size(), text.data(), text.size());
  return out;
}

}  // namespace

const char* to_string(SyncType type) {
  switch (type) {
    case SyncType::Pid:
      return "Pid";
    case SyncType::Go:
      return "Go";
    case SyncType::Error:
      return "Error";
    case SyncType::Ready:
      return "Ready";
  }
  return "unknown";
}

std::pair<SyncSocket, SyncSocket> SyncSocket::pair() {
  int fds[2];
  if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fds) != 0) throw_errno("socketpair for the sync socket");
  return {SyncSocket(UniqueFd(fds[0])), SyncSocket(UniqueFd(fds[1]))};
}

void SyncSocket::send(const SyncMessage& message) const {
  std::vector<char> data = encode(message);
  ssize_t n;
  do {
    n = ::send(m_fd.get(), data.data(), data.size(), MSG_NOSIGNAL);
  } while (n < 0 && errno == EINTR);
  if (n < 0) throw_errno(std::string("send ") + to_string(message.type) + " on the sync socket");
}

bool SyncSocket::try_send(const SyncMessage& message) const noexcept {
  try {
    send(message);
    return true;
  } catch (...) {
    return false;
  }
}

std::optional<SyncMessage> SyncSocket::receive() const {
  std::vector<char> buf(max_datagram);
  ssize_t n;
  do {
    n = ::recv(m_fd.get(), buf.data(), buf.size(), 0);
  } while (n < 0 && errno == EINTR);
  if (n < 0) {
    if (errno == ECONNRESET) return std::nullopt;
    throw_errno("receive on the sync socket");
  }
  if (n == 0) return std::nullopt;
  Header h{};
  if (static_cast<size_t>(n) < sizeof h) throw std::runtime_error("sync socket: short message");
  std::memcpy(&h, buf.data(), sizeof h);
  if (sizeof h + h.step_len + h.text_len != static_cast<size_t>(n) || h.type < 1 || h.type > 4)
    throw std::runtime_error("sync socket: malformed message");
  SyncMessage m;
  m.type = static_cast<SyncType>(h.type);
  m.err = h.err;
  m.value = h.value;
  m.step.assign(buf.data() + sizeof h, h.step_len);
  m.text.assign(buf.data() + sizeof h + h.step_len, h.text_len);
  return m;
}

SyncMessage SyncSocket::expect(SyncType type) const {
  std::optional<SyncMessage> m = receive();
  if (!m) throw std::runtime_error(std::string("sync socket: peer closed while waiting for ") + to_string(type));
  if (m->type != type)
    throw std::runtime_error(std::string("sync socket: expected ") + to_string(type) + ", got " + to_string(m->type));
  return *m;
}

}  // namespace berth::shim
