#pragma once
// One register_<verb> per command; each adds its subcommand and flags to the app and sets the
// callback that runs it. Callbacks throw on failure; app.cpp reports errors once, at the top.
#include <CLI/CLI.hpp>

#include "compose/cli/global_options.hpp"
#include "compose/engine/session.hpp"

namespace berth::cli {

/// Exit code a command asks for (0 when it does not set one).
struct CommandResult {
  int exit_code = 0;
};

void register_config(CLI::App& app, const GlobalOptions& g, CommandResult& result);
void register_version(CLI::App& app, CommandResult& result);
/// `completion bash|zsh|fish` and the hidden `__complete` its scripts call (cmd_completion.cpp).
void register_completion(CLI::App& app, const GlobalOptions& g, CommandResult& result);
/// `help [COMMAND [SUBCOMMAND]]` and the hidden `__man DIR` the build runs (cmd_help.cpp).
void register_help(CLI::App& app, CommandResult& result);
void register_image(CLI::App& app, const GlobalOptions& g, CommandResult& result);

// Project lifecycle (compose/engine): cmd_up.cpp (up), cmd_create.cpp, cmd_down.cpp, ...
void register_up(CLI::App& app, const GlobalOptions& g, CommandResult& result);
void register_create(CLI::App& app, const GlobalOptions& g, CommandResult& result);
void register_down(CLI::App& app, const GlobalOptions& g, CommandResult& result);
void register_start(CLI::App& app, const GlobalOptions& g, CommandResult& result);
void register_stop(CLI::App& app, const GlobalOptions& g, CommandResult& result);
void register_restart(CLI::App& app, const GlobalOptions& g, CommandResult& result);
void register_kill(CLI::App& app, const GlobalOptions& g, CommandResult& result);
void register_rm(CLI::App& app, const GlobalOptions& g, CommandResult& result);
void register_pause(CLI::App& app, const GlobalOptions& g, CommandResult& result);
void register_unpause(CLI::App& app, const GlobalOptions& g, CommandResult& result);
void register_ps(CLI::App& app, const GlobalOptions& g, CommandResult& result);
void register_ls(CLI::App& app, const GlobalOptions& g, CommandResult& result);
void register_scale(CLI::App& app, const GlobalOptions& g, CommandResult& result);
void register_wait(CLI::App& app, const GlobalOptions& g, CommandResult& result);
void register_volumes(CLI::App& app, const GlobalOptions& g, CommandResult& result);
void register_stats(CLI::App& app, const GlobalOptions& g, CommandResult& result);

// Commands on running containers: cmd_logs.cpp, cmd_exec.cpp, cmd_run.cpp, cmd_top.cpp, ...
void register_logs(CLI::App& app, const GlobalOptions& g, CommandResult& result);
void register_exec(CLI::App& app, const GlobalOptions& g, CommandResult& result);
void register_run(CLI::App& app, const GlobalOptions& g, CommandResult& result);
void register_attach(CLI::App& app, const GlobalOptions& g, CommandResult& result);
void register_top(CLI::App& app, const GlobalOptions& g, CommandResult& result);
void register_port(CLI::App& app, const GlobalOptions& g, CommandResult& result);
void register_events(CLI::App& app, const GlobalOptions& g, CommandResult& result);
void register_images(CLI::App& app, const GlobalOptions& g, CommandResult& result);
void register_pull(CLI::App& app, const GlobalOptions& g, CommandResult& result);
void register_push(CLI::App& app, const GlobalOptions& g, CommandResult& result);
/// `image push` under `image` (cmd_push.cpp, beside `push`).
void register_image_push(CLI::App& image, const GlobalOptions& g);
void register_login(CLI::App& app, const GlobalOptions& g, CommandResult& result);
void register_build(CLI::App& app, const GlobalOptions& g, CommandResult& result);
void register_builder(CLI::App& app, const GlobalOptions& g, CommandResult& result);
/// `system restore` (cmd_system.cpp): containers that dockerd would bring back after a reboot.
void register_system(CLI::App& app, const GlobalOptions& g, CommandResult& result);
/// `bridge convert` (cmd_bridge.cpp): Kubernetes manifests or a Helm chart from the project.
void register_bridge(CLI::App& app, const GlobalOptions& g, CommandResult& result);
/// `watch` (cmd_watch.cpp): develop.watch rules applied as files change (compose/watch).
void register_watch(CLI::App& app, const GlobalOptions& g, CommandResult& result);

/// `alpha` (cmd_alpha.cpp): viz, publish, generate, scale, watch and dry-run.
void register_alpha(CLI::App& app, const GlobalOptions& g, CommandResult& result);
/// `alpha viz` (cmd_viz.cpp): the services and their dependencies as a graphviz graph.
void register_viz(CLI::App& alpha, const GlobalOptions& g, CommandResult& result);
/// `publish` and `alpha publish` (cmd_publish.cpp): the compose files as an OCI artifact.
void register_publish(CLI::App& app, const GlobalOptions& g, CommandResult& result);
/// `alpha generate` (cmd_generate.cpp): a compose file from existing containers.
void register_generate(CLI::App& alpha, const GlobalOptions& g, CommandResult& result);

// A container's files (compose/containerfs): cmd_cp.cpp, cmd_export.cpp, cmd_commit.cpp.
void register_cp(CLI::App& app, const GlobalOptions& g, CommandResult& result);
void register_export(CLI::App& app, const GlobalOptions& g, CommandResult& result);
void register_commit(CLI::App& app, const GlobalOptions& g, CommandResult& result);

/// The session options of a project command from the global flags. `require_model` false lets
/// the command work from the recorded state when no compose file is found but -p is given.
inline engine::SessionOptions session_options(const GlobalOptions& g, const std::vector<std::string>& services,
                                              bool require_model, bool require_images) {
  engine::SessionOptions o;
  o.root = g.root;
  o.progress = g.progress;
  o.ansi = g.ansi;
  o.load = load_options(g, services);
  o.require_model = require_model;
  o.require_images = require_images;
  o.services = services;
  o.compatibility = g.compatibility;
  o.all_resources = g.all_resources;
  o.parallel = g.parallel;
  return o;
}

/// What up/create/run pull first: `flag` is --pull ("policy" = each service's pull_policy);
/// none under --dry-run. Throws std::runtime_error for an unknown --pull value.
inline std::optional<engine::ImagePullOptions> pull_options(const GlobalOptions& g, const std::string& flag,
                                                            bool quiet) {
  if (flag != "policy" && flag != "always" && flag != "missing" && flag != "never" && flag != "build")
    throw std::runtime_error("invalid --pull value \"" + flag + "\": expected always, missing, never or build");
  if (g.dry_run) return std::nullopt;
  engine::ImagePullOptions o;
  o.policy = flag == "policy" ? "" : flag;
  o.quiet = quiet;
  return o;
}

/// What up/create/run build first: missing images of services with `build:` (every one with
/// --build); none with --no-build or under --dry-run. Throws for --build with --no-build.
inline std::optional<engine::ImageBuildOptions> build_options(const GlobalOptions& g, bool build, bool no_build,
                                                              bool quiet) {
  if (build && no_build) throw std::runtime_error("--build and --no-build are incompatible");
  if (no_build || g.dry_run) return std::nullopt;
  engine::ImageBuildOptions o;
  o.only_missing = !build;
  o.quiet = quiet;
  return o;
}

}  // namespace berth::cli
