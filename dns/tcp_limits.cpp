// The TCP admission rules of tcp_limits.hpp: one pass over the live connections (at most
// kTcpTotal of them) per accepted connection, no state of its own, so unit tests drive exactly
// what the server decides.
#include "dns/tcp_limits.hpp"

#include <unordered_map>

namespace berth::dns {

TcpAdmission admit_tcp(const IpAddress& client, bool is_client, std::span<const TcpPeer> live, const TcpCaps& caps) {
  TcpAdmission out;
  if (!is_client) {
    out.kind = TcpAdmission::Kind::NotClient;
    return out;
  }
  std::unordered_map<IpAddress, size_t, IpAddressHash> held;
  size_t own = 0;
  std::optional<size_t> own_idle;  // the client's least recently active idle connection
  for (size_t i = 0; i < live.size(); ++i) {
    ++held[live[i].client];
    if (!(live[i].client == client)) continue;
    ++own;
    if (live[i].idle && (!own_idle || live[i].active < live[*own_idle].active)) own_idle = i;
  }
  if (own >= caps.per_client) {
    // Room is made only from the client's own connections: the total does not grow.
    if (own_idle)
      out.evict = own_idle;
    else
      out.kind = TcpAdmission::Kind::Busy;
    return out;
  }
  if (live.size() < caps.total) return out;
  // Full: the address holding the most gives up its least recently active idle connection.
  std::optional<size_t> victim;
  for (size_t i = 0; i < live.size(); ++i) {
    if (!live[i].idle) continue;
    if (!victim) {
      victim = i;
      continue;
    }
    size_t mine = held[live[i].client], theirs = held[live[*victim].client];
    if (mine > theirs || (mine == theirs && live[i].active < live[*victim].active)) victim = i;
  }
  if (victim)
    out.evict = victim;
  else
    out.kind = TcpAdmission::Kind::Busy;
  return out;
}

}  // namespace berth::dns
