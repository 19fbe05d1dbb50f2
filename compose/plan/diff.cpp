// Desired vs observed → actions. See diff.hpp for the rules; the code follows them in order:
// per selected service (dependencies first) match containers by number, recreating those that
// changed or whose namespace owner was replaced, then dependency restarts, then orphans.
#include "compose/plan/diff.hpp"

#include <algorithm>
#include <functional>

namespace berth::plan {

std::string container_name(const std::string& project, const DesiredService& service, int number,
                           const std::string& separator) {
  if (!service.container_name.empty()) return service.container_name;
  return project + separator + service.name + separator + std::to_string(number);
}

std::set<std::string> selected_services(const DesiredState& desired, const UpOptions& opts) {
  std::set<std::string> out;
  if (opts.services.empty()) {
    for (const auto& [name, s] : desired.services) out.insert(name);
    return out;
  }
  std::function<void(const std::string&)> add = [&](const std::string& name) {
    auto it = desired.services.find(name);
    if (it == desired.services.end() || !out.insert(name).second) return;
    if (opts.no_deps) return;
    for (const auto& [dep, d] : it->second.dependencies) add(dep);
  };
  for (const auto& s : opts.services) add(s);
  return out;
}

namespace {

Action step(ActionKind kind, const ObservedContainer& c, const std::string& reason) {
  return Action{kind, c.service, c.name, c.id, c.number, reason};
}

ContainerSteps remove_steps(const ObservedContainer& c, const std::string& reason) {
  ContainerSteps steps{c.name, c.number, {}};
  if (c.status == "running" || c.status == "paused" || c.status == "restarting")
    steps.steps.push_back(step(ActionKind::StopContainer, c, reason));
  steps.steps.push_back(step(ActionKind::RemoveContainer, c, reason));
  return steps;
}

bool is_running(const ObservedContainer& c) {
  return c.status == "running" || c.status == "paused" || c.status == "restarting";
}

/// Why a container must be recreated although its own config is unchanged ("" = it need not).
using FollowReason = std::function<std::string(const ObservedContainer&)>;

/// What planning one service did to its existing containers.
struct Outcome {
  bool recreated = false;  ///< one got a new id
  bool renewed = false;    ///< its namespaces are new: recreated, or none was left and some are created
};

/// The plan of one service.
ServicePlan plan_service(const DesiredState& desired, const DesiredService& svc,
                         std::vector<const ObservedContainer*> mine, const UpOptions& opts, const FollowReason& follow,
                         Outcome& outcome) {
  ServicePlan plan{svc.name, {}};
  std::sort(mine.begin(), mine.end(), [](auto* a, auto* b) { return a->number < b->number; });
  std::set<int> kept_numbers;
  int kept = 0;
  bool kept_old = false;  // a container of it stays as it is (its namespaces with it)
  for (const ObservedContainer* c : mine) {
    if (kept >= svc.replicas || kept_numbers.count(c->number)) {
      plan.containers.push_back(remove_steps(*c, "scale"));
      continue;
    }
    ++kept;
    kept_numbers.insert(c->number);
    // A "dead" container (half-created by a killed berth, or its shim gone) is replaced.
    const bool changed = c->config_hash != svc.config_hash || c->status == "dead";
    // --force-recreate applies to the services named (all when none), --always-recreate-deps to
    // the dependencies `up` brings along, as docker compose's Recreate / RecreateDependencies.
    const bool named =
        opts.services.empty() || std::find(opts.services.begin(), opts.services.end(), svc.name) != opts.services.end();
    const bool force = named ? opts.force_recreate : opts.always_recreate_deps;
    const std::string reason = changed ? "config changed" : force ? "force" : follow(*c);
    if (!reason.empty() && !opts.no_recreate) {
      ContainerSteps s = remove_steps(*c, reason);
      std::string name = container_name(desired.project, svc, c->number, desired.separator);
      s.steps.push_back(Action{ActionKind::CreateContainer, svc.name, name, c->id, c->number, reason});
      if (!opts.no_start) s.steps.push_back(Action{ActionKind::StartContainer, svc.name, name, "", c->number, reason});
      s.name = name;
      plan.containers.push_back(std::move(s));
      outcome.recreated = outcome.renewed = true;
      continue;
    }
    kept_old = true;
    if (!is_running(*c) && !opts.no_start)
      plan.containers.push_back(ContainerSteps{c->name, c->number, {step(ActionKind::StartContainer, *c, "stopped")}});
  }
  for (int number = 1; kept < svc.replicas; ++number) {
    if (kept_numbers.count(number)) continue;
    std::string name = container_name(desired.project, svc, number, desired.separator);
    ContainerSteps s{name, number, {Action{ActionKind::CreateContainer, svc.name, name, "", number, "missing"}}};
    if (!opts.no_start) s.steps.push_back(Action{ActionKind::StartContainer, svc.name, name, "", number, "missing"});
    plan.containers.push_back(std::move(s));
    kept_numbers.insert(number);
    ++kept;
    outcome.renewed = outcome.renewed || !kept_old;
  }
  return plan;
}

/// The netns paths of `mine` that outlive `plan` (containers it neither removes nor replaces).
std::set<std::string> surviving_netns(const std::vector<const ObservedContainer*>& mine, const ServicePlan* plan) {
  std::set<std::string> gone;
  if (plan)
    for (const auto& c : plan->containers)
      for (const auto& a : c.steps)
        if (a.kind == ActionKind::RemoveContainer) gone.insert(a.container_id);
  std::set<std::string> out;
  for (const ObservedContainer* c : mine)
    if (!c->netns.empty() && !gone.count(c->id)) out.insert(c->netns);
  return out;
}

/// Services in dependency order (dependencies first), so restarts propagate down chains.
std::vector<std::string> dependency_order(const DesiredState& desired) {
  std::vector<std::string> order;
  std::set<std::string> seen;
  std::function<void(const std::string&)> visit = [&](const std::string& name) {
    if (!seen.insert(name).second) return;
    auto it = desired.services.find(name);
    if (it == desired.services.end()) return;
    for (const auto& [dep, d] : it->second.dependencies) visit(dep);
    order.push_back(name);
  };
  for (const auto& [name, s] : desired.services) visit(name);
  return order;
}

}  // namespace

Plan plan_up(const DesiredState& desired, const std::vector<ObservedContainer>& in_observed,
             const std::set<std::string>& existing_networks, const std::set<std::string>& existing_volumes,
             const UpOptions& opts, const std::map<std::string, std::string>& network_hashes) {
  Plan plan;
  std::vector<ObservedContainer> observed = in_observed;
  std::set<std::string> diverged;  // networks recreated: their services' containers follow
  for (const auto& n : desired.networks) {
    if (!existing_networks.count(n)) {
      plan.prepare.push_back(Action{ActionKind::CreateNetwork, "", n, "", 0, "missing"});
      continue;
    }
    auto had = network_hashes.find(n);
    auto want = desired.network_hashes.find(n);
    if (had == network_hashes.end() || had->second.empty() || want == desired.network_hashes.end() ||
        had->second == want->second)
      continue;
    diverged.insert(n);
    for (auto& c : observed) {
      auto svc = desired.services.find(c.service);
      if (c.oneoff || svc == desired.services.end() || !svc->second.networks.count(n) || !is_running(c)) continue;
      plan.prepare.push_back(step(ActionKind::StopContainer, c, "network config changed"));
      c.status = "exited";
    }
    plan.prepare.push_back(Action{ActionKind::RemoveNetwork, "", n, "", 0, "config changed"});
    plan.prepare.push_back(Action{ActionKind::CreateNetwork, "", n, "", 0, "config changed"});
  }
  for (const auto& v : desired.volumes)
    if (!existing_volumes.count(v)) plan.prepare.push_back(Action{ActionKind::CreateVolume, "", v, "", 0, "missing"});

  const std::set<std::string> selected = selected_services(desired, opts);
  auto containers_of = [&](const std::string& service) {
    std::vector<const ObservedContainer*> mine;
    for (const auto& c : observed)
      if (c.service == service && !c.oneoff) mine.push_back(&c);
    return mine;
  };
  std::set<std::string> recreated;  // recreated or restarted: `restart: true` dependants restart
  std::set<std::string> renewed;    // got new namespaces: services joining them follow
  for (const std::string& name : dependency_order(desired)) {
    if (!selected.count(name)) continue;
    const DesiredService& svc = desired.services.at(name);
    const std::vector<const ObservedContainer*> mine = containers_of(name);
    // A container living in the namespaces of a container that is (or was) replaced follows it.
    const FollowReason follow = [&](const ObservedContainer& c) -> std::string {
      for (const auto& n : diverged)
        if (svc.networks.count(n)) return "network config changed";
      for (const auto& [dep, d] : svc.dependencies) {
        if (d.namespaces.empty()) continue;
        if (renewed.count(dep)) return "namespace owner recreated";
        if (!d.namespaces.count("network") || c.netns.empty()) continue;
        auto owner = plan.services.find(dep);  // not planned (not selected): all its containers stay
        const ServicePlan* owner_plan = owner == plan.services.end() ? nullptr : &owner->second;
        std::set<std::string> alive = surviving_netns(containers_of(dep), owner_plan);
        if (!alive.empty() && !alive.count(c.netns)) return "namespace owner recreated";
      }
      return "";
    };
    Outcome outcome;
    ServicePlan sp = plan_service(desired, svc, mine, opts, follow, outcome);
    if (outcome.recreated) recreated.insert(name);
    if (outcome.renewed) renewed.insert(name);
    // A dependency with `restart: true` got new containers: restart the ones left running.
    bool restart = false;
    for (const auto& [dep, d] : svc.dependencies) restart |= d.restart && recreated.count(dep);
    if (restart && !opts.no_start) {
      std::set<std::string> planned;
      for (const auto& c : sp.containers) planned.insert(c.name);
      for (const ObservedContainer* c : mine)
        if (is_running(*c) && !planned.count(c->name))
          sp.containers.push_back(
              ContainerSteps{c->name, c->number, {step(ActionKind::RestartContainer, *c, "dependency")}});
      recreated.insert(name);  // its own dependants with restart: true follow
    }
    plan.services[name] = std::move(sp);
  }

  for (const auto& c : observed) {
    if (c.oneoff || desired.services.count(c.service)) continue;
    if (opts.remove_orphans)
      plan.orphans.push_back(remove_steps(c, "orphan"));
    else
      plan.orphan_warnings.push_back(c.name);
  }
  return plan;
}

Plan plan_down(const DesiredState& desired, const std::vector<ObservedContainer>& observed, bool remove_orphans,
               const std::vector<std::string>& networks, const std::vector<std::string>& volumes) {
  Plan plan;
  plan.reverse = true;
  for (const auto& [name, s] : desired.services) plan.services[name].service = name;
  for (const auto& c : observed) {
    if (desired.services.count(c.service))
      plan.services[c.service].containers.push_back(remove_steps(c, "down"));
    else if (remove_orphans)
      plan.orphans.push_back(remove_steps(c, "orphan"));
    else if (!c.oneoff)
      plan.orphan_warnings.push_back(c.name);
  }
  for (const auto& n : networks) plan.cleanup.push_back(Action{ActionKind::RemoveNetwork, "", n, "", 0, "down"});
  for (const auto& v : volumes) plan.cleanup.push_back(Action{ActionKind::RemoveVolume, "", v, "", 0, "down"});
  return plan;
}

}  // namespace berth::plan
