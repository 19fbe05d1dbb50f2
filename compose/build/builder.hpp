#pragma once
// `berth build`: a Dockerfile and its context → an image in the local store, on Berth's own
// runtime. The stages the target needs are built, independent ones in parallel; each
// instruction's cache key (build_cache.hpp) decides whether it runs (RUN in a container,
// run_step.hpp; COPY/ADD/WORKDIR straight into an overlay, copy_step.hpp) or is reused. Every
// changed step's upper dir becomes a layer by rename (uncompressed: diff id = blob digest;
// compressed only on push). The result is tagged once everything is on disk (one syncfs).
#include <map>
#include <string>
#include <vector>

#include "compose/build/build_progress.hpp"
#include "compose/image/digest.hpp"

namespace berth::build {

struct BuildRequest {
  std::string context;                        ///< directory
  std::string dockerfile;                     ///< path; relative to the context; "" = "Dockerfile"
  std::string dockerfile_inline;              ///< the Dockerfile's text instead of a file
  std::string target;                         ///< stage name; "" = the last stage
  std::map<std::string, std::string> args;    ///< --build-arg / build.args
  std::map<std::string, std::string> labels;  ///< added to the image's labels
  std::vector<std::string> tags;              ///< names to give the image
  std::string network;                        ///< RUN network: "" / "default", "none", "host"
  bool no_cache = false;
  bool pull = false;                     ///< pull base images even when stored
  std::vector<std::string> extra_hosts;  ///< "host=ip"
  std::uint64_t shm_size = 0;
  std::map<std::string, std::string> secrets;              ///< RUN --mount=type=secret id → host file
  std::map<std::string, std::string> additional_contexts;  ///< name → directory or docker-image://REF
  std::string platform;                                    ///< "" = this machine's
  std::string label;                                       ///< names the build in errors ("service \"web\"")
};

struct BuildResult {
  image::Digest manifest;
  image::Digest id;  ///< config digest
  std::vector<std::string> warnings;
};

/// Berth's directories and the environment (registry settings and credentials for base images).
struct BuildEnv {
  std::string root;
  std::string run;
  std::map<std::string, std::string> environment;
};

/// Builds `request`. Throws DockerfileError / ContextError / std::runtime_error with the located
/// problem; on failure nothing is named and no partial layer is stored.
BuildResult build_image(const BuildEnv& env, const BuildRequest& request, BuildProgress& progress);

/// `builder prune`: the step cache, cache mounts, the stat cache and the build network. Returns
/// the bytes freed.
std::uint64_t prune_build_cache(const BuildEnv& env);

}  // namespace berth::build
