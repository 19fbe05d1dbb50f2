#pragma once
// The upstream channels of one berth-dns: the default Forwarder (the host's resolvers, or
// --upstream) plus one Forwarder per distinct upstream set that containers bring in the records
// file (a service's `dns:`). Docker's embedded resolver does the same per container ("ExtServers").
//
// - sync(records) runs at start and after every reload that produced a new table: it makes a
//   channel for each set it has none for yet and drops the channels no container uses any more.
//   Queries still outstanding on a dropped channel fail (their clients get SERVFAIL): the
//   container changed its servers or went away.
// - for_client() picks the channel for a query; a client with its own set never falls back to
//   the default servers (the user asked that its names not go there), so when its channel could
//   not be made the answer is SERVFAIL (nullptr here).
// Everything runs on the server's io_context thread; nothing here locks.
#include <boost/asio/io_context.hpp>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "dns/forwarder.hpp"
#include "dns/records.hpp"

namespace berth::dns {

class ForwarderPool {
 public:
  /// `defaults.servers` are the default upstreams; its timeouts and limits apply to every
  /// channel. Throws std::runtime_error when the default channel cannot be made.
  ForwarderPool(boost::asio::io_context& io, ForwarderOptions defaults);
  ForwarderPool(const ForwarderPool&) = delete;
  ForwarderPool& operator=(const ForwarderPool&) = delete;

  /// Makes and drops channels so that there is exactly one per upstream set of `records`.
  /// Failures are logged; returns false when a channel could not be made.
  bool sync(const Records& records);
  /// The channel for queries of `client` under `records` (which sync() has seen); nullptr when
  /// the client's own channel is missing.
  Forwarder* for_client(const Records& records, const IpAddress& client);

  Forwarder& default_forwarder() { return *m_default; }
  /// The upstream sets that have their own channel now, sorted.
  std::vector<Records::UpstreamSet> channels() const;

 private:
  boost::asio::io_context& m_io;
  ForwarderOptions m_options;
  std::unique_ptr<Forwarder> m_default;
  std::map<Records::UpstreamSet, std::unique_ptr<Forwarder>> m_own;
};

}  // namespace berth::dns
