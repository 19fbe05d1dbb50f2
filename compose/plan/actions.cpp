// Printing of plans: what `--dry-run` shows. A recreate is four steps in the plan (stop,
// remove, create, start) but one line for the user, as docker compose prints it.
#include "compose/plan/actions.hpp"

namespace berth::plan {

bool Plan::empty() const {
  if (!prepare.empty() || !orphans.empty() || !cleanup.empty()) return false;
  for (const auto& [name, s] : services)
    if (!s.empty()) return false;
  return true;
}

std::vector<Action> Plan::all() const {
  std::vector<Action> out(prepare);
  for (const auto& [name, s] : services)
    for (const auto& c : s.containers) out.insert(out.end(), c.steps.begin(), c.steps.end());
  for (const auto& c : orphans) out.insert(out.end(), c.steps.begin(), c.steps.end());
  out.insert(out.end(), cleanup.begin(), cleanup.end());
  return out;
}

const char* kind_name(ActionKind kind) {
  switch (kind) {
    case ActionKind::CreateNetwork:
      return "create network";
    case ActionKind::CreateVolume:
      return "create volume";
    case ActionKind::CreateContainer:
      return "create";
    case ActionKind::StartContainer:
      return "start";
    case ActionKind::StopContainer:
      return "stop";
    case ActionKind::RemoveContainer:
      return "remove";
    case ActionKind::RestartContainer:
      return "restart";
    case ActionKind::RemoveNetwork:
      return "remove network";
    case ActionKind::RemoveVolume:
      return "remove volume";
  }
  return "?";
}

namespace {

bool has(const ContainerSteps& c, ActionKind k) {
  for (const auto& a : c.steps)
    if (a.kind == k) return true;
  return false;
}

std::string container_line(const ContainerSteps& c) {
  std::string verb;
  if (has(c, ActionKind::CreateContainer) && has(c, ActionKind::RemoveContainer))
    verb = "Recreate";
  else if (has(c, ActionKind::CreateContainer))
    verb = has(c, ActionKind::StartContainer) ? "Create, Start" : "Create";
  else if (has(c, ActionKind::RemoveContainer))
    verb = has(c, ActionKind::StopContainer) ? "Stop, Remove" : "Remove";
  else if (has(c, ActionKind::RestartContainer))
    verb = "Restart";
  else if (has(c, ActionKind::StopContainer))
    verb = "Stop";
  else if (has(c, ActionKind::StartContainer))
    verb = "Start";
  return "Container " + c.name + " " + verb;
}

}  // namespace

std::vector<std::string> describe(const Plan& plan) {
  std::vector<std::string> out;
  for (const auto& a : plan.prepare) {
    if (a.kind == ActionKind::StopContainer)
      out.push_back("Container " + a.name + " Stop");
    else if (a.kind == ActionKind::RemoveNetwork)
      out.push_back("Network " + a.name + " Remove");
    else
      out.push_back((a.kind == ActionKind::CreateNetwork ? "Network " : "Volume ") + a.name + " Create");
  }
  for (const auto& [name, s] : plan.services)
    for (const auto& c : s.containers)
      if (!c.steps.empty()) out.push_back(container_line(c));
  for (const auto& c : plan.orphans) out.push_back(container_line(c));
  for (const auto& a : plan.cleanup)
    out.push_back((a.kind == ActionKind::RemoveNetwork ? "Network " : "Volume ") + a.name + " Remove");
  return out;
}

void print_dry_run(std::ostream& out, const Plan& plan) {
  // As docker compose's plain writer prints an event under --dry-run: Fprintln(prefix, ID, Text,
  // StatusText) with the prefix "DRY-RUN MODE - ".
  for (const auto& line : describe(plan)) out << "DRY-RUN MODE -  " << line << " \n";
}

}  // namespace berth::plan
