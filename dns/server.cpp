// Listeners and the UDP path; the TCP connection state machine is in server_tcp.cpp.
//
// Everything runs on one io_context thread, so listener and connection state needs no locks;
// the records pointer is atomic so a query holds the table it started with.
// Callbacks of forwarded queries hold shared_ptrs to their listener or connection, never to the
// Server, so they are safe even when they run during shutdown.
// Addresses that are not clients are refused before anything is decoded or forwarded: the
// gateways are host addresses, reachable from every other project's containers.
#include "dns/server.hpp"

#include <netinet/in.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/ip/v6_only.hpp>

#include "common/sys_error.hpp"
#include "dns/answer.hpp"
#include "dns/server_impl.hpp"

namespace berth::dns {

namespace asio = boost::asio;
using asio::ip::tcp;
using asio::ip::udp;

IpAddress to_ip(const asio::ip::address& a) {
  if (a.is_v4()) return IpAddress::v4_from(a.to_v4().to_bytes());
  auto v6 = a.to_v6();
  if (v6.is_v4_mapped()) return IpAddress::v4_from(asio::ip::make_address_v4(asio::ip::v4_mapped, v6).to_bytes());
  return IpAddress::v6_from(v6.to_bytes());
}

asio::ip::address to_asio(const IpAddress& a) {
  if (a.v6) return asio::ip::address_v6(a.bytes);
  return asio::ip::address_v4(asio::ip::address_v4::bytes_type{a.bytes[0], a.bytes[1], a.bytes[2], a.bytes[3]});
}

Server::Server(asio::io_context& io, ForwarderPool& forwarders, ServerOptions options,
               std::shared_ptr<const Records> records)
    : m_io(io), m_forwarders(forwarders), m_options(std::move(options)), m_shared(std::make_shared<Shared>()) {
  m_shared->records.store(std::move(records));
  m_shared->forwarders = &forwarders;
  m_shared->idle_timeout = m_options.tcp_idle_timeout;
  m_shared->caps = {m_options.max_tcp_per_client, m_options.max_tcp_connections};
}

std::optional<FileStamp> file_stamp(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return std::nullopt;
  return FileStamp{static_cast<uint64_t>(st.st_dev), static_cast<uint64_t>(st.st_ino),
                   static_cast<uint64_t>(st.st_size),
                   static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec};
}

Server::~Server() { stop(); }

void Server::start() {
  // The table came from the file as it is now (main loaded it just before).
  m_loaded = file_stamp(m_options.records_path);
  sync_listeners(records()->gateways(), true);
  m_forwarders.sync(*records());
}

std::shared_ptr<const Records> Server::records() const { return m_shared->records.load(); }

bool Server::reload() {
  std::shared_ptr<const Records> fresh;
  // Stamped before reading: a file replaced while we read it is seen as changed next time. An
  // unusable file is stamped too, so a refused query does not make us read it again and again.
  m_loaded = file_stamp(m_options.records_path);
  try {
    fresh = Records::load(m_options.records_path);
  } catch (const std::exception& e) {
    spdlog::error("reload: {} (keeping the previous records)", e.what());
    return false;
  }
  // Channels first: a query that sees the new table must find its container's channel.
  bool ok = m_forwarders.sync(*fresh);
  m_shared->records.store(fresh);
  ok = sync_listeners(fresh->gateways(), false) && ok;
  spdlog::info("reloaded {}: {} gateway(s)", m_options.records_path, fresh->gateways().size());
  return ok;
}

void Server::stop() {
  for (auto& [text, l] : m_listeners) l->close();
  m_listeners.clear();
  // Copy first: closing a connection removes it from the map.
  std::vector<std::shared_ptr<Connection>> live;
  for (auto& [ptr, weak] : m_shared->live)
    if (auto c = weak.lock()) live.push_back(c);
  for (auto& c : live) c->close();
}

std::vector<std::string> Server::listening() const {
  std::vector<std::string> out;
  for (const auto& [text, l] : m_listeners) out.push_back(text);
  return out;
}

size_t Server::tcp_connections() const { return m_shared->live.size(); }

bool Server::sync_listeners(const std::vector<IpAddress>& gateways, bool strict) {
  bool ok = true;
  std::map<std::string, IpAddress> wanted;
  for (const IpAddress& g : gateways) wanted.emplace(g.to_string(), g);
  for (auto it = m_listeners.begin(); it != m_listeners.end();) {
    if (wanted.count(it->first)) {
      ++it;
      continue;
    }
    spdlog::info("closing listener {}:{}", it->first, m_options.port);
    it->second->close();
    it = m_listeners.erase(it);
  }
  for (const auto& [text, address] : wanted) {
    if (m_listeners.count(text)) continue;
    try {
      m_listeners.emplace(text, open_listener(address));
      spdlog::info("listening on {}:{} (udp, tcp)", text, m_options.port);
    } catch (const std::exception& e) {
      if (strict) throw;
      spdlog::error("{}", e.what());
      ok = false;
    }
  }
  return ok;
}

std::shared_ptr<Server::Listener> Server::open_listener(const IpAddress& address) {
  auto l = std::make_shared<Listener>(m_io);
  l->address = address;
  asio::ip::address a = to_asio(address);
  std::string where =
      (address.v6 ? "[" + address.to_string() + "]" : address.to_string()) + ":" + std::to_string(m_options.port);
  boost::system::error_code ec;
  udp::endpoint uep(a, m_options.port);
  l->udp.open(uep.protocol(), ec);
  if (!ec && address.v6) l->udp.set_option(asio::ip::v6_only(true), ec);
  if (!ec) l->udp.bind(uep, ec);
  if (!ec) l->udp.non_blocking(true, ec);
  if (ec) throw SysError("bind udp " + where, ec.value());
  tcp::endpoint tep(a, m_options.port);
  l->tcp.open(tep.protocol(), ec);
  if (!ec) l->tcp.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec && address.v6) l->tcp.set_option(asio::ip::v6_only(true), ec);
  if (!ec) l->tcp.bind(tep, ec);
  if (!ec) l->tcp.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    l->close();
    throw SysError("bind tcp " + where, ec.value());
  }
  receive_udp(l);
  accept_tcp(l);
  return l;
}

