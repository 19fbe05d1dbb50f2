#include "compose/engine/image_push.hpp"

#include <algorithm>
#include <chrono>
#include <functional>
#include <iostream>
#include <mutex>
#include <set>
#include <thread>

#include "compose/gocompat/units.hpp"
#include "compose/registry/push.hpp"

namespace berth::engine {

std::vector<PushJob> push_jobs(const model::Project& project, const std::vector<std::string>& services,
                               std::vector<std::string>& skipped) {
  std::vector<PushJob> jobs;
  std::set<std::string> seen;
  for (const auto& [name, svc] : project.services) {
    if (!services.empty() && std::find(services.begin(), services.end(), name) == services.end()) continue;
    if (!svc.build || svc.image.empty()) {  // pulled images are not pushed back (docker compose)
      skipped.push_back(name);
      continue;
    }
    std::vector<std::string> names = {svc.image};
    names.insert(names.end(), svc.build->tags.begin(), svc.build->tags.end());
    for (const auto& text : names) {
      image::Reference ref;
      try {
        ref = image::parse_reference(text);
      } catch (const std::invalid_argument& e) {
        throw std::runtime_error("service \"" + name + "\": " + e.what());
      }
      if (seen.insert(ref.str()).second) jobs.push_back({name, ref});
    }
  }
  return jobs;
}

void push_images(const model::Project& project, image::ImageStore& store, progress::Progress& shown,
                 const ImagePushOptions& options) {
  progress::Progress silent(progress::ProgressMode::Quiet, std::cerr);
  progress::Progress& progress = options.quiet ? silent : shown;
  std::vector<std::string> skipped;
  const std::vector<PushJob> jobs = push_jobs(project, options.services, skipped);
  for (const auto& name : skipped) progress.event("", name, "Skipped");
  if (jobs.empty()) return;

  registry::Config config = registry::load_config(options.environment);
  registry::CredentialStore creds(registry::docker_config_path(options.environment));
  std::mutex mu;
  std::vector<std::pair<std::string, std::string>> failures;  // service, message
  auto run = [&](const PushJob& job) {
    const std::string prefix = "Pushing " + job.ref.familiar() + ": ";
    registry::Pusher pusher(store, config, creds);
    registry::PushOptions po;
    std::map<std::string, std::chrono::steady_clock::time_point> last;  // byte counts, a few a second per layer
    po.on_event = [&](const registry::PushEvent& e) {
      if (e.id.empty()) return;  // "The push refers to…" and the digest line are `image push`'s
      if (e.status == "Pushing" && e.current > 0) {
        auto now = std::chrono::steady_clock::now();
        auto& prev = last[e.id];
        if (now - prev < std::chrono::milliseconds(500) && e.current < e.total) return;
        prev = now;
        progress.event("", prefix + e.id, e.status,
                       "[" + gocompat::human_size(e.current) + "/" + gocompat::human_size(e.total) + "]");
        return;
      }
      progress.event("", prefix + e.id, e.status);
    };
    try {
      pusher.push(job.ref, po);
    } catch (const std::exception& e) {
      std::lock_guard lk(mu);
      failures.emplace_back(job.service, e.what());
    }
  };
  {
    std::vector<std::jthread> threads;
    for (const auto& job : jobs) threads.emplace_back(run, std::cref(job));
  }
  if (failures.empty()) return;
  if (!options.ignore_failures) throw std::runtime_error(failures.front().second);
  for (const auto& [service, text] : failures) progress.warning("Pushing " + service + ": " + text);
}

}  // namespace berth::engine
