#pragma once
// Where Berth keeps things (docs/CONTRACTS.md, "Paths") and where its helper binaries are.
//   root: --root / BERTH_ROOT (default /var/lib/berth): images, volumes, bundles, project state
//   run:  /run/berth for the default root, else <root>/run (BERTH_RUN overrides): shim state
//         dirs, netns bind mounts, DNS records and pid files
#include <string>

namespace berth::state {

/// The default state root.
inline constexpr const char* kDefaultRoot = "/var/lib/berth";

/// The two trees of one Berth installation and the paths inside them.
struct Paths {
  std::string root;
  std::string run;

  /// Paths for `root`, with `run` chosen by the CONTRACTS.md rules (BERTH_RUN wins).
  static Paths for_root(const std::string& root);

  std::string bundle_dir(const std::string& id) const { return root + "/containers/" + id; }
  std::string shim_state_dir(const std::string& id) const { return run + "/containers/" + id; }
  std::string netns_path(const std::string& id) const { return run + "/netns/" + id; }
  std::string projects_dir() const { return root + "/projects"; }
  std::string project_dir(const std::string& project) const { return root + "/projects/" + project; }
  std::string project_run_dir(const std::string& project) const { return run + "/projects/" + project; }
  /// The project's container event journal (common/event_journal.hpp).
  std::string events_journal(const std::string& project) const { return project_dir(project) + "/events.log"; }
};

/// The path of helper `name` ("berth-shim" or "berth-dns"): $<env_var> if set, else next to
/// /proc/self/exe, else in the installed layout (<exe dir>/../libexec/berth/<name>), else the
/// build-tree sibling <exe dir>/../<subdir>/<name>. Throws
/// std::runtime_error naming every place looked at when none exists.
std::string find_helper(const std::string& name, const std::string& env_var, const std::string& subdir);

/// find_helper for berth-shim (BERTH_SHIM, runtime-shim/).
std::string shim_binary();
/// find_helper for berth-dns (BERTH_DNS, dns/).
std::string dns_binary();

}  // namespace berth::state
