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
/// container's compose `dns` servers (IP addresses only) as its `upstreams`. Names that are not
/// DNS names (a label over 63 characters, as a long one-off name makes) are left out, and added
/// to `*skipped` when given: berth-dns refuses a records file with one, which would leave the
/// whole project without names.
nlohmann::json dns_records(const state::ProjectState& state, std::vector<std::string>* skipped = nullptr);

/// Writes dns.json and makes berth-dns serve it; stops berth-dns when no container has an
/// address. Returns the names left out (see dns_records). Throws std::runtime_error with
/// berth-dns's own error when it cannot start.
std::vector<std::string> sync_dns(const state::Paths& paths, const state::ProjectState& state);

/// The project wants its berth-dns (the records file exists) and none runs: killed, and not
/// yet started again by a shim (they do within a second), or it could not start.
bool dns_down(const state::Paths& paths, const std::string& project);

/// Stops the project's berth-dns (if running) and removes its run dir. Idempotent.
void stop_dns(const state::Paths& paths, const std::string& project);

}  // namespace berth::runtime
