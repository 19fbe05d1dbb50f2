// Kahn's algorithm gives the levels; a depth-first search with colours finds a cycle and the
// path around it, so the error can print the whole loop.
#include "compose/plan/graph.hpp"

#include <algorithm>
#include <functional>
#include <stdexcept>

namespace berth::plan {

using Json = nlohmann::json;

std::optional<std::string> service_reference(const Json& value) {
  if (!value.is_string()) return std::nullopt;
  const auto& s = value.get_ref<const std::string&>();
  if (s.rfind("service:", 0) != 0) return std::nullopt;
  return s.substr(8);
}

Graph Graph::from_model(const Json& model) {
  Graph g;
  if (!model.contains("services") || !model["services"].is_object()) return g;
  const Json& services = model["services"];
  auto add = [&](const std::string& from, const std::string& to) {
    if (services.contains(to)) g.add_dependency(from, to);
  };
  for (const auto& [name, svc] : services.items()) {
    g.add_service(name);
    if (!svc.is_object()) continue;
    if (svc.contains("depends_on") && svc["depends_on"].is_object())
      for (const auto& [dep, cond] : svc["depends_on"].items()) add(name, dep);
    if (svc.contains("depends_on") && svc["depends_on"].is_array())
      for (const auto& dep : svc["depends_on"])
        if (dep.is_string()) add(name, dep.get<std::string>());
    if (svc.contains("links") && svc["links"].is_array())
      for (const auto& l : svc["links"])
        if (l.is_string()) add(name, l.get<std::string>().substr(0, l.get<std::string>().find(':')));
    if (svc.contains("volumes_from") && svc["volumes_from"].is_array())
      for (const auto& v : svc["volumes_from"]) {
        if (!v.is_string()) continue;
        const auto& s = v.get_ref<const std::string&>();
        if (s.rfind("container:", 0) == 0) continue;
        add(name, s.substr(0, s.find(':')));
      }
    for (const char* key : {"network_mode", "ipc", "pid"})
      if (svc.contains(key))
        if (auto ref = service_reference(svc[key])) add(name, *ref);
  }
  return g;
}

std::vector<std::string> Graph::services() const {
  std::vector<std::string> out;
  for (const auto& [name, deps] : m_deps) out.push_back(name);
  return out;
}

std::optional<std::vector<std::string>> Graph::find_cycle() const {
  enum class Colour { White, Grey, Black };
  std::map<std::string, Colour> colour;
  std::vector<std::string> path;
  std::optional<std::vector<std::string>> found;

  std::function<bool(const std::string&)> visit = [&](const std::string& n) {
    colour[n] = Colour::Grey;
    path.push_back(n);
    for (const auto& d : m_deps.at(n)) {
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
  for (const auto& [name, deps] : m_deps)
    if (colour[name] == Colour::White && visit(name)) return found;
  return std::nullopt;
}

std::vector<std::vector<std::string>> Graph::start_levels() const {
  std::map<std::string, size_t> pending;
  std::map<std::string, std::vector<std::string>> dependants;
  for (const auto& [name, deps] : m_deps) {
    pending[name] = deps.size();
    for (const auto& d : deps) dependants[d].push_back(name);
  }
  std::vector<std::vector<std::string>> levels;
  std::vector<std::string> ready;
  for (const auto& [name, n] : pending)
    if (n == 0) ready.push_back(name);
  size_t placed = 0;
  while (!ready.empty()) {
    std::sort(ready.begin(), ready.end());
    placed += ready.size();
    std::vector<std::string> next;
    for (const auto& n : ready)
      for (const auto& dep : dependants[n])
        if (--pending[dep] == 0) next.push_back(dep);
    levels.push_back(std::move(ready));
    ready = std::move(next);
  }
  if (placed != m_deps.size()) {
    auto cycle = find_cycle();
    throw std::logic_error("dependency cycle: " + (cycle ? format_cycle(*cycle) : std::string("?")));
  }
  return levels;
}

std::vector<std::vector<std::string>> Graph::stop_levels() const {
  auto levels = start_levels();
  std::reverse(levels.begin(), levels.end());
  return levels;
}

std::set<std::string> Graph::with_dependencies(const std::vector<std::string>& names) const {
  std::set<std::string> out;
  std::vector<std::string> todo(names.begin(), names.end());
  while (!todo.empty()) {
    std::string n = todo.back();
    todo.pop_back();
    if (!out.insert(n).second) continue;
    if (auto it = m_deps.find(n); it != m_deps.end()) todo.insert(todo.end(), it->second.begin(), it->second.end());
  }
  return out;
}

std::string format_cycle(const std::vector<std::string>& cycle) {
  std::string out;
  for (const auto& n : cycle) out += (out.empty() ? "" : " -> ") + n;
  return out;
}

}  // namespace berth::plan
