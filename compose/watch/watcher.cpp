// The watch loop (see watcher.hpp). Messages are docker compose's (pkg/compose/watch.go); the
// engine work of an action runs on a fresh Engine over the project loaded when watching began,
// as docker compose keeps its project, so each action sees the containers as they are now.
#include "compose/watch/watcher.hpp"

#include <poll.h>
#include <sys/stat.h>

#include <algorithm>
#include <iostream>

#include "common/dir_list.hpp"
#include "compose/build/build_progress.hpp"
#include "compose/engine/image_build.hpp"
#include "compose/image/reference.hpp"
#include "compose/image/store.hpp"
#include "compose/interactive/exec_session.hpp"
#include "compose/loader/discover.hpp"
#include "compose/model/dependencies.hpp"
#include "compose/model/service_image.hpp"
#include "compose/project/project_context.hpp"
#include "compose/watch/container_sync.hpp"

namespace berth::watch {

namespace {

bool is_sync(const model::WatchTrigger& t) { return t.action == "sync" || t.action == "sync+restart"; }

/// checkIfPathAlreadyBindMounted: `path` is at or below the source of a bind mount.
bool bind_mounted(const std::string& path, const model::Service& svc) {
  for (const auto& v : svc.volumes)
    if (v.type == "bind" && !v.source.empty() && is_child(v.source, path)) return true;
  return false;
}

/// The files (not directories) below `dir`, for an initial sync; skipped directories are not entered.
void list_files(const std::string& dir, const std::function<bool(const std::string&)>& skip,
                std::vector<std::string>& out) {
  std::vector<std::string> names;
  try {
    names = list_dir(dir);
  } catch (const std::exception&) {
    return;
  }
  for (const auto& name : names) {
    const std::string path = dir + "/" + name;
    if (skip(path)) continue;
    struct stat st {};
    if (::lstat(path.c_str(), &st) != 0) continue;
    if (S_ISDIR(st.st_mode))
      list_files(path, skip, out);
    else
      out.push_back(path);
  }
}

std::vector<std::string> running_ids(engine::Engine& eng, const std::string& service) {
  std::vector<std::string> ids;
  for (const auto& o : eng.observe({service}))
    if (o.status.status == "running") ids.push_back(o.record.id);
  return ids;
}

}  // namespace

std::string quoted_list(const std::vector<std::string>& items) {
  std::string out = "[";
  for (size_t i = 0; i < items.size(); ++i) {
    if (i) out += ' ';
    out += '"';
    for (char c : items[i]) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += '"';
  }
  return out + "]";
}

Watcher::Watcher(state::Paths paths, const loader::Project& loaded, progress::ProgressMode mode, bool color,
                 WatchOptions options)
    : m_paths(std::move(paths)),
      m_loaded(loaded),
      m_mode(mode),
      m_color(color),
      m_notes(std::make_unique<progress::Progress>(mode, std::cerr, color)),
      m_options(std::move(options)) {
  const model::Project& model = m_loaded.model;
  std::set<std::string> selected;
  if (m_options.services.empty()) {
    for (const auto& [name, svc] : model.services) selected.insert(name);
  } else {
    for (const auto& s : m_options.services)
      if (!model.services.count(s)) throw std::runtime_error("no such service: " + s);
    selected = model::with_dependencies(model::dependency_map(model), m_options.services);
  }
  for (const auto& name : selected) {
    const model::Service& svc = model.services.at(name);
    if (!svc.develop) continue;
    for (const auto& trigger : svc.develop->watch) {
      if (trigger.action == "rebuild" && !svc.build)
        throw std::runtime_error("can't watch service \"" + name + "\" with action rebuild without a build context");
      if (trigger.action == "sync+exec" && (!trigger.exec.command || trigger.exec.command->empty()))
        throw std::runtime_error("can't watch with action \"sync+exec\" on service " + name + " without a command");
    }
    std::vector<WatchRule> rules = watch_rules(svc);
    for (auto& rule : rules) {
      if (is_sync(rule.trigger) && bind_mounted(rule.trigger.path, svc)) {
        m_notes->warning("path '" + rule.trigger.path +
                         "' also declared by a bind mount volume, this path won't be monitored!");
        continue;
      }
      if (rule.trigger.initial_sync && is_sync(rule.trigger)) m_initial.emplace_back(name, rule);
      m_paths_watched.push_back(rule.trigger.path);
      m_rules.push_back(std::move(rule));
    }
  }
  if (m_paths_watched.empty())
    throw std::runtime_error(
        "none of the selected services is configured for watch, consider setting a 'develop' section");
}

Watcher::~Watcher() = default;

void Watcher::log(const std::string& line) const {
  if (m_options.log) {
    m_options.log(line);
  } else {
    std::cout << line << std::endl;
  }
}

std::unique_ptr<engine::Engine> Watcher::engine_for(progress::Progress& progress,
                                                    const std::vector<std::string>& services,
                                                    bool require_images) const {
  auto ctx = std::make_unique<project::ProjectContext>(
      project::make_context(m_loaded, image::ImageStore(m_paths.root), {}, services, require_images));
  auto eng = std::make_unique<engine::Engine>(m_paths, m_loaded.name, progress, std::move(ctx));
  eng->set_parallel(m_options.parallel);
  return eng;
}

void Watcher::start() {
  for (const auto& [service, rule] : m_initial) initial_sync(m_loaded.model.services.at(service), rule);
  m_tree = std::make_unique<InotifyTree>(m_paths_watched);
  log("Watch enabled");
}

void Watcher::initial_sync(const model::Service& service, const WatchRule& rule) {
  // docker compose's initialSync: the rule's ignores plus the Dockerfile and compose files.
  std::set<std::string> names(loader::kDefaultFileNames.begin(), loader::kDefaultFileNames.end());
  names.insert({"Dockerfile", "compose.override.yml", "compose.override.yaml", "docker-compose.override.yml",
                "docker-compose.override.yaml"});
  if (service.build && !service.build->dockerfile.empty())
    names.insert(service.build->dockerfile.substr(service.build->dockerfile.rfind('/') + 1));
  auto skip = [&](const std::string& path) {
    if (names.count(path.substr(path.rfind('/') + 1)) || bind_mounted(path, service)) return true;
    return std::any_of(rule.ignore.begin(), rule.ignore.end(), [&](const PathMatcher& m) { return m.matches(path); });
  };
  const std::string& root = rule.trigger.path;
  std::vector<PathMapping> mappings;
  struct stat st {};
  if (::stat(root.c_str(), &st) != 0)
    throw std::runtime_error("initial sync of service \"" + service.name + "\": `" + root + "` does not exist");
  if (S_ISDIR(st.st_mode)) {
    std::vector<std::string> files;
    list_files(root, skip, files);
    for (const auto& f : files) mappings.push_back({f, rule.trigger.target + f.substr(root.size())});
  } else if (S_ISREG(st.st_mode) && !skip(root)) {
    mappings.push_back({root, rule.trigger.target});
  }
  sync(service.name, mappings);
}

void Watcher::run() {
  std::set<std::string> pending;
  auto last_change = std::chrono::steady_clock::now();
  while (!(m_options.stop && m_options.stop())) {
    pollfd p{m_tree->fd(), POLLIN, 0};
    const int ready = ::poll(&p, 1, 100);
    if (ready > 0) {
      std::vector<std::string> changed;
      if (!m_tree->read_events(changed))
        m_notes->warning("file change events were lost (inotify queue overflow); some changes may be missed");
      if (!changed.empty()) {
        pending.insert(changed.begin(), changed.end());
        last_change = std::chrono::steady_clock::now();
      }
    }
    if (pending.empty() || std::chrono::steady_clock::now() - last_change < kQuietPeriod) continue;
    std::vector<std::string> batch(pending.begin(), pending.end());
    pending.clear();
    if (batch.size() > 1000) {
      m_notes->warning("Very large batch of file changes detected: " + std::to_string(batch.size()) +
                       " files. This may impact performance.");
      log("Large batch of file changes detected. If you just switched branches, this is expected.");
    }
    try {
      handle_batch(batch);
    } catch (const std::exception& e) {
      m_notes->warning(std::string("Error handling changed files: ") + e.what());
    }
  }
}

void Watcher::handle_batch(const std::vector<std::string>& batch) {
  std::set<std::string> rebuilds, restarts;
  std::map<std::string, std::vector<PathMapping>> syncs;
  std::map<std::string, std::set<size_t>> execs;  ///< service → indexes of its sync+exec rules
  for (const auto& path : batch) {
    for (size_t i = 0; i < m_rules.size(); ++i) {
      const WatchRule& rule = m_rules[i];
      auto mapping = rule.matches(path);
      if (!mapping) continue;
      const std::string& action = rule.trigger.action;
      if (action == "rebuild") {
        rebuilds.insert(rule.service);
      } else if (action == "restart") {
        restarts.insert(rule.service);
      } else if (action == "sync" || action == "sync+restart" || action == "sync+exec") {
        syncs[rule.service].push_back(*mapping);
        if (action == "sync+restart") restarts.insert(rule.service);
        if (action == "sync+exec") execs[rule.service].insert(i);
      }
    }
  }
  if (!rebuilds.empty()) rebuild({rebuilds.begin(), rebuilds.end()});
  for (const auto& [service, mappings] : syncs) {
    log("Syncing service \"" + service + "\" after " + std::to_string(mappings.size()) + " changes were detected");
    sync(service, mappings);
  }
  if (!restarts.empty()) restart({restarts.begin(), restarts.end()});
  for (const auto& [service, rules] : execs)
    for (size_t i : rules) exec(service, m_rules[i].trigger.exec);
}

void Watcher::sync(const std::string& service, const std::vector<PathMapping>& mappings) {
  progress::Progress quiet(progress::ProgressMode::Quiet, std::cerr);
  auto eng = engine_for(quiet, {service}, false);
  for (const auto& id : running_ids(*eng, service)) {
    try {
      sync_into(open_container_root(m_paths, id), mappings);
    } catch (const std::exception& e) {
      throw std::runtime_error("copying files to " + id + ": " + e.what());
    }
  }
}

void Watcher::rebuild(const std::vector<std::string>& services) {
  const std::string names = quoted_list(services);
  log("Rebuilding service(s) " + names + " after changes were detected...");
  // What the services' image names point at now: with --prune, the images the rebuild replaces
  // go once no container of the project uses them (docker compose's dangling images of the project).
  image::ImageStore store(m_paths.root);
  std::map<std::string, image::Digest> before;
  for (const auto& s : services)
    if (auto ref = image::try_parse_reference(model::service_image(m_loaded.model, s)))
      if (auto rec = store.resolve(*ref)) before.emplace(s, rec->manifest_digest);

  progress::Progress progress(m_mode, std::cerr, m_color);
  engine::ImageBuildOptions build;
  build.services = services;
  build.quiet = m_options.quiet;
  build.parallel = m_options.parallel;
  build.environment = m_options.environment;
  build.root = m_paths.root;
  build.run = m_paths.run;
  try {
    build::BuildProgress output(std::cout, m_options.quiet);
    engine::build_images(m_loaded.model, progress, output, build);
  } catch (const std::exception& e) {
    log(std::string("Build failed. Error: ") + e.what());
    throw;
  }
  log("service(s) " + names + " successfully built");
  try {
    auto eng = engine_for(progress, services, true);
    eng->lock();
    plan::UpOptions opts;
    opts.services = services;
    opts.no_deps = true;
    opts.force_recreate = true;
    plan::Plan plan = eng->plan_up(opts);
    eng->check_ports(plan);
    eng->execute(plan, engine::ExecutorOptions{});
    eng->sync_dns();
    progress.finish();
    if (m_options.prune) {
      std::set<std::string> used;
      for (const auto& o : eng->observe({}, true)) used.insert(o.record.image_id);
      auto lock = store.lock();
      for (const auto& [service, manifest] : before) {
        image::ImageRecord old = store.record(manifest);
        if (old.names.empty() && !used.count(old.config_digest.str())) store.remove_image(lock, manifest);
      }
    }
  } catch (const std::exception& e) {
    log(std::string("Failed to recreate services after update. Error: ") + e.what());
    throw;
  }
}

void Watcher::restart(const std::vector<std::string>& services) {
  progress::Progress progress(m_mode, std::cerr, m_color);
  auto eng = engine_for(progress, {}, false);
  eng->lock();
  eng->restart(services, std::nullopt, false);
  progress.finish();
  log("service(s) " + quoted_list(services) + " restarted");
}

void Watcher::exec(const std::string& service, const model::ServiceHook& hook) {
  progress::Progress quiet(progress::ProgressMode::Quiet, std::cerr);
  auto eng = engine_for(quiet, {service}, false);
  for (const auto& id : running_ids(*eng, service)) {
    interactive::ExecOptions eo;
    eo.interactive = false;
    eo.request.args = hook.command.value_or(std::vector<std::string>{});
    for (const auto& [key, value] : hook.environment)
      if (value) eo.request.env.push_back(key + "=" + *value);
    eo.request.user = hook.user;
    eo.request.cwd = hook.working_dir;
    eo.request.privileged = hook.privileged;
    const int code = interactive::run_exec(m_paths, id, eo);
    if (code != 0) throw std::runtime_error("exec in " + id + ": exit status " + std::to_string(code));
  }
}

}  // namespace berth::watch
