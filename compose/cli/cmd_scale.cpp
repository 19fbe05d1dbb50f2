// `berth scale SERVICE=REPLICAS...` (docker compose scale): the services (and, without --no-deps,
// their dependencies) converged as `up -d` would, with the new replica counts.
#include <iostream>
#include <map>
#include <memory>

#include "compose/cli/commands.hpp"
#include "compose/plan/actions.hpp"

namespace berth::cli {

namespace {

/// docker compose's parseServicesReplicasArgs, with its messages.
std::map<std::string, int> parse_replicas(const std::vector<std::string>& args) {
  std::map<std::string, int> out;
  for (const auto& arg : args) {
    const auto eq = arg.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == arg.size())
      throw std::runtime_error("invalid scale specifier: " + arg);
    try {
      std::size_t used = 0;
      const int n = std::stoi(arg.substr(eq + 1), &used);
      if (used != arg.size() - eq - 1) throw std::invalid_argument(arg);
      if (n < 0) throw std::runtime_error("invalid scale specifier: " + arg + ": a replica count cannot be negative");
      out[arg.substr(0, eq)] = n;
    } catch (const std::logic_error&) {
      throw std::runtime_error("invalid scale specifier: can't parse replica value as int: " + arg);
    }
  }
  return out;
}

}  // namespace

void register_scale(CLI::App& app, const GlobalOptions& g, CommandResult&) {
  auto args = std::make_shared<std::vector<std::string>>();
  auto no_deps = std::make_shared<bool>(false);
  auto* cmd = app.add_subcommand("scale", "Scale services");
  cmd->add_flag("--no-deps", *no_deps, "Don't start linked services");
  cmd->add_option("SERVICE=REPLICAS", *args, "Services and their replica counts")->required();
  cmd->callback([&g, args, no_deps] {
    const std::map<std::string, int> replicas = parse_replicas(*args);
    std::vector<std::string> services;
    for (const auto& [name, n] : replicas) services.push_back(name);  // sorted, as docker compose sorts them
    auto options = session_options(g, services, true, true);
    options.scale.insert(replicas.begin(), replicas.end());
    options.pull = pull_options(g, "policy", false);
    options.pull_dependencies = !*no_deps;
    options.build = build_options(g, false, false, false);
    engine::Session session = engine::open_session(options);
    engine::Engine& eng = *session.engine;
    eng.lock();
    plan::Plan plan = eng.plan_up(plan::UpOptions{services, *no_deps, false, false, false, false});
    if (g.dry_run) {
      plan::print_dry_run(std::cerr, plan);
      return;
    }
    eng.check_ports(plan);
    engine::ExecutorOptions exec;
    exec.wait_conditions = true;
    eng.execute(plan, exec);
    eng.sync_dns();
  });
}

}  // namespace berth::cli
