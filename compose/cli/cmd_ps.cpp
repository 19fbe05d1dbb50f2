// `berth ps`: the project's containers as docker compose v2 lists them (NAME IMAGE COMMAND
// SERVICE CREATED STATUS PORTS; running ones unless -a), or ids (-q), services, JSON lines.
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "compose/cli/commands.hpp"
#include "compose/engine/status_text.hpp"
#include "compose/gocompat/table.hpp"
#include "compose/project/project_context.hpp"

namespace berth::cli {

namespace {

struct PsFlags {
  bool all = false, quiet = false, services_only = false, no_trunc = false, orphans = true;
  std::vector<std::string> status;
  std::string filter, format = "table";
  std::vector<std::string> services;
};

/// docker compose's parseFilter: --filter KEY=VAL, of which only status=... is supported.
void apply_filter(PsFlags& f) {
  if (f.filter.empty()) return;
  const auto eq = f.filter.find('=');
  if (eq == std::string::npos) throw std::runtime_error("arguments to --filter should be in form KEY=VAL");
  const std::string key = f.filter.substr(0, eq);
  if (key == "source") throw std::runtime_error("not implemented");
  if (key != "status") throw std::runtime_error("unknown filter " + key);
  f.status.push_back(f.filter.substr(eq + 1));
}

void run_ps(const GlobalOptions& g, const PsFlags& f) {
  auto session = engine::open_session(session_options(g, f.services, false, false));
  std::vector<std::string> services = f.services;
  // --orphans=false: only the services the compose file declares (docker compose's default is true).
  if (const project::ProjectContext* ctx = session.engine->context(); ctx && services.empty() && !f.orphans)
    for (const auto& [name, svc] : ctx->loaded.model.services) services.push_back(name);
  auto observed = session.engine->observe(services, f.all);
  std::cerr << engine::dns_down_warning(state::Paths::for_root(g.root), session.engine->project());
  if (!f.orphans && services.empty()) observed.clear();  // a project without services has no non-orphans
  std::erase_if(observed, [&](const engine::ObservedRecord& o) {
    const std::string& st = o.status.status;
    if (!f.status.empty()) return std::find(f.status.begin(), f.status.end(), st) == f.status.end();
    return !f.all && st != "running" && st != "paused" && st != "restarting";
  });
  std::sort(observed.begin(), observed.end(),
            [](const auto& a, const auto& b) { return a.record.name < b.record.name; });
  if (f.quiet) {
    for (const auto& o : observed) std::cout << o.record.id << "\n";
    return;
  }
  if (f.services_only) {
    std::set<std::string> seen;
    for (const auto& o : observed)
      if (seen.insert(o.record.service).second) std::cout << o.record.service << "\n";
    return;
  }
  if (f.format == "json") {
    for (const auto& o : observed) std::cout << engine::ps_json(o, session.engine->project()).dump() << "\n";
    return;
  }
  std::vector<std::vector<std::string>> rows = {{"NAME", "IMAGE", "COMMAND", "SERVICE", "CREATED", "STATUS", "PORTS"}};
  for (const auto& o : observed) rows.push_back(engine::ps_row(o, f.no_trunc));
  std::cout << gocompat::format_table(rows, 10);  // docker/cli formatter: tabwriter minwidth 10
}

}  // namespace

void register_ps(CLI::App& app, const GlobalOptions& g, CommandResult&) {
  auto f = std::make_shared<PsFlags>();
  auto* cmd = app.add_subcommand("ps", "List containers");
  cmd->add_flag("-a,--all", f->all, "Show all stopped containers (including those created by the run command)");
  cmd->add_flag("-q,--quiet", f->quiet, "Only display IDs");
  cmd->add_flag("--services", f->services_only, "Display services");
  cmd->add_flag("--no-trunc", f->no_trunc, "Don't truncate output");
  cmd->add_option("--status", f->status, "Filter services by status")
      ->check(CLI::IsMember({"paused", "restarting", "removing", "running", "dead", "created", "exited"}));
  cmd->add_option("--filter", f->filter, "Filter services by a property (supported filters: status)");
  cmd->add_flag("--orphans", f->orphans, "Include orphaned services (not declared by project)")->default_val(true);
  cmd->add_option("--format", f->format, "Format output using a custom template: table or json")
      ->check(CLI::IsMember({"table", "json"}));
  cmd->add_option("services", f->services, "Services to list");
  cmd->callback([&g, f] {
    apply_filter(*f);
    if (!f->status.empty()) f->all = true;
    run_ps(g, *f);
  });
}

}  // namespace berth::cli
