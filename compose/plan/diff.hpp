#pragma once
// Convergence, decided: the desired project (services with their config hashes and replica
// counts) against the observed containers → a Plan (actions.hpp). Pure and deterministic, so
// every rule below has a millisecond unit test (tests/unit/plan/diff_test.cpp).
//
// Rules (docker compose v2's):
//  - a container whose config hash matches is left alone: running stays, anything else is
//    started (not with --no-start);
//  - a different hash (or --force-recreate) recreates it: stop, remove, create with the same
//    number (new id), start; --no-recreate keeps it as it is;
//  - missing numbers up to the replica count are created; containers above it are removed,
//    highest numbers first;
//  - a service whose dependency (depends_on with `restart: true`) is recreated is restarted;
//  - a service that joins another's namespaces (`network_mode`, `ipc` or `pid` = `service:x`)
//    is recreated when x's containers are replaced (new ids, so new namespaces): a joiner left
//    running would keep a namespace nobody maintains (no network). So is a joiner whose
//    observed netns is none of x's containers' any more (x replaced by an earlier `up x` or
//    `up --no-deps x`). Transitive; not with --no-recreate; unselected joiners stay as they are;
//  - a network whose config hash (docker compose's com.docker.compose.config-hash of networks)
//    differs from the one it was created with is recreated, as docker compose's
//    removeDivergedNetwork: the containers of services on it are stopped, the network removed
//    and created again (prepare), and the selected ones among them recreated on the new one
//    ("network config changed"). A network recorded without a hash is kept;
//  - containers of services not in the model are orphans: removed with --remove-orphans,
//    otherwise only named in a warning; one-off containers are never touched;
//  - with service arguments only those (and, unless --no-deps, their dependencies) are planned.
#include <map>
#include <set>
#include <string>
#include <vector>

#include "compose/model/dependencies.hpp"
#include "compose/plan/actions.hpp"

namespace berth::plan {

/// What the engine saw of one existing container.
struct ObservedContainer {
  std::string id;
  std::string name;
  std::string service;
  int number = 1;
  bool oneoff = false;
  std::string config_hash;
  std::string status;   ///< created | running | paused | restarting | exited | dead
  std::string netns{};  ///< network namespace path it runs in ("" = host or not known)
};

/// One dependency edge of a service (worked out in compose/model/dependencies).
using Dependency = model::Dependency;

/// What one service should be.
struct DesiredService {
  std::string name;
  std::string config_hash;  ///< model::service_config_hash + image id
  int replicas = 1;
  std::string container_name;  ///< explicit `container_name`, "" = <project>-<service>-<n>
  std::map<std::string, Dependency> dependencies;
  std::set<std::string> networks{};  ///< keys of the networks its containers join
};

/// Dependencies of every service of the model.
using DependencyMap = model::DependencyMap;

/// The project as it should be.
struct DesiredState {
  std::string project;
  std::map<std::string, DesiredService> services;
  std::vector<std::string> networks;                  ///< keys of the project's own (non-external) networks in use
  std::map<std::string, std::string> network_hashes;  ///< key → config hash the network should have
  std::vector<std::string> volumes;                   ///< keys of the project's own (non-external) volumes
  std::string separator = "-";  ///< between project, service and number in names; "_" under --compatibility
};

/// The options of `up`/`create` that change the plan.
struct UpOptions {
  std::vector<std::string> services;  ///< service arguments; empty = all
  bool no_deps = false;
  bool force_recreate = false;
  bool no_recreate = false;
  bool no_start = false;
  bool remove_orphans = false;
  /// --always-recreate-deps: the dependencies of the services named recreate too (as
  /// --force-recreate does the named ones; docker compose's RecreateDependencies "force").
  bool always_recreate_deps = false;
};

/// The name of container `number` of `service`.
std::string container_name(const std::string& project, const DesiredService& service, int number,
                           const std::string& separator = "-");

/// The services `up` works on: the arguments plus (unless no_deps) their transitive
/// dependencies; every service when there are no arguments.
std::set<std::string> selected_services(const DesiredState& desired, const UpOptions& opts);

/// Plans `up`. `existing_networks`/`existing_volumes` are the keys already created;
/// `network_hashes` the config hashes they were created with (key → hash, "" or absent = unknown).
Plan plan_up(const DesiredState& desired, const std::vector<ObservedContainer>& observed,
             const std::set<std::string>& existing_networks, const std::set<std::string>& existing_volumes,
             const UpOptions& opts, const std::map<std::string, std::string>& network_hashes = {});

/// Plans `down`: stop and remove every (non-one-off) container of the project's services, in
/// reverse dependency order, orphans with `remove_orphans` (warned about otherwise), then the
/// `networks` and `volumes` given (the caller decides which: not external; volumes with -v).
Plan plan_down(const DesiredState& desired, const std::vector<ObservedContainer>& observed, bool remove_orphans,
               const std::vector<std::string>& networks, const std::vector<std::string>& volumes);

}  // namespace berth::plan
