#pragma once
// The service dependency graph: who must start before whom. Edges come from depends_on,
// links, volumes_from and the `service:x` forms of network_mode, ipc and pid. Pure: no I/O.
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace berth::plan {

class Graph {
 public:
  /// Builds the graph of a resolved model (long syntax). References to services that are not
  /// in the model are kept out of the graph (the semantic checks report them).
  static Graph from_model(const nlohmann::json& model);

  void add_service(const std::string& name) { m_deps[name]; }
  void add_dependency(const std::string& from, const std::string& to) {
    m_deps[from].insert(to);
    m_deps[to];
  }

  const std::set<std::string>& dependencies(const std::string& name) const { return m_deps.at(name); }
  std::vector<std::string> services() const;

  /// A dependency cycle as a path whose last element repeats the first (web -> api -> web).
  std::optional<std::vector<std::string>> find_cycle() const;

  /// Start order: level 0 has no dependencies; each later level depends only on earlier ones.
  /// Services within a level start in parallel. Throws std::logic_error on a cycle.
  std::vector<std::vector<std::string>> start_levels() const;
  /// Stop order: start_levels() reversed (dependants stop before what they depend on).
  std::vector<std::vector<std::string>> stop_levels() const;

  /// `names` plus everything they depend on, transitively.
  std::set<std::string> with_dependencies(const std::vector<std::string>& names) const;

 private:
  std::map<std::string, std::set<std::string>> m_deps;
};

/// "a -> b -> a"
std::string format_cycle(const std::vector<std::string>& cycle);

/// The service a "service:x" reference names, if it is one.
std::optional<std::string> service_reference(const nlohmann::json& value);

}  // namespace berth::plan
