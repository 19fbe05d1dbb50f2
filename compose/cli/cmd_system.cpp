// `berth system restore`: what dockerd does at boot, for every project under the root (see
// compose/engine/engine_restore.cpp); the systemd unit berth-restore.service runs it.
#include <iostream>
#include <memory>

#include "compose/cli/commands.hpp"
#include "compose/progress/progress.hpp"
#include "compose/state/state_store.hpp"

namespace berth::cli {

void register_system(CLI::App& app, const GlobalOptions& g, CommandResult& result) {
  auto* system = app.add_subcommand("system", "Manage Berth on this host");
  system->require_subcommand(1);
  auto* restore = system->add_subcommand(
      "restore",
      "Start again, after a reboot, the containers with restart policy always (or unless-stopped, "
      "when not stopped by the user) of every project, with their networks and DNS");
  restore->callback([&g, &result] {
    const state::Paths paths = state::Paths::for_root(g.root);
    progress::Progress progress(progress::progress_mode(g.progress), std::cerr, false);
    for (const std::string& project : state::list_projects(paths)) {
      try {
        engine::Engine(paths, project, progress, nullptr).restore();
      } catch (const std::exception& e) {
        // One project that cannot come back must not keep the others down.
        std::cerr << "project " << project << ": " << e.what() << "\n";
        result.exit_code = 1;
      }
    }
  });
}

}  // namespace berth::cli
