// Container selection shared by logs, exec, top, port, images.
#include "compose/engine/exec_target.hpp"

#include <algorithm>
#include <stdexcept>

namespace berth::engine {

std::vector<ObservedRecord> select_containers(Engine& engine, const std::vector<std::string>& services, int index,
                                              bool include_oneoff) {
  if (const project::ProjectContext* ctx = engine.context())
    for (const auto& s : services)
      if (!ctx->loaded.model.services.count(s)) throw std::runtime_error("no such service: " + s);
  auto observed = engine.observe(services, include_oneoff);
  if (index > 0)
    std::erase_if(observed, [&](const ObservedRecord& o) { return o.record.number != index || o.record.oneoff; });
  std::sort(observed.begin(), observed.end(), [](const ObservedRecord& a, const ObservedRecord& b) {
    if (a.record.service != b.record.service) return a.record.service < b.record.service;
    if (a.record.oneoff != b.record.oneoff) return !a.record.oneoff;
    if (a.record.number != b.record.number) return a.record.number < b.record.number;
    return a.record.name < b.record.name;
  });
  return observed;
}

bool known_service(const Engine& engine, const std::string& service) {
  const project::ProjectContext* ctx = engine.context();
  return !ctx || ctx->loaded.model.services.count(service) > 0;
}

ObservedRecord running_container(Engine& engine, const std::string& service, int index, bool must_run) {
  auto all = select_containers(engine, {service});
  if (all.empty() && index <= 0) {
    // As docker compose: no service container, but a one-off (`run -d`) of the service runs.
    for (const auto& o : select_containers(engine, {service}, 0, true))
      if (o.record.oneoff && (o.status.status == "running" || o.status.status == "paused")) return o;
  }
  if (all.empty()) throw std::runtime_error("no container found for service \"" + service + "\"");
  int wanted = index > 0 ? index : 1;
  for (const auto& o : all) {
    if (o.record.number != wanted) continue;
    bool running = o.status.status == "running" || o.status.status == "paused" || o.status.status == "restarting";
    if (must_run && !running) {
      if (index > 0)
        throw std::runtime_error("service \"" + service + "\" is not running container #" + std::to_string(index));
      throw std::runtime_error("service \"" + service + "\" is not running");
    }
    return o;
  }
  if (index > 0)
    throw std::runtime_error("service \"" + service + "\" is not running container #" + std::to_string(index));
  throw std::runtime_error("service \"" + service + "\" is not running");
}

}  // namespace berth::engine
