// A depth-first search with colours finds a cycle and the path around it, so the error can
// print the whole loop.
#include "compose/model/dependencies.hpp"

#include <algorithm>
#include <functional>

#include "compose/model/project.hpp"

namespace berth::model {

std::optional<std::string> service_reference(std::string_view value) {
  if (!value.starts_with("service:")) return std::nullopt;
  return std::string(value.substr(8));
}

DependencyMap dependency_map(const Project& project) {
  DependencyMap deps;
  for (const auto& [name, svc] : project.services) {
    auto& mine = deps[name];
    auto add = [&](const std::string& dep) {
      if (project.services.count(dep)) mine.try_emplace(dep);
    };
    for (const auto& l : svc.links) add(l.substr(0, l.find(':')));
    for (const auto& v : svc.volumes_from)
      if (!v.starts_with("container:")) add(v.substr(0, v.find(':')));
    for (const auto& [dep, d] : svc.depends_on) {
      if (!project.services.count(dep)) continue;
      mine[dep] = Dependency{d.condition.empty() ? "service_started" : d.condition, d.restart, d.required};
    }
    // Joining x's namespaces makes the planner recreate this service whenever x's containers
    // are replaced (docker compose resolves `service:x` to x's container id, so its config
    // hash changes with it).
    for (const auto& [kind, mode] : {std::pair{"network", &svc.network_mode}, {"ipc", &svc.ipc}, {"pid", &svc.pid}}) {
      auto owner = service_reference(*mode);
      if (!owner || !project.services.count(*owner)) continue;
      auto& edge = mine[*owner];
      if (*owner != name) edge.namespaces.insert(kind);
    }
  }
  return deps;
}

std::optional<std::vector<std::string>> find_cycle(const DependencyMap& deps) {
  enum class Colour { White, Grey, Black };
  std::map<std::string, Colour> colour;
  std::vector<std::string> path;
  std::optional<std::vector<std::string>> found;

  std::function<bool(const std::string&)> visit = [&](const std::string& n) {
    colour[n] = Colour::Grey;
    path.push_back(n);
    if (auto it = deps.find(n); it != deps.end())
      for (const auto& [d, edge] : it->second) {
        if (colour[d] == Colour::Grey) {
          auto start = std::find(path.begin(), path.end(), d);
          found = std::vector<std::string>(start, path.end());
          found->push_back(d);
          return true;
        }
        if (colour[d] == Colour::White && visit(d)) return true;
      }
    path.pop_back();
    colour[n] = Colour::Black;
    return false;
  };
  for (const auto& [name, edges] : deps)
    if (colour[name] == Colour::White && visit(name)) return found;
  return std::nullopt;
}

std::string format_cycle(const std::vector<std::string>& cycle) {
  std::string out;
  for (const auto& n : cycle) out += (out.empty() ? "" : " -> ") + n;
  return out;
}

std::set<std::string> with_dependencies(const DependencyMap& deps, const std::vector<std::string>& names) {
  std::set<std::string> out;
  std::vector<std::string> todo(names.begin(), names.end());
  while (!todo.empty()) {
    std::string n = todo.back();
    todo.pop_back();
    if (!out.insert(n).second) continue;
    if (auto it = deps.find(n); it != deps.end())
      for (const auto& [d, edge] : it->second) todo.push_back(d);
  }
  return out;
}

}  // namespace berth::model
