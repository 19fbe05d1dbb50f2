// Control socket plumbing: accept, read JSON lines, hand each request to the dispatcher, send
// replies. A connection processes one request at a time: while a reply is deferred (stop, wait,
// exec-wait), later lines stay buffered, so replies always come back in request order. Sockets
// are non-blocking; a reply that does not fit the socket buffer is queued for EPOLLOUT, so one
// slow client never stalls the shim. A client that half-closes still gets its pending replies.
#include "runtime-shim/control_socket.hpp"

#include "common/unix_address.hpp"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <cerrno>
#include <cstring>
#include <deque>

#include "common/sys_error.hpp"

namespace berth::shim {

namespace {

constexpr size_t kMaxRequestLine = 1 << 20;

struct Outgoing {
  std::string data;
  std::vector<UniqueFd> fds;
  size_t sent = 0;
};

}  // namespace

std::string dump_json(const nlohmann::json& j) {
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

struct ControlServer::Connection {
  UniqueFd fd;
  std::string in;
  std::deque<Outgoing> out;
  bool busy = false;        ///< a request is waiting for its (deferred) reply
  bool processing = false;  ///< process_lines() is on the stack
  bool peer_done = false;   ///< the client closed its side: finish pending replies, then close
  bool closed = false;
};

ControlServer::ControlServer(EventLoop& loop, std::string path, Dispatch dispatch)
    : m_loop(loop), m_path(std::move(path)), m_dispatch(std::move(dispatch)) {
  UnixAddress addr = unix_address(m_path, "bind");
  m_listen = UniqueFd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  if (!m_listen) throw_errno("socket for `" + m_path + "`");
  if (::unlink(m_path.c_str()) != 0 && errno != ENOENT) throw_errno("remove stale socket `" + m_path + "`");
  if (::bind(m_listen.get(), addr.get(), addr.size()) != 0) throw_errno("bind `" + m_path + "`");
  if (::chmod(m_path.c_str(), 0600) != 0) throw_errno("chmod `" + m_path + "`");
  if (::listen(m_listen.get(), 64) != 0) throw_errno("listen `" + m_path + "`");
  m_loop.add(m_listen.get(), EPOLLIN, [this](uint32_t) { accept_clients(); });
}

ControlServer::~ControlServer() {
  for (auto& [fd, c] : m_connections) {
    m_loop.remove(fd);
    c->closed = true;
  }
  m_connections.clear();
  m_loop.remove(m_listen.get());
  ::unlink(m_path.c_str());
}

void ControlServer::accept_clients() {
  for (;;) {
    int fd = ::accept4(m_listen.get(), nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
    if (fd < 0) return;  // EAGAIN, or a client that already left
    auto c = std::make_shared<Connection>();
    c->fd = UniqueFd(fd);
    m_connections[fd] = c;
    m_loop.add(fd, EPOLLIN, [this, weak = std::weak_ptr<Connection>(c)](uint32_t events) {
      auto conn = weak.lock();
      if (!conn) return;
      if (events & EPOLLOUT) flush(conn);
      if (conn->closed) return;
      // EPOLLHUP is reported even with no events requested: once the input is done, a hang-up
      // means nobody is left to read replies.
      if (conn->peer_done && (events & (EPOLLHUP | EPOLLERR))) return close_connection(conn);
      if (events & (EPOLLIN | EPOLLHUP | EPOLLERR)) on_readable(conn);
    });
  }
}

void ControlServer::on_readable(const std::shared_ptr<Connection>& c) {
  char buf[65536];
  ssize_t n = ::recv(c->fd.get(), buf, sizeof buf, 0);
  if (n < 0 && (errno == EAGAIN || errno == EINTR)) return;
  if (n <= 0) {
    c->peer_done = true;
    if (c->busy || !c->out.empty()) {
      m_loop.modify(c->fd.get(), c->out.empty() ? 0u : static_cast<uint32_t>(EPOLLOUT));  // stop polling a closed input
    } else {
      close_connection(c);
    }
    return;
  }
  c->in.append(buf, static_cast<size_t>(n));
  if (c->in.size() > kMaxRequestLine && c->in.find('\n') == std::string::npos) {
    send(c, dump_json({{"ok", false}, {"error", "request line longer than 1 MiB"}}) + "\n", {});
    c->in.clear();
    c->peer_done = true;
  }
  process_lines(c);
}

void ControlServer::process_lines(const std::shared_ptr<Connection>& c) {
  if (c->processing) return;
  c->processing = true;
  while (!c->closed && !c->busy) {
    size_t nl = c->in.find('\n');
    if (nl == std::string::npos) break;
    std::string line = c->in.substr(0, nl);
    c->in.erase(0, nl + 1);
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    nlohmann::json request;
    try {
      request = nlohmann::json::parse(line);
    } catch (const std::exception& e) {
      send(c, dump_json({{"ok", false}, {"error", std::string("invalid request: ") + e.what()}}) + "\n", {});
      continue;
    }
    c->busy = true;
    auto responded = std::make_shared<bool>(false);
    Respond respond = [this, weak = std::weak_ptr<Connection>(c), responded](const nlohmann::json& reply,
                                                                             std::vector<UniqueFd> fds) {
      auto conn = weak.lock();
      if (*responded || !conn || conn->closed) return;
      *responded = true;
      conn->busy = false;
      send(conn, dump_json(reply) + "\n", std::move(fds));
      if (!conn->closed) process_lines(conn);
    };
    try {
      m_dispatch(request, respond);
    } catch (const std::exception& e) {
      respond({{"ok", false}, {"error", e.what()}}, {});
    }
  }
  c->processing = false;
  if (!c->closed && c->peer_done && !c->busy && c->out.empty()) close_connection(c);
}

void ControlServer::send(const std::shared_ptr<Connection>& c, std::string data, std::vector<UniqueFd> fds) {
  c->out.push_back(Outgoing{std::move(data), std::move(fds), 0});
  flush(c);
}

void ControlServer::flush(const std::shared_ptr<Connection>& c) {
  while (!c->out.empty()) {
    Outgoing& o = c->out.front();
    iovec iov{o.data.data() + o.sent, o.data.size() - o.sent};
    msghdr msg{};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    std::vector<char> control;
    if (o.sent == 0 && !o.fds.empty()) {
      control.resize(CMSG_SPACE(sizeof(int) * o.fds.size()));
      msg.msg_control = control.data();
      msg.msg_controllen = control.size();
      cmsghdr* cm = CMSG_FIRSTHDR(&msg);
      if (!cm) return close_connection(c);  // cannot happen: the buffer was sized for it
      cm->cmsg_level = SOL_SOCKET;
      cm->cmsg_type = SCM_RIGHTS;
      cm->cmsg_len = CMSG_LEN(sizeof(int) * o.fds.size());
      for (size_t i = 0; i < o.fds.size(); ++i) {
        int fd = o.fds[i].get();
        std::memcpy(CMSG_DATA(cm) + i * sizeof(int), &fd, sizeof fd);
      }
    }
    ssize_t n = ::sendmsg(c->fd.get(), &msg, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) {
      m_loop.modify(c->fd.get(), (c->peer_done ? 0u : static_cast<uint32_t>(EPOLLIN)) | EPOLLOUT);
      return;
    }
    if (n < 0) {  // EPIPE, ECONNRESET: the client is gone
      close_connection(c);
      return;
    }
    o.fds.clear();  // the kernel holds its own references once the first byte is sent
    o.sent += static_cast<size_t>(n);
    if (o.sent == o.data.size()) c->out.pop_front();
  }
  if (c->peer_done && !c->busy) {
    close_connection(c);
    return;
  }
  m_loop.modify(c->fd.get(), c->peer_done ? 0u : static_cast<uint32_t>(EPOLLIN));
}

void ControlServer::close_connection(const std::shared_ptr<Connection>& c) {
  if (c->closed) return;
  c->closed = true;
  m_loop.remove(c->fd.get());
  m_connections.erase(c->fd.get());
}

}  // namespace berth::shim