void Server::receive_udp(const std::shared_ptr<Listener>& l) {
  l->udp.async_receive_from(asio::buffer(l->buffer), l->from,
                            [this, l](const boost::system::error_code& ec, size_t size) {
                              if (l->closed) return;
                              if (!ec) handle_udp(l, size);
                              // Errors on an unconnected UDP socket (ICMP echoes, ENOBUFS) are per
                              // packet: keep receiving.
                              receive_udp(l);
                            });
}

void Server::handle_udp(const std::shared_ptr<Listener>& l, size_t size) {
  std::span<const uint8_t> packet(l->buffer.data(), size);
  udp::endpoint from = l->from;
  const IpAddress client = to_ip(from.address());
  boost::system::error_code ec;
  if (!is_client(client)) {
    Decision refused = refuse_query(packet);
    if (refused.kind != Decision::Kind::Reply) return;
    note_refused("udp query", client);
    l->udp.send_to(asio::buffer(refused.reply), from, 0, ec);
    return;
  }
  std::shared_ptr<const Records> records = m_shared->records.load();
  Decision d = answer_query(*records, client, packet, Transport::Udp);
  switch (d.kind) {
    case Decision::Kind::Drop:
      return;
    case Decision::Kind::Reply:
      l->udp.send_to(asio::buffer(d.reply), from, 0, ec);  // non-blocking: a full buffer drops it
      return;
    case Decision::Kind::Forward:
      break;
  }
  Forwarder* forwarder = m_forwarders.for_client(*records, client);
  if (!forwarder) {
    l->udp.send_to(asio::buffer(servfail(d)), from, 0, ec);
    return;
  }
  forwarder->forward(packet, [l, from, d = std::move(d)](std::span<const uint8_t> response) {
    if (l->closed) return;
    std::vector<uint8_t> out = response.empty() ? servfail(d) : finish_forwarded(d, response);
    boost::system::error_code send_ec;
    l->udp.send_to(asio::buffer(out), from, 0, send_ec);
  });
}

void Server::accept_tcp(const std::shared_ptr<Listener>& l) {
  l->tcp.async_accept([this, l](const boost::system::error_code& ec, tcp::socket socket) {
    if (l->closed) return;
    if (!ec) {
      admit(std::move(socket));
    } else {
      // Out of descriptors or memory: accepting again at once would spin; back off briefly.
      spdlog::warn("accept on {}: {}", l->address.to_string(), ec.message());
      l->retry.expires_after(std::chrono::milliseconds(100));
      l->retry.async_wait([this, l](const boost::system::error_code& wait_ec) {
        if (!wait_ec && !l->closed) accept_tcp(l);
      });
      return;
    }
    accept_tcp(l);
  });
}

void Server::admit(tcp::socket socket) {
  boost::system::error_code ec;
  tcp::endpoint peer = socket.remote_endpoint(ec);
  if (ec) return;  // reset before we got to it; the socket closes on return
  const IpAddress client = to_ip(peer.address());
  std::vector<std::shared_ptr<Connection>> connections;
  std::vector<TcpPeer> peers;
  for (auto& [ptr, weak] : m_shared->live)
    if (auto c = weak.lock()) {
      peers.push_back(c->peer());
      connections.push_back(std::move(c));
    }
  TcpAdmission verdict = admit_tcp(client, is_client(client), peers, m_shared->caps);
  if (verdict.evict) connections[*verdict.evict]->close();
  if (verdict.kind != TcpAdmission::Kind::Accept) {
    note_refused(verdict.kind == TcpAdmission::Kind::NotClient ? "tcp connection (not a client)"
                                                               : "tcp connection (at the connection limit)",
                 client);
    // Reset, not FIN: nothing was said on it, and a reset leaves no TIME_WAIT behind on our side.
    socket.set_option(asio::socket_base::linger(true, 0), ec);
    socket.close(ec);
    return;
  }
  std::make_shared<Connection>(std::move(socket), client, m_shared)->start();
}

bool Server::is_client(const IpAddress& client) {
  if (records()->is_client(client)) return true;
  // The engine writes a container's records before starting it and then signals us; a query
  // that overtakes the signal must not be refused. A replaced file is loaded now.
  auto now = file_stamp(m_options.records_path);
  if (!now || now == m_loaded) return false;
  reload();
  return records()->is_client(client);
}

void Server::note_refused(const char* what, const IpAddress& from) {
  ++m_refused;
  auto now = std::chrono::steady_clock::now();
  if (m_refused_logged != std::chrono::steady_clock::time_point{} && now - m_refused_logged < std::chrono::seconds(10))
    return;
  spdlog::warn("refused {} from {} ({} refusal(s) since the last such message)", what, from.to_string(), m_refused);
  m_refused = 0;
  m_refused_logged = now;
}

}  // namespace berth::dns
