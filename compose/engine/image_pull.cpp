#include "compose/engine/image_pull.hpp"

#include <chrono>
#include <exception>
#include <fstream>
#include <iostream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "common/atomic_file.hpp"
#include "compose/engine/parallel_limit.hpp"
#include "compose/gocompat/units.hpp"
#include "compose/registry/pull.hpp"

namespace berth::engine {

namespace {

using Json = nlohmann::json;

std::string human_bytes(std::uint64_t n) { return gocompat::human_size(n); }

/// <root>/image-pulls.json: reference -> unix time of its last pull.
class PullTimes {
 public:
  explicit PullTimes(std::string path) : m_path(std::move(path)) {
    std::ifstream in(m_path);
    if (!in) return;
    std::stringstream ss;
    ss << in.rdbuf();
    try {
      m_times = Json::parse(ss.str());
    } catch (const Json::exception&) {  // a damaged record only means pulling again
    }
    if (!m_times.is_object()) m_times = Json::object();
  }
  long long get(const std::string& ref) const { return m_times.value(ref, 0LL); }
  void set(const std::string& ref, long long t) {
    std::lock_guard lk(m_mu);
    m_times[ref] = t;
    write_file_atomic(m_path, m_times.dump(1) + "\n", 0644);
  }

 private:
  std::string m_path;
  Json m_times = Json::object();
  std::mutex m_mu;
};

long long unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

}  // namespace

bool pull_needed(const std::string& policy, bool present, long long last_pull, long long now) {
  if (policy == "always") return true;
  if (policy.empty() || policy == "missing" || policy == "if_not_present") return !present;
  if (policy == "never" || policy == "build") return false;
  long long period = 0;
  if (policy == "daily")
    period = 24 * 3600;
  else if (policy == "weekly")
    period = 7 * 24 * 3600;
  else if (policy.rfind("every_", 0) == 0) {
    auto ns = gocompat::parse_duration_ns(policy.substr(6));
    if (!ns || *ns <= 0)
      throw std::invalid_argument("invalid pull_policy \"" + policy +
                                  "\": every_<duration> needs a positive duration such as every_12h");
    period = *ns / 1'000'000'000;
  } else {
    throw std::invalid_argument("invalid pull_policy \"" + policy +
                                "\": expected always, missing, never, build, daily, weekly or every_<duration>");
  }
  return !present || now - last_pull >= period;
}

void pull_images(const model::Project& project, image::ImageStore& store, progress::Progress& shown,
                 const ImagePullOptions& options) {
  progress::Progress silent(progress::ProgressMode::Quiet, std::cerr);
  progress::Progress& progress = options.quiet ? silent : shown;
  // Which images, for which services (one pull per image; the first service names it).
  struct Job {
    std::string service;
    image::Reference ref;
    std::optional<image::Platform> platform;
  };
  std::vector<Job> jobs;
  std::set<std::string> seen;
  PullTimes times(store.root() + "/image-pulls.json");
  const long long now = unix_now();
  for (const auto& [name, svc] : project.services) {
    if (!options.services.empty() &&
        std::find(options.services.begin(), options.services.end(), name) == options.services.end())
      continue;
    if (svc.image.empty()) continue;  // built, not pulled
    if (options.ignore_buildable && svc.build) continue;
    std::string policy = options.policy.empty() ? svc.pull_policy : options.policy;
    if (options.explicit_pull && (policy.empty() || policy == "missing" || policy == "if_not_present"))
      policy = "always";
    if (options.explicit_pull && policy == "build") continue;
    image::Reference ref;
    try {
      ref = image::parse_reference(svc.image);
    } catch (const std::invalid_argument& e) {
      throw std::runtime_error("service \"" + name + "\": " + e.what());
    }
    bool needed;
    try {
      needed = pull_needed(policy, store.resolve(ref).has_value(), times.get(ref.str()), now);
    } catch (const std::invalid_argument& e) {
      throw std::runtime_error("service \"" + name + "\": " + e.what());
    }
    if (!needed || !seen.insert(ref.str()).second) continue;
    std::optional<image::Platform> platform;
    if (!svc.platform.empty()) platform = image::parse_platform(svc.platform);
    jobs.push_back({name, ref, platform});
  }
  if (jobs.empty()) return;

  registry::Config config = registry::load_config(options.environment);
  registry::CredentialStore creds(registry::docker_config_path(options.environment));
  std::mutex mu;
  std::vector<std::pair<std::string, std::string>> failures;  // service, message
  ParallelLimit limit(options.parallel);
  auto run = [&](const Job& job) {
    ParallelLimit::Slot slot(limit);
    progress.event("", job.service, "Pulling");
    registry::Puller puller(store, config, creds);
    registry::PullOptions po;
    po.platform = job.platform;
    std::map<std::string, std::chrono::steady_clock::time_point> last;  // Downloading, throttled per layer
    po.on_event = [&](const registry::PullEvent& e) {
      if (e.id.empty()) return;  // "Digest:", "Status:" lines are `image pull`'s
      if (e.status == "Downloading") {
        auto t = std::chrono::steady_clock::now();
        auto& prev = last[e.id];
        if (t - prev < std::chrono::milliseconds(500) && e.current < e.total) return;
        prev = t;
        progress.event("", e.id, e.status, "[" + human_bytes(e.current) + "/" + human_bytes(e.total) + "]");
        return;
      }
      progress.event("", e.id, e.status);
    };
    try {
      puller.pull(job.ref, po);
      times.set(job.ref.str(), unix_now());
      progress.event("", job.service, "Pulled");
    } catch (const std::exception& e) {
      progress.error("", job.service, e.what());
      std::lock_guard lk(mu);
      failures.emplace_back(job.service, e.what());
    }
  };
  std::vector<std::thread> threads;
  for (const auto& job : jobs) threads.emplace_back(run, std::cref(job));
  for (auto& t : threads) t.join();
  if (failures.empty()) return;
  if (options.ignore_failures) {
    for (const auto& [service, text] : failures)
      progress.warning("pull of service \"" + service + "\" failed: " + text);
    return;
  }
  throw std::runtime_error(failures.front().second);
}

}  // namespace berth::engine
