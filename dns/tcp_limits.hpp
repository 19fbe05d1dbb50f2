#pragma once
// Who may hold berth-dns's TCP connections (the pure part; server.cpp applies it on accept).
//
// berth-dns listens on its project's gateways, which are host addresses: a container of another
// project (or anything that routes to the bridge) can connect too. Idle connections cost nothing
// to open, so without limits one address could hold every slot and the project's own containers
// could no longer ask over TCP (the answers that did not fit in UDP). The rules:
//
// - Not a client (no container of this project has that address): closed at once. Those
//   addresses see no name of ours anyway (records.hpp); over UDP they get REFUSED.
// - At most kTcpPerClient connections per client address. One more from the same address closes
//   that address's least recently active idle connection, or is refused when all are busy: a
//   container that floods only ever competes with itself.
// - At most kTcpTotal connections in all. A new one when full closes an idle connection of the
//   address holding the most (its least recently active one), or is refused when none is idle.
// - Idle (no query being answered, nothing left to write) connections close after
//   kTcpIdleTimeout, as RFC 7766 §6.2.3 advises ("a few seconds"); a half-read query counts as
//   idle, so a client that stalls mid-message is closed too.
//
// Why these numbers: a stub resolver (glibc, musl) uses one TCP connection per outstanding query
// and closes it after the answer, so an ordinary container needs a few at a time; 16 leaves
// room for a busy one (a pool of threads that each fell back to TCP) and, with idle eviction of
// its own connections, never blocks it. For comparison dnsmasq serves at most 20 TCP
// connections in all (MAX_PROCS) and unbound 10 per thread (incoming-num-tcp) by default.
// 256 in all = 16 addresses at their cap; descriptors stay far below the usual 1024 limit.
#include <chrono>
#include <cstddef>
#include <optional>
#include <span>

#include "dns/records.hpp"

namespace berth::dns {

/// TCP connections one client address may hold at once.
inline constexpr size_t kTcpPerClient = 16;
/// TCP connections berth-dns holds at once, all clients together.
inline constexpr size_t kTcpTotal = 256;
/// How long a TCP connection may stay idle before berth-dns closes it.
inline constexpr std::chrono::milliseconds kTcpIdleTimeout{3000};

/// What the policy needs to know of a live connection.
struct TcpPeer {
  IpAddress client;
  bool idle = true;                              ///< nothing in flight, nothing to write
  std::chrono::steady_clock::time_point active;  ///< last query received or answer sent
};

struct TcpCaps {
  size_t per_client = kTcpPerClient;
  size_t total = kTcpTotal;
};

/// The fate of a newly accepted connection.
struct TcpAdmission {
  enum class Kind {
    Accept,     ///< keep it (after closing `evict`, when set)
    NotClient,  ///< close it: the address is not a client of this server
    Busy,       ///< close it: at a cap and no connection that could make room is idle
  };
  Kind kind = Kind::Accept;
  std::optional<size_t> evict;  ///< index into `live` of the connection to close first
};

/// Decides about a new connection from `client` (`is_client`: it is in the records) given the
/// connections already open.
TcpAdmission admit_tcp(const IpAddress& client, bool is_client, std::span<const TcpPeer> live,
                       const TcpCaps& caps = {});

}  // namespace berth::dns
