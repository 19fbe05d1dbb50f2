#pragma once
// The engine's side of berth-dns (docs/CONTRACTS.md, "DNS records file"): one berth-dns per
// project, fed by <run>/projects/<project>/dns.json. After containers got addresses the engine
// rewrites the records (atomically) and starts berth-dns or sends the running one SIGHUP;
// `down` stops it (SIGTERM to the pid in dns.pid, only if that process is berth-dns).
#include <string>

#include "compose/state/paths.hpp"
#include "compose/state/state_store.hpp"

namespace berth::runtime {

/// True when a berth-dns binary can be found (containers then get it as their nameserver).
bool dns_available();

/// The records file for `state`: every network with a gateway, every container endpoint, and a
/// container's compose `dns` servers (IP addresses only) as its `upstreams`.
nlohmann::json dns_records(const state::ProjectState& state);

/// Writes dns.json and makes berth-dns serve it; stops berth-dns when no container has an
/// address. Throws std::runtime_error with berth-dns's own error when it cannot start.
void sync_dns(const state::Paths& paths, const state::ProjectState& state);

/// Stops the project's berth-dns (if running) and removes its run dir. Idempotent.
void stop_dns(const state::Paths& paths, const std::string& project);

}  // namespace berth::runtime
