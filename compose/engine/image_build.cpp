// Project images built from `build:` (see image_build.hpp).
#include "compose/engine/image_build.hpp"

#include <functional>
#include <future>
#include <set>

#include "compose/build/builder.hpp"
#include "compose/engine/parallel_limit.hpp"
#include "compose/image/reference.hpp"
#include "compose/image/store.hpp"
#include "compose/model/service_image.hpp"

namespace berth::engine {

namespace {

build::BuildRequest request_for(const model::Project& project, const std::string& name, const model::Service& svc,
                                const ImageBuildOptions& o) {
  const model::BuildConfig& b = *svc.build;
  build::BuildRequest r;
  r.context = b.context;
  r.dockerfile = b.dockerfile;
  r.dockerfile_inline = b.dockerfile_inline;
  r.target = b.target;
  for (const auto& [k, v] : b.args) {
    if (v) {
      r.args[k] = *v;
    } else if (auto it = o.environment.find(k); it != o.environment.end()) {
      r.args[k] = it->second;  // `args: [KEY]`: the value comes from the environment
    }
  }
  for (const auto& [k, v] : o.build_args) r.args[k] = v;
  r.labels = b.labels;
  r.tags.push_back(model::service_image(project, name));
  for (const auto& t : b.tags) r.tags.push_back(t);
  r.network = b.network;
  r.no_cache = b.no_cache || o.no_cache;
  r.pull = b.pull || o.pull;
  r.extra_hosts = b.extra_hosts;
  r.shm_size = static_cast<std::uint64_t>(b.shm_size.value);
  for (const auto& s : b.secrets) {
    auto it = project.secrets.find(s.source);
    if (it == project.secrets.end())
      throw std::runtime_error("service \"" + name + "\": build.secrets: secret \"" + s.source + "\" is not defined");
    if (!it->second.file.empty()) r.secrets[s.target.empty() ? s.source : s.target] = it->second.file;
  }
  for (const auto& [k, v] : b.additional_contexts) {
    // `service:NAME`: the image that service is built as (docker compose's form).
    const std::string service = "service:";
    r.additional_contexts[k] =
        v.rfind(service, 0) == 0 ? "docker-image://" + model::service_image(project, v.substr(service.size())) : v;
  }
  if (!b.platforms.empty()) r.platform = b.platforms.front();
  if (!svc.platform.empty()) r.platform = svc.platform;
  r.label = "service \"" + name + "\"";
  return r;
}

bool wants_build(const model::Project& project, const std::string& name, const model::Service& svc,
                 const image::ImageStore& store, const ImageBuildOptions& o) {
  if (!o.only_missing || svc.pull_policy == "build") return true;
  auto ref = image::try_parse_reference(model::service_image(project, name));
  return !ref || !store.resolve(*ref);
}

}  // namespace

std::vector<std::string> build_images(const model::Project& project, progress::Progress& progress,
                                      build::BuildProgress& output, const ImageBuildOptions& o) {
  image::ImageStore store(o.root);
  std::set<std::string> wanted(o.services.begin(), o.services.end());
  // One build per image name: services sharing `image:` build it once.
  std::map<std::string, std::string> by_image;
  for (const auto& [name, svc] : project.services) {
    if (!svc.build || (!wanted.empty() && !wanted.count(name))) continue;
    if (!wants_build(project, name, svc, store, o)) continue;
    by_image.emplace(model::service_image(project, name), name);
  }
  build::BuildEnv env{o.root, o.run, o.environment};
  // Each build starts at once (within --parallel), except that one whose additional context is
  // `service:X` waits for X's build (it reads X's image) before it takes its place.
  ParallelLimit limit(o.parallel);  // before `jobs`: their futures' destruction waits for the builds
  std::map<std::string, std::shared_future<build::BuildResult>> jobs;
  std::function<std::shared_future<build::BuildResult>(const std::string&)> start = [&](const std::string& name) {
    if (auto it = jobs.find(name); it != jobs.end()) return it->second;
    std::vector<std::shared_future<build::BuildResult>> before;
    for (const auto& [k, v] : project.services.at(name).build->additional_contexts)
      if (v.rfind("service:", 0) == 0) {
        const std::string other = v.substr(8);
        auto dep = project.services.find(other);
        if (dep == project.services.end() || !dep->second.build || other == name) continue;
        if (auto b = by_image.find(model::service_image(project, other)); b != by_image.end())
          before.push_back(start(b->second));
      }
    build::BuildRequest req = request_for(project, name, project.services.at(name), o);
    progress.event("Image", model::service_image(project, name), "Building");
    auto job = std::async(std::launch::async, [req, env, before, &output, &limit] {
                 for (const auto& b : before) b.wait();
                 ParallelLimit::Slot slot(limit);
                 return build::build_image(env, req, output);
               }).share();
    jobs.emplace(name, job);
    return job;
  };
  for (const auto& [image, name] : by_image) start(name);
  std::vector<std::string> built;
  std::string error;
  for (const auto& [image, name] : by_image) {
    try {
      build::BuildResult r = jobs.at(name).get();
      for (const auto& w : r.warnings) progress.warning(w);
      progress.event("Image", image, "Built");
      built.push_back(name);
    } catch (const std::exception& e) {
      if (error.empty()) error = "service \"" + name + "\": " + e.what();
    }
  }
  if (!error.empty()) throw std::runtime_error(error);
  return built;
}

}  // namespace berth::engine
