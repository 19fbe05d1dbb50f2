// DNS over TCP (RFC 7766): length-prefixed messages, several per connection, answered in
// completion order (a forwarded query may be overtaken by a local answer), idle timeout.
// When the client half-closes, queued and forwarded answers are still delivered before close.
// The idle timeout counts from the last query read or answer written, and never closes a
// connection with a forwarded query in flight or an answer to write (RFC 7766 §6.2.3: idle means
// no outstanding query); admission (who may open one) is in server.cpp and tcp_limits.hpp.
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

#include "dns/answer.hpp"
#include "dns/server_impl.hpp"

namespace berth::dns {

namespace asio = boost::asio;

Server::Connection::Connection(asio::ip::tcp::socket s, const IpAddress& client, std::shared_ptr<Shared> shared)
    : m_socket(std::move(s)),
      m_idle(m_socket.get_executor()),
      m_shared(std::move(shared)),
      m_client(client),
      m_active(std::chrono::steady_clock::now()) {}

void Server::Connection::start() {
  m_shared->live.emplace(this, weak_from_this());
  read_length();
}

TcpPeer Server::Connection::peer() const { return {m_client, idle(), m_active}; }

void Server::Connection::close() {
  if (m_closed) return;
  m_closed = true;
  boost::system::error_code ignored;
  m_socket.close(ignored);
  m_idle.cancel();
  m_shared->live.erase(this);
}

void Server::Connection::arm_idle() { wait_idle(m_active + m_shared->idle_timeout); }

void Server::Connection::wait_idle(std::chrono::steady_clock::time_point deadline) {
  m_idle.expires_at(deadline);
  m_idle.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
    if (ec || self->m_closed) return;
    auto now = std::chrono::steady_clock::now();
    auto timeout = self->m_shared->idle_timeout;
    if (!self->idle())
      self->wait_idle(now + timeout);  // busy: its last answer written starts the clock again
    else if (now < self->m_active + timeout)
      self->wait_idle(self->m_active + timeout);  // active since the timer was set
    else
      self->close();
  });
}

void Server::Connection::read_length() {
  arm_idle();
  asio::async_read(m_socket, asio::buffer(m_length),
                   [self = shared_from_this()](const boost::system::error_code& ec, size_t) {
                     if (self->m_closed) return;
                     if (ec) {
                       self->m_read_done = true;  // EOF or reset: finish what is in flight
                       self->finish_if_done();
                       return;
                     }
                     self->read_body();
                   });
}

void Server::Connection::read_body() {
  size_t size = static_cast<size_t>(m_length[0]) << 8 | m_length[1];
  m_body.assign(size, 0);
  asio::async_read(m_socket, asio::buffer(m_body),
                   [self = shared_from_this()](const boost::system::error_code& ec, size_t) {
                     if (self->m_closed) return;
                     if (ec) {
                       self->m_read_done = true;
                       self->finish_if_done();
                       return;
                     }
                     self->m_active = std::chrono::steady_clock::now();
                     self->handle(std::move(self->m_body));
                     self->read_length();
                   });
}

void Server::Connection::handle(std::vector<uint8_t> query) {
  std::shared_ptr<const Records> records = m_shared->records.load();
  Decision d = answer_query(*records, m_client, query, Transport::Tcp);
  switch (d.kind) {
    case Decision::Kind::Drop:
      return;
    case Decision::Kind::Reply:
      send(std::move(d.reply));
      return;
    case Decision::Kind::Forward:
      break;
  }
  Forwarder* forwarder = m_shared->forwarders->for_client(*records, m_client);
  if (!forwarder) {
    send(servfail(d));
    return;
  }
  ++m_forwarding;
  forwarder->forward(query, [self = shared_from_this(), d = std::move(d)](std::span<const uint8_t> response) {
    --self->m_forwarding;
    if (self->m_closed) return;
    self->send(response.empty() ? servfail(d) : finish_forwarded(d, response));
    self->finish_if_done();
  });
}

void Server::Connection::send(std::vector<uint8_t> message) {
  if (message.empty() || message.size() > 0xffff) return;
  std::vector<uint8_t> framed;
  framed.reserve(message.size() + 2);
  framed.push_back(static_cast<uint8_t>(message.size() >> 8));
  framed.push_back(static_cast<uint8_t>(message.size()));
  framed.insert(framed.end(), message.begin(), message.end());
  m_out.push_back(std::move(framed));
  if (!m_writing) write_next();
}

void Server::Connection::write_next() {
  if (m_out.empty() || m_closed) {
    m_writing = false;
    finish_if_done();
    return;
  }
  m_writing = true;
  asio::async_write(m_socket, asio::buffer(m_out.front()),
                    [self = shared_from_this()](const boost::system::error_code& ec, size_t) {
                      if (self->m_closed) return;
                      if (ec) {
                        self->close();
                        return;
                      }
                      self->m_out.pop_front();
                      self->m_active = std::chrono::steady_clock::now();
                      self->write_next();
                    });
}

void Server::Connection::finish_if_done() {
  if (m_read_done && !m_writing && m_out.empty() && m_forwarding == 0) close();
}

}  // namespace berth::dns
