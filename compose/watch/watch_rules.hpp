#pragma once
// Which changed host paths a `develop.watch` rule acts on, as docker compose decides it
// (pkg/compose/watch.go, pkg/watch/dockerignore.go, ephemeral.go): a path counts for a rule when
// it is the rule's `path` or below it, matches `include` (everything when there is none), and
// is ignored by none of: the build context's .dockerignore, the editors' temporary files, `.git/`
// (anchored at "/", as docker compose writes it) and the rule's own `ignore`. Patterns are made
// absolute against their root and matched, with every parent directory, against the absolute
// path (moby/patternmatcher's MatchesOrParentMatches), through compose/build's IgnoreMatcher.
#include <optional>
#include <string>
#include <vector>

#include "compose/build/dockerignore.hpp"
#include "compose/model/project.hpp"

namespace berth::watch {

/// NewDockerPatternMatcher(root, patterns): patterns relative to `root` (absolute ones as
/// written, `!` exceptions kept); a lone "*" drops every pattern that is not an exception.
class PathMatcher {
 public:
  PathMatcher() = default;  ///< matches nothing
  PathMatcher(const std::string& root, std::vector<std::string> patterns);
  /// Whether absolute `path` or one of its parent directories is matched.
  bool matches(const std::string& path) const;

 private:
  build::IgnoreMatcher m_matcher;
};

/// A host path and where a sync puts it in the container ("" when the rule has no target).
struct PathMapping {
  std::string host_path;
  std::string container_path;
};

/// One `develop.watch` entry of a service with its matchers.
struct WatchRule {
  model::WatchTrigger trigger;
  std::string service;
  std::optional<PathMatcher> include;  ///< nullopt: every path
  std::vector<PathMatcher> ignore;     ///< .dockerignore, editors' files, .git, the rule's ignore

  /// The mapping for `path` when this rule acts on it.
  std::optional<PathMapping> matches(const std::string& path) const;
};

/// The editors' temporary files docker compose never acts on (GoLand, Emacs, Vim, Kate, Go).
PathMatcher ephemeral_matcher();

/// The .dockerignore of the service's build context as an absolute matcher (none without build).
PathMatcher dockerignore_matcher(const model::Service& service);

/// The rules of one service (getWatchRules). Throws std::invalid_argument for a bad pattern.
std::vector<WatchRule> watch_rules(const model::Service& service);

/// pathutil.IsChild: `path` is `dir` or below it.
bool is_child(const std::string& dir, const std::string& path);

}  // namespace berth::watch
