// c-ares driven by the server's Asio loop (see forwarder.hpp for the design).
#include "dns/forwarder.hpp"

#include <poll.h>

#include <algorithm>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/post.hpp>
#include <chrono>
#include <mutex>
#include <stdexcept>

namespace berth::dns {

namespace asio = boost::asio;

struct Forwarder::Watch {
  Watch(asio::io_context& io, int fd) : desc(io, fd) {}
  ~Watch() {
    // The socket belongs to c-ares: never let the descriptor close it.
    if (desc.is_open()) desc.release();
  }
  asio::posix::stream_descriptor desc;
  bool want_read = false;
  bool want_write = false;
  bool read_pending = false;
  bool write_pending = false;
  bool closed = false;
};

namespace {

struct Pending {
  Forwarder* self;
  Forwarder::Callback done;
};

bool readable_now(int fd) {
  pollfd p{fd, POLLIN, 0};
  return ::poll(&p, 1, 0) > 0 && (p.revents & (POLLIN | POLLHUP | POLLERR)) != 0;
}

}  // namespace

Forwarder::Forwarder(asio::io_context& io, const ForwarderOptions& options)
    : m_io(io), m_timer(io), m_max_in_flight(options.max_in_flight) {
  static std::once_flag library_once;
  static int library_status = ARES_SUCCESS;
  std::call_once(library_once, [] { library_status = ares_library_init(ARES_LIB_INIT_ALL); });
  if (library_status != ARES_SUCCESS)
    throw std::runtime_error(std::string("c-ares library init: ") + ares_strerror(library_status));

  ares_options opts{};
  opts.flags = ARES_FLAG_NOCHECKRESP | ARES_FLAG_STAYOPEN;
  opts.timeout = options.timeout_ms;
  opts.tries = options.tries;
  opts.sock_state_cb = &Forwarder::on_socket_state;
  opts.sock_state_cb_data = this;
  int mask = ARES_OPT_FLAGS | ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES | ARES_OPT_SOCK_STATE_CB;
  int rc = ares_init_options(&m_channel, &opts, mask);
  if (rc != ARES_SUCCESS) throw std::runtime_error(std::string("c-ares init: ") + ares_strerror(rc));

  std::string csv;
  for (const std::string& s : options.servers) {
    std::string entry = upstream_csv_entry(s);
    if (entry.empty()) {
      ares_destroy(m_channel);
      throw std::runtime_error("upstream `" + s + "`: not IP[:PORT]");
    }
    m_servers.push_back(entry);
    csv += (csv.empty() ? "" : ",") + entry;
  }
  // An empty list leaves c-ares with no servers: every forwarded query fails (SERVFAIL).
  rc = ares_set_servers_ports_csv(m_channel, csv.c_str());
  if (rc != ARES_SUCCESS) {
    ares_destroy(m_channel);
    throw std::runtime_error("c-ares servers `" + csv + "`: " + ares_strerror(rc));
  }
}

Forwarder::~Forwarder() {
  m_timer.cancel();
  ares_destroy(m_channel);  // runs outstanding callbacks with ARES_EDESTRUCTION, closes sockets
  for (auto& [fd, watch] : m_watches) {
    watch->closed = true;
    watch->desc.release();
  }
}

void Forwarder::forward(std::span<const uint8_t> query, Callback done) {
  if (m_in_flight >= m_max_in_flight) {
    done({});
    return;
  }
  ++m_in_flight;
  auto* pending = new Pending{this, std::move(done)};
  ares_send(m_channel, query.data(), static_cast<int>(query.size()), &Forwarder::on_answer, pending);
  reschedule();
}

void Forwarder::on_answer(void* arg, int status, int /*timeouts*/, unsigned char* abuf, int alen) {
  std::unique_ptr<Pending> pending(static_cast<Pending*>(arg));
  --pending->self->m_in_flight;
  if (status == ARES_SUCCESS && abuf && alen > 0)
    pending->done(std::span<const uint8_t>(abuf, static_cast<size_t>(alen)));
  else
    pending->done({});
}

void Forwarder::on_socket_state(void* self, ares_socket_t fd, int readable, int writable) {
  static_cast<Forwarder*>(self)->socket_state(fd, readable != 0, writable != 0);
}

void Forwarder::socket_state(int fd, bool readable, bool writable) {
  auto it = m_watches.find(fd);
  if (!readable && !writable) {
    if (it != m_watches.end()) {
      it->second->closed = true;
      it->second->desc.release();  // cancels its waits; c-ares closes the fd right after
      m_watches.erase(it);
    }
    return;
  }
  if (it == m_watches.end()) {
    // We are inside a c-ares callback: nothing may throw through its C frames. If the socket
    // cannot be registered, its queries simply time out.
    try {
      it = m_watches.emplace(fd, std::make_shared<Watch>(m_io, fd)).first;
    } catch (const std::exception&) {
      return;
    }
  }
  it->second->want_read = readable;
  it->second->want_write = writable;
  arm(it->second);
}

void Forwarder::arm(const std::shared_ptr<Watch>& watch) {
  if (watch->want_read && !watch->read_pending) {
    watch->read_pending = true;
    watch->desc.async_wait(asio::posix::descriptor_base::wait_read, [this, watch](const boost::system::error_code& ec) {
      watch->read_pending = false;
      if (watch->closed || ec) return;
      process(watch, true);
    });
  }
  if (watch->want_write && !watch->write_pending) {
    watch->write_pending = true;
    watch->desc.async_wait(asio::posix::descriptor_base::wait_write,
                           [this, watch](const boost::system::error_code& ec) {
                             watch->write_pending = false;
                             if (watch->closed || ec) return;
                             process(watch, false);
                           });
  }
}

void Forwarder::process(const std::shared_ptr<Watch>& watch, bool readable) {
  int fd = watch->desc.native_handle();
  if (!readable) {
    ares_process_fd(m_channel, ARES_SOCKET_BAD, fd);
  } else {
    // Edge-triggered wakeups: drain what is waiting, a bounded number of times per wakeup.
    int rounds = 0;
    do {
      ares_process_fd(m_channel, fd, ARES_SOCKET_BAD);
    } while (!watch->closed && ++rounds < 64 && readable_now(fd));
    if (!watch->closed && rounds == 64 && readable_now(fd)) {
      asio::post(m_io, [this, watch] {
        if (!watch->closed) process(watch, true);
      });
    }
  }
  if (!watch->closed) arm(watch);
  reschedule();
}

void Forwarder::reschedule() {
  timeval tv{};
  if (!ares_timeout(m_channel, nullptr, &tv)) {
    m_timer.cancel();
    return;
  }
  auto delay = std::chrono::milliseconds(tv.tv_sec * 1000 + tv.tv_usec / 1000 + 1);
  m_timer.expires_after(delay);
  m_timer.async_wait([this](const boost::system::error_code& ec) {
    if (ec) return;
    ares_process_fd(m_channel, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
    reschedule();
  });
}

}  // namespace berth::dns
