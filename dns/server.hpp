#pragma once
// The I/O shell around the records table: UDP and TCP listeners on port 53 of each gateway
// address in the records file (and no other address), one Asio thread.
//
// - UDP: one datagram = one query; answers larger than the client's limit go out with TC.
// - Only clients are served: an address that is no container's in the table (the host, another
//   project's container, a machine routing to the bridge) gets REFUSED over UDP and its TCP
//   connections are closed right after accept. Before refusing, a records file replaced since
//   the last load is loaded (the engine writes a container's records before starting it, and
//   the SIGHUP may not have been handled yet when its first query arrives).
// - TCP (RFC 7766): 2-byte length prefix, any number of queries per connection, answered as they
//   complete (forwarded ones may overtake), closed after an idle timeout; how many connections
//   one client and all of them may hold, and which one gives way, is tcp_limits.hpp.
// - reload(): reads the file again, builds a new table and swaps the shared_ptr; a query holds
//   the table it started with until it is answered. Listeners for gateways that appeared are
//   opened, those for gateways that vanished are closed (their open TCP connections may finish).
//   A file that does not parse leaves everything as it was.
// - Forwarded queries go to the client's channel in the ForwarderPool (its container's own
//   `upstreams`, else the default servers); reload() syncs the pool with the new table.
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "dns/forwarder_pool.hpp"
#include "dns/records.hpp"
#include "dns/tcp_limits.hpp"

namespace berth::dns {

struct ServerOptions {
  std::string records_path;
  uint16_t port = 53;
  std::chrono::milliseconds tcp_idle_timeout = kTcpIdleTimeout;
  size_t max_tcp_connections = kTcpTotal;
  size_t max_tcp_per_client = kTcpPerClient;
};

/// Identity of a file version: the engine replaces the records file by rename, so the inode
/// changes; mtime and size catch an in-place write.
struct FileStamp {
  uint64_t device = 0, inode = 0, size = 0;
  int64_t mtime_ns = 0;
  bool operator==(const FileStamp&) const = default;
};
/// The stamp of `path` now; nullopt when it cannot be stat'ed.
std::optional<FileStamp> file_stamp(const std::string& path);

class Server {
 public:
  Server(boost::asio::io_context& io, ForwarderPool& forwarders, ServerOptions options,
         std::shared_ptr<const Records> records);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  /// Opens the listeners of the initial table and its upstream channels; throws SysError
  /// ("bind udp 10.89.0.1:53: ...").
  void start();
  /// Re-reads options.records_path (see above). False when the file was unusable or a new
  /// listener or upstream channel could not be opened (all logged). Runs on the io thread.
  bool reload();
  /// Closes every listener and TCP connection.
  void stop();

  std::shared_ptr<const Records> records() const;
  /// Addresses with open listeners, sorted by text.
  std::vector<std::string> listening() const;
  size_t tcp_connections() const;

 private:
  struct Listener;
  struct Connection;
  struct Shared;

  /// Opens listeners for new gateways and closes those of vanished ones; with `strict` the first
  /// failure throws, otherwise it is logged and reported by the return value.
  bool sync_listeners(const std::vector<IpAddress>& gateways, bool strict);
  std::shared_ptr<Listener> open_listener(const IpAddress& address);
  void receive_udp(const std::shared_ptr<Listener>& l);
  void handle_udp(const std::shared_ptr<Listener>& l, size_t size);
  void accept_tcp(const std::shared_ptr<Listener>& l);
  /// Keeps or closes a just-accepted connection (tcp_limits.hpp), closing one to make room.
  void admit(boost::asio::ip::tcp::socket socket);
  /// `client` is in the table, after loading a records file replaced since the last load.
  bool is_client(const IpAddress& client);
  /// Rate-limited log line about refused queries and connections.
  void note_refused(const char* what, const IpAddress& from);

  boost::asio::io_context& m_io;
  ForwarderPool& m_forwarders;
  ServerOptions m_options;
  std::map<std::string, std::shared_ptr<Listener>> m_listeners;  // by address text
  std::shared_ptr<Shared> m_shared;                              // records pointer and live TCP connections
  std::optional<FileStamp> m_loaded;                             // the records file last loaded
  size_t m_refused = 0;                                          // refusals since the last log line
  std::chrono::steady_clock::time_point m_refused_logged{};
};

}  // namespace berth::dns
