#pragma once
// Who must start before whom, worked out once from the typed model and used by the loader's
// checks (cycles), the planner (desired state, recreate-with-dependency), the engine's executor
// (start gates) and `config SERVICE...` (what a service pulls in). Edges come from depends_on
// (with its condition), links, volumes_from and the `service:x` forms of network_mode, ipc and
// pid; an edge to a service the project does not have is left out (the checks report it).
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace berth::model {

struct Project;

/// One dependency edge of a service.
struct Dependency {
  std::string condition = "service_started";  ///< or service_healthy, service_completed_successfully
  bool restart = false;
  bool required = true;
  /// The dependency's namespaces this service's containers join ("network", "ipc", "pid" from
  /// `network_mode`/`ipc`/`pid: service:<dep>`); non-empty = recreated when the dependency is.
  std::set<std::string> namespaces{};
};

/// Every service of a project (each has an entry, maybe empty) → the services it depends on.
using DependencyMap = std::map<std::string, std::map<std::string, Dependency>>;

/// The edges of `project`. depends_on gives the condition, restart and required it declares;
/// links, volumes_from and `service:` references count as service_started.
DependencyMap dependency_map(const Project& project);

/// A dependency cycle as a path whose last element repeats the first (web -> api -> web).
std::optional<std::vector<std::string>> find_cycle(const DependencyMap& deps);

/// "a -> b -> a"
std::string format_cycle(const std::vector<std::string>& cycle);

/// `names` plus everything they depend on, transitively.
std::set<std::string> with_dependencies(const DependencyMap& deps, const std::vector<std::string>& names);

/// The service a "service:x" reference (network_mode, ipc, pid) names, if it is one.
std::optional<std::string> service_reference(std::string_view value);

}  // namespace berth::model
