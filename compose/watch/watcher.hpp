#pragma once
// `berth watch` and `up --watch`: docker compose's watch loop (pkg/compose/watch.go). The rules
// of the selected services (and their dependencies) are made first (a `rebuild` rule without
// `build:` is an error, a sync path under a bind mount is skipped with a warning, `initial_sync`
// copies the path once), their paths are watched (inotify_tree), changes are batched until
// 500 ms pass without one (docker compose's QuietPeriod), and each batch runs, in docker
// compose's order: rebuild (build, then recreate the services' containers), sync (copy into the
// running containers, container_sync), restart, then the sync+exec commands. A batch that fails
// is reported as a warning and watching goes on.
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "compose/engine/engine.hpp"
#include "compose/loader/load.hpp"
#include "compose/progress/progress.hpp"
#include "compose/state/paths.hpp"
#include "compose/watch/inotify_tree.hpp"
#include "compose/watch/watch_rules.hpp"

namespace berth::watch {

/// docker compose's QuietPeriod: a batch is handled once no change came for this long.
inline constexpr std::chrono::milliseconds kQuietPeriod{500};

struct WatchOptions {
  std::vector<std::string> services;  ///< as named (empty = all); their dependencies are watched too
  bool prune = true;                  ///< --prune: the image a rebuild replaced goes when nothing uses it
  bool quiet = false;                 ///< --quiet: no build output
  int parallel = -1;                  ///< global --parallel: builds and container operations at once (<= 0: no limit)
  std::map<std::string, std::string> environment;  ///< the process environment (builds)
  /// Prints one watch line ("Watch enabled", "Syncing service ..."); stdout by default.
  std::function<void(const std::string&)> log;
  /// Polled between waits (every 100 ms): true ends the loop.
  std::function<bool()> stop;
};

class Watcher {
 public:
  /// Prepares the rules of the project `loaded` (a copy is kept). Throws std::runtime_error
  /// with docker compose's words when no selected service has a rule, or a rule cannot work.
  /// Actions report their progress (Container x Recreated, ...) in `mode` on stderr.
  Watcher(state::Paths paths, const loader::Project& loaded, progress::ProgressMode mode, bool color,
          WatchOptions options);
  ~Watcher();

  /// Initial syncs, the inotify watches, then "Watch enabled".
  void start();
  /// Handles batches until options.stop says so.
  void run();

  /// Handles one batch of changed paths (exposed for the loop and for tests).
  void handle_batch(const std::vector<std::string>& batch);

 private:
  void initial_sync(const model::Service& service, const WatchRule& rule);
  void rebuild(const std::vector<std::string>& services);
  void sync(const std::string& service, const std::vector<PathMapping>& mappings);
  void restart(const std::vector<std::string>& services);
  void exec(const std::string& service, const model::ServiceHook& hook);
  void log(const std::string& line) const;
  /// A fresh engine over the kept project (images resolved for `services`, required or not).
  std::unique_ptr<engine::Engine> engine_for(progress::Progress& progress, const std::vector<std::string>& services,
                                             bool require_images) const;

  state::Paths m_paths;
  loader::Project m_loaded;
  progress::ProgressMode m_mode;
  bool m_color;
  std::unique_ptr<progress::Progress> m_notes;  ///< warnings
  WatchOptions m_options;
  std::vector<WatchRule> m_rules;
  std::vector<std::string> m_paths_watched;
  std::vector<std::pair<std::string, WatchRule>> m_initial;  ///< service, rule with initial_sync
  std::unique_ptr<InotifyTree> m_tree;
};

/// Go's %q of a []string: ["a" "b"].
std::string quoted_list(const std::vector<std::string>& items);

}  // namespace berth::watch
