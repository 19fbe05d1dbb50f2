// `berth cp [OPTIONS] SERVICE:SRC_PATH DEST_PATH|-` and `berth cp [OPTIONS] SRC_PATH|- SERVICE:DEST_PATH`:
// files between a service container and the local file system, as docker compose copies them
// (out of the first container; into every container of the service, or the one --index names).
#include <unistd.h>

#include <memory>

#include "compose/cli/commands.hpp"
#include "compose/containerfs/container_root.hpp"
#include "compose/containerfs/copy.hpp"
#include "compose/containerfs/copy_plan.hpp"
#include "compose/engine/exec_target.hpp"
#include "compose/engine/session.hpp"

namespace berth::cli {

namespace {

struct CpCliOptions {
  std::string source, destination;
  int index = 0;
  bool all = false;
  containerfs::CopyOptions copy;
};

/// docker compose's listContainersTargetedForCopy.
std::vector<engine::ObservedRecord> copy_targets(engine::Engine& eng, const std::string& service, const CpCliOptions& o,
                                                 bool from_service) {
  if (!engine::known_service(eng, service))
    throw std::runtime_error("no container found for service \"" + service + "\"");
  if (o.index > 0) {
    auto found = engine::select_containers(eng, {service}, o.index);
    if (found.empty())
      throw std::runtime_error("service \"" + service + "\" is not running container #" + std::to_string(o.index));
    return {found.front()};
  }
  auto all = engine::select_containers(eng, {service}, 0, o.all);
  if (all.empty()) throw std::runtime_error("no container found for service \"" + service + "\"");
  if (from_service) all.resize(1);
  return all;
}

void run_cp(const GlobalOptions& g, const CpCliOptions& o) {
  if (o.source.empty()) throw std::runtime_error("source can not be empty");
  if (o.destination.empty()) throw std::runtime_error("destination can not be empty");
  const containerfs::CpArg src = containerfs::split_cp_arg(o.source);
  const containerfs::CpArg dst = containerfs::split_cp_arg(o.destination);
  if (!src.service.empty() && !dst.service.empty())
    throw std::runtime_error("copying between services is not supported");
  if (src.service.empty() && dst.service.empty()) throw std::runtime_error("unknown copy direction");
  const bool from_service = !src.service.empty();
  const std::string& service = from_service ? src.service : dst.service;

  engine::SessionOptions so = session_options(g, {}, false, false);
  engine::Session session = engine::open_session(so);
  // A stopped container is reached through an overlay of its layers: it must not start meanwhile.
  session.engine->lock();
  for (const auto& c : copy_targets(*session.engine, service, o, from_service)) {
    const std::string& name = c.record.name;
    const std::string msg =
        from_service ? name + ":" + src.path + " to " + dst.path : src.path + " to " + name + ":" + dst.path;
    session.progress->event("", name, "Copying", msg);
    if (!g.dry_run) {
      UniqueFd root = containerfs::open_container_root(session.paths, c.record.id);
      if (from_service)
        containerfs::copy_from_container(root.get(), c.record.id, src.path, dst.path, o.copy, STDOUT_FILENO);
      else
        containerfs::copy_to_container(root.get(), c.record.id, src.path, dst.path, o.copy, STDIN_FILENO);
    }
    session.progress->event("", name, "Copied", msg);
  }
}

}  // namespace

void register_cp(CLI::App& app, const GlobalOptions& g, CommandResult&) {
  auto o = std::make_shared<CpCliOptions>();
  CLI::App* cmd = app.add_subcommand("cp", "Copy files/folders between a service container and the local filesystem");
  cmd->add_option("source", o->source, "SERVICE:SRC_PATH or SRC_PATH|-")->required();
  cmd->add_option("destination", o->destination, "DEST_PATH|- or SERVICE:DEST_PATH")->required();
  cmd->add_flag("--all", o->all, "Include containers created by the run command");
  cmd->add_flag("-a,--archive", o->copy.archive, "Archive mode (copy all uid/gid information)");
  cmd->add_flag("-L,--follow-link", o->copy.follow_link, "Always follow symbol link in SRC_PATH");
  cmd->add_option("--index", o->index, "Index of the container if service has multiple replicas");
  cmd->callback([&g, o] { run_cp(g, *o); });
}

}  // namespace berth::cli
