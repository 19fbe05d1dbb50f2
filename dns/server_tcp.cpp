// DNS over TCP (RFC 7766): length-prefixed messages, several per connection, answered in
// completion order (a forwarded query may be overtaken by a local answer), idle timeout.
// When the client half-closes, queued and forwarded answers are still delivered before close.
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

#include "dns/answer.hpp"
#include "dns/server_impl.hpp"

namespace berth::dns {

namespace asio = boost::asio;

Server::Connection::Connection(asio::ip::tcp::socket s, std::shared_ptr<Shared> shared)
    : m_socket(std::move(s)), m_idle(m_socket.get_executor()), m_shared(std::move(shared)) {
  boost::system::error_code ec;
  auto peer = m_socket.remote_endpoint(ec);
  if (!ec) m_client = to_ip(peer.address());
}

void Server::Connection::start() {
  m_shared->live.emplace(this, weak_from_this());
  read_length();
}

void Server::Connection::close() {
  if (m_closed) return;
  m_closed = true;
  boost::system::error_code ignored;
  m_socket.close(ignored);
  m_idle.cancel();
  m_shared->live.erase(this);
}

void Server::Connection::arm_idle() {
  m_idle.expires_after(m_shared->idle_timeout);
  m_idle.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
    if (!ec) self->close();
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
                      self->write_next();
                    });
}

void Server::Connection::finish_if_done() {
  if (m_read_done && !m_writing && m_out.empty() && m_forwarding == 0) close();
}

}  // namespace berth::dns
