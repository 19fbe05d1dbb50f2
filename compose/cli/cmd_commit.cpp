// `berth commit [OPTIONS] SERVICE [REPOSITORY[:TAG]]`: a new image from a service container's
// changes, reported as docker compose does ("Committed as sha256:...").
#include <memory>

#include "compose/cli/commands.hpp"
#include "compose/containerfs/container_commit.hpp"
#include "compose/engine/exec_target.hpp"
#include "compose/engine/session.hpp"

namespace berth::cli {

namespace {

struct CommitCliOptions {
  std::string service;
  int index = 0;
  containerfs::CommitOptions commit;
};

void run_commit(const GlobalOptions& g, const CommitCliOptions& o) {
  engine::SessionOptions so = session_options(g, {}, false, false);
  engine::Session session = engine::open_session(so);
  if (!engine::known_service(*session.engine, o.service))
    throw std::runtime_error("service \"" + o.service + "\" is not running");
  engine::ObservedRecord c = engine::running_container(*session.engine, o.service, o.index);
  const std::string& name = c.record.name;
  const std::string msg = "Commit " + name;
  session.progress->event("", name, msg, "Committing");
  if (g.dry_run) {
    session.progress->event("", name, msg, "Committed");
    return;
  }
  image::ImageStore store(session.paths.root);
  containerfs::CommitSource source{c.record.id, c.record.image_id, c.record.command};
  if (const project::ProjectContext* ctx = session.engine->context()) {
    auto it = ctx->loaded.model.services.find(c.record.service);
    if (it != ctx->loaded.model.services.end()) source.service = &it->second;
  }
  image::Digest id = containerfs::commit_container(session.paths, store, source, o.commit);
  session.progress->event("", name, msg, "Committed as " + id.str());
}

}  // namespace

void register_commit(CLI::App& app, const GlobalOptions& g, CommandResult&) {
  auto o = std::make_shared<CommitCliOptions>();
  CLI::App* cmd = app.add_subcommand("commit", "Create a new image from a service container's changes");
  cmd->add_option("service", o->service, "Service")->required();
  cmd->add_option("reference", o->commit.reference, "REPOSITORY[:TAG]");
  cmd->add_option("-a,--author", o->commit.author, "Author (e.g., \"John Hannibal Smith <hannibal@a-team.com>\")");
  cmd->add_option("-c,--change", o->commit.changes, "Apply Dockerfile instruction to the created image")
      ->allow_extra_args(false);
  cmd->add_option("-m,--message", o->commit.message, "Commit message");
  cmd->add_flag("-p,--pause", o->commit.pause, "Pause container during commit")->default_val(true);
  cmd->add_option("--index", o->index, "index of the container if service has multiple replicas.");
  cmd->callback([&g, o] { run_commit(g, *o); });
}

}  // namespace berth::cli
