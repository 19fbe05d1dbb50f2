#pragma once
// Lifecycle hooks (`pre_start`, `post_start`, `pre_stop`) and `develop` (see
// shared/compose-spec/develop.md). Field order is compose-go's ServiceHook, Trigger, DevelopConfig.
#include <string>
#include <vector>

#include "compose/model/values.hpp"

namespace berth::model {

/// One `post_start`/`pre_stop` hook (a command run in the service container), one `pre_start`
/// step (a command run in its own container: `image`, `per_replica`), or a watch rule's `exec`.
struct ServiceHook {
  Command command;
  std::string image;  ///< pre_start only
  std::string user;
  bool privileged = false;
  std::string working_dir;
  MappingWithEquals environment;
  bool per_replica = false;  ///< pre_start only
  Extensions extensions;
};

/// One `develop.watch` rule.
struct WatchTrigger {
  std::string path;
  std::string action;  ///< rebuild, sync, restart, sync+restart, sync+exec
  std::string target;
  ServiceHook exec;  ///< a value, as in compose-go: JSON always shows it
  std::vector<std::string> ignore;
  std::vector<std::string> include;
  bool initial_sync = false;
  Extensions extensions;
};

/// `develop`.
struct Develop {
  std::vector<WatchTrigger> watch;
  Extensions extensions;
};

template <Is<ServiceHook> S, class V>
void fields(S& s, V&& v) {
  v("command", s.command, Field{.omit = Omit::YamlOnly});
  v("image", s.image);
  v("user", s.user);
  v("privileged", s.privileged);
  v("working_dir", s.working_dir);
  v("environment", s.environment);
  v("per_replica", s.per_replica);
}

template <Is<WatchTrigger> S, class V>
void fields(S& s, V&& v) {
  v("path", s.path, Field{.omit = Omit::Never});
  v("action", s.action, Field{.omit = Omit::Never});
  v("target", s.target);
  v("exec", s.exec);
  v("ignore", s.ignore);
  v("include", s.include);
  v("initial_sync", s.initial_sync);
}

template <Is<Develop> S, class V>
void fields(S& s, V&& v) {
  v("watch", s.watch);
}

}  // namespace berth::model
