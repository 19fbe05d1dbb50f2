#pragma once
// Internal to the container spec builder: the state the build_* steps share, one step per file
// (container_spec_process.cpp, container_spec_mounts.cpp, container_spec_resources.cpp).
#include <string>
#include <vector>

#include "compose/bundle/container_spec.hpp"
#include "compose/image/image_config.hpp"

namespace berth::bundle::detail {

/// What every step reads and writes.
struct Build {
  const SpecInput& in;
  ContainerSpec& spec;
  image::ImageConfig image;
  std::string hostname;
  nlohmann::json& config;  ///< spec.config

  /// Records "service \"<name>\": <key>: <what>" for something the runtime can't honour.
  void warn(const std::string& key, const std::string& what);
  /// Throws std::runtime_error "service \"<name>\": <key>: <what>".
  [[noreturn]] void fail(const std::string& key, const std::string& what) const;
};

/// process.{args, env, cwd, terminal}, org.berth.user, additional gids, hostname/domainname,
/// healthcheck, stop signal/timeout, restart, init.
void build_process(Build& b);
/// mounts[]: /dev/shm, etc files, secrets, configs, volumes (bind, named, anonymous, tmpfs),
/// image VOLUMEs, volumes_from, tmpfs list; the bundle files and volume uses behind them.
void build_mounts(Build& b);
/// linux.resources, rlimits, capabilities, privileged, security_opt, devices, sysctls,
/// namespaces, and the warnings for keys the runtime can't honour.
void build_resources(Build& b);
void build_security(Build& b);
void warn_unsupported(Build& b);
/// org.berth.log-*: the service's `logging` over Berth's default, checked as Docker's drivers do.
void build_logging(Build& b);

/// Docker's default PATH.
inline constexpr const char* kDefaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

}  // namespace berth::bundle::detail
