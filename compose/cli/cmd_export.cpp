// `berth export [OPTIONS] SERVICE`: a service container's file system as a tar, to -o FILE or to
// stdout when that is not a terminal (docker compose's rule).
#include <unistd.h>

#include <memory>

#include "compose/cli/commands.hpp"
#include "compose/containerfs/container_export.hpp"
#include "compose/engine/exec_target.hpp"
#include "compose/engine/session.hpp"

namespace berth::cli {

namespace {

struct ExportCliOptions {
  std::string service;
  std::string output;
  int index = 0;
};

void run_export(const GlobalOptions& g, const ExportCliOptions& o) {
  engine::SessionOptions so = session_options(g, {}, false, false);
  engine::Session session = engine::open_session(so);
  if (!engine::known_service(*session.engine, o.service))
    throw std::runtime_error("service \"" + o.service + "\" is not running");
  engine::ObservedRecord c = engine::running_container(*session.engine, o.service, o.index);
  if (o.output.empty() && ::isatty(STDOUT_FILENO))
    throw std::runtime_error("output option is required when exporting to terminal");
  const std::string& name = c.record.name;
  const std::string msg = "export " + name + " to " + o.output;
  session.progress->event("", name, msg, "Exporting");
  if (!g.dry_run) {
    if (o.output.empty())
      containerfs::export_container(session.paths, c.record.id, STDOUT_FILENO);
    else
      containerfs::export_container_to_file(session.paths, c.record.id, o.output);
  }
  session.progress->event("", name, msg, "Exported");
}

}  // namespace

void register_export(CLI::App& app, const GlobalOptions& g, CommandResult&) {
  auto o = std::make_shared<ExportCliOptions>();
  CLI::App* cmd = app.add_subcommand("export", "Export a service container's filesystem as a tar archive");
  cmd->add_option("service", o->service, "Service")->required();
  cmd->add_option("-o,--output", o->output, "Write to a file, instead of STDOUT");
  cmd->add_option("--index", o->index, "index of the container if service has multiple replicas.");
  cmd->callback([&g, o] { run_export(g, *o); });
}

}  // namespace berth::cli
