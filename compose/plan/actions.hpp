#pragma once
// The actions a plan is made of, and how they print (`--dry-run`, progress, tests). Pure data:
// the engine's executor gives them meaning.
#include <map>
#include <ostream>
#include <string>
#include <vector>

namespace berth::plan {

enum class ActionKind {
  CreateNetwork,
  CreateVolume,
  CreateContainer,  ///< new container (new id) with `number`
  StartContainer,   ///< existing container that is not running
  StopContainer,
  RemoveContainer,
  RestartContainer,  ///< a dependency with `restart: true` was recreated, or `restart` (kRestartCommand)
  RemoveNetwork,
  RemoveVolume,
};

/// One step. Container steps name the container; network/volume steps name the compose key.
struct Action {
  ActionKind kind = ActionKind::CreateContainer;
  std::string service;       ///< "" for network and volume steps
  std::string name;          ///< container name, or network/volume key
  std::string container_id;  ///< the existing container; for CreateContainer the one it replaces ("" = none)
  int number = 0;            ///< container number (CreateContainer keeps the old one on recreate)
  std::string reason;        ///< why: "config changed", "scale", "orphan", "force", "dependency", "restart"

  friend bool operator==(const Action&, const Action&) = default;
};

/// The reason of the RestartContainer steps of the `restart` command (docker compose reports
/// those "Restarting" … "Started"; up's restart of a dependant "Restart" … "Restarted").
inline constexpr const char* kRestartCommand = "restart";

/// The steps of one container, run one after the other.
struct ContainerSteps {
  std::string name;
  int number = 0;
  std::vector<Action> steps;
};

/// What happens to one service's containers; its containers' step lists run in parallel.
struct ServicePlan {
  std::string service;
  std::vector<ContainerSteps> containers;
  bool empty() const { return containers.empty(); }
};

/// An ordered plan. Executed as: `prepare` in order, then the services (each as soon as its
/// dependencies allow; in reverse dependency order when `reverse`), then `orphans`, then
/// `cleanup` in order.
struct Plan {
  std::vector<Action> prepare;                  ///< create networks and volumes (recreate diverged networks)
  std::map<std::string, ServicePlan> services;  ///< every selected service, even without steps
  std::vector<ContainerSteps> orphans;          ///< stop + remove containers of unknown services
  std::vector<std::string> orphan_warnings;     ///< names of orphans left alone (warn)
  std::vector<Action> cleanup;                  ///< remove networks and volumes (down)
  bool reverse = false;                         ///< stop order: dependants first

  /// True when nothing would be done.
  bool empty() const;
  /// Every action, in a stable order (prepare, services by name, orphans, cleanup).
  std::vector<Action> all() const;
};

/// "create", "start", ... as a word.
const char* kind_name(ActionKind kind);

/// One line per action, the way `docker compose --dry-run` names them:
/// "Network appdb_default  Create", "Container appdb-web-1  Recreate".
std::vector<std::string> describe(const Plan& plan);

/// `--dry-run`: the lines of describe() as docker compose prints them, on `out`.
void print_dry_run(std::ostream& out, const Plan& plan);

}  // namespace berth::plan
