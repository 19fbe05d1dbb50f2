// `berth run` on top of the engine: the project is planned as `up <service>` would, minus the
// service's own containers (so networks, volumes and dependencies come out exactly as with
// `up`), then the one-off is created by ContainerRuntime from a copy of the project context
// whose service carries the overrides. ContainerRuntime::create makes regular containers, so
// the one-off mark (record + com.docker.compose.oneoff label) is set right after, before its
// shim starts and while the project lock is held.
//
// Attached (the default), the one-off is created with org.berth.attach-pending (its shim keeps
// the output written before we attach) and org.berth.stdin-once (our stdin's end is its EOF),
// and sized like our terminal, then attached through the shim's `attach` op as `docker run -it`.
#include "compose/interactive/run_oneoff.hpp"

#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <random>
#include <set>

#include "common/atomic_file.hpp"
#include "compose/interactive/attach_session.hpp"
#include "compose/interactive/attach_signals.hpp"
#include "compose/loader/dotenv.hpp"
#include "compose/loader/normalize.hpp"
#include "compose/model/json_io.hpp"
#include "compose/plan/actions.hpp"

namespace berth::interactive {

namespace fs = std::filesystem;

namespace {

std::pair<std::string, std::optional<std::string>> split_kv(const std::string& item) {
  auto eq = item.find('=');
  if (eq == std::string::npos) return {item, std::nullopt};
  return {item.substr(0, eq), item.substr(eq + 1)};
}

void write_all(int fd, std::string_view s) {
  while (!s.empty()) {
    ssize_t n = ::write(fd, s.data(), s.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    s.remove_prefix(static_cast<size_t>(n));
  }
}

}  // namespace

std::string oneoff_name(const std::string& project, const std::string& service, const std::string& separator) {
  std::random_device rd;
  std::string hex;
  static constexpr char kHex[] = "0123456789abcdef";
  for (int i = 0; i < 12; ++i) hex += kHex[rd() % 16];
  return project + separator + service + separator + "run" + separator + hex;
}

void apply_run_overrides(model::Service& svc, const RunOptions& o, const std::string& working_dir,
                         const std::map<std::string, std::string>& project_env) {
  if (!o.service_ports) svc.ports.clear();
  for (const auto& p : o.publish) {
    try {
      for (auto& port : loader::parse_port_spec(p)) svc.ports.push_back(model::port_from_json(port));
    } catch (const std::invalid_argument& e) {
      throw std::runtime_error(std::string("invalid -p value: ") + e.what());
    }
  }
  for (const auto& v : o.volumes) {
    model::ServiceVolume vol;
    try {
      vol = model::service_volume_from_json(loader::parse_volume_spec(v));
    } catch (const std::invalid_argument& e) {
      throw std::runtime_error(std::string("invalid -v value: ") + e.what());
    }
    if (vol.type == "bind") {
      std::string& src = vol.source;
      if (src.rfind("~", 0) == 0 && std::getenv("HOME")) src = std::getenv("HOME") + src.substr(1);
      if (!src.empty() && src[0] != '/') src = (fs::path(working_dir) / src).lexically_normal().string();
    }
    svc.volumes.push_back(std::move(vol));
  }
  for (const auto& e : o.env) {
    auto [k, v] = split_kv(e);
    if (k.empty()) throw std::runtime_error("invalid -e value: \"" + e + "\"");
    if (!v) {
      auto from_env = project_env.find(k);
      if (from_env == project_env.end()) continue;  // docker compose: an unset KEY is left out
      v = from_env->second;
    }
    svc.environment[k] = *v;
  }
  std::set<std::string> given;  // docker compose: a variable -e names is not taken from the files
  for (const auto& e : o.env) given.insert(split_kv(e).first);
  loader::Lookup lookup = [&project_env](std::string_view name) -> std::optional<std::string> {
    auto it = project_env.find(std::string(name));
    return it == project_env.end() ? std::nullopt : std::optional<std::string>(it->second);
  };
  for (const auto& file : o.env_files)
    for (const auto& [k, v] : loader::read_env_file(file, "", lookup))
      if (!given.count(k)) svc.environment[k] = v;
  for (const auto& l : o.labels) {
    auto [k, v] = split_kv(l);
    svc.labels[k] = v.value_or("");
  }
  // As docker compose: an added capability is no longer dropped, a dropped one no longer added.
  auto listed_in = [](const std::vector<std::string>& caps) {
    return [&caps](const std::string& c) { return std::find(caps.begin(), caps.end(), c) != caps.end(); };
  };
  if (!o.cap_add.empty()) {
    svc.cap_add.insert(svc.cap_add.end(), o.cap_add.begin(), o.cap_add.end());
    std::erase_if(svc.cap_drop, listed_in(o.cap_add));
  }
  if (!o.cap_drop.empty()) {
    svc.cap_drop.insert(svc.cap_drop.end(), o.cap_drop.begin(), o.cap_drop.end());
    std::erase_if(svc.cap_add, listed_in(o.cap_drop));
  }
  if (!o.user.empty()) svc.user = o.user;
  if (!o.workdir.empty()) svc.working_dir = o.workdir;
  svc.tty = o.tty;
  svc.stdin_open = o.interactive;
  if (!o.command.empty()) svc.command = o.command;
  if (o.entrypoint) {
    try {
      svc.entrypoint = loader::split_shell_words(*o.entrypoint);
    } catch (const std::invalid_argument& e) {
      throw std::runtime_error(std::string("invalid --entrypoint: ") + e.what());
    }
    if (o.command.empty()) svc.command.reset();  // docker: a new entrypoint drops the image's cmd
  }
  svc.container_name.clear();
  svc.deploy.reset();
}

namespace {

/// Our terminal's size, for the container's pty before anything runs in it.
std::optional<std::pair<unsigned short, unsigned short>> terminal_size() {
  winsize ws{};
  for (int fd : {STDOUT_FILENO, STDIN_FILENO})
    if (::ioctl(fd, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0) return std::pair{ws.ws_row, ws.ws_col};
  return std::nullopt;
}

/// Networks, volumes and (unless no_deps) dependencies: the plan of `up <service>` without the service.
plan::Plan dependencies_plan(engine::Engine& engine, const RunOptions& o) {
  plan::UpOptions up;
  up.services = {o.service};
  up.no_deps = o.no_deps;
  up.remove_orphans = o.remove_orphans;
  plan::Plan p = engine.plan_up(up);
  p.services.erase(o.service);
  return p;
}

/// Makes what dependencies_plan() names, as `up` does.
void prepare_project(engine::Engine& engine, const RunOptions& o) {
  plan::Plan p = dependencies_plan(engine, o);
  engine.warn_orphans(p);  // as `up` does (docker compose run warns too)
  engine.check_ports(p);
  engine.execute(p, engine::ExecutorOptions{});
}

/// --dry-run: the dependencies' plan and the one-off's creation and start, in docker compose's
/// dry-run lines; nothing is made.
void print_dry_run_oneoff(engine::Engine& engine, const RunOptions& o, const std::string& name) {
  plan::print_dry_run(std::cerr, dependencies_plan(engine, o));
  std::cerr << "DRY-RUN MODE -  Container " << name << " Create, Start \n";
}

/// Creates the one-off from a copy of the context with the overridden service.
std::string create_oneoff(engine::Engine& engine, progress::Progress& progress, const RunOptions& o,
                          const std::string& name) {
  project::ProjectContext ctx = *engine.context();
  apply_run_overrides(ctx.loaded.model.services.at(o.service), o, ctx.loaded.working_dir, ctx.loaded.environment);

  runtime::ContainerRuntime runtime(engine.paths(), engine.store(), &ctx, progress);
  plan::Action a;
  a.kind = plan::ActionKind::CreateContainer;
  a.service = o.service;
  a.name = name;
  a.number = 1;
  progress.event("Container", name, "Creating");
  std::string id = runtime.create(a);
  // The one-off mark: in the record and in the label berth-shim's bundle carries.
  const std::string config_path = engine.paths().bundle_dir(id) + "/config.json";
  nlohmann::json config = nlohmann::json::parse(read_file(config_path));
  config["annotations"]["com.docker.compose.oneoff"] = "True";
  if (!o.detach) {  // we attach right after the start: keep what comes before, stdin is ours
    config["annotations"]["org.berth.attach-pending"] = "true";
    config["annotations"]["org.berth.stdin-once"] = "true";
    if (auto size = o.tty ? terminal_size() : std::nullopt)
      config["process"]["consoleSize"] = nlohmann::json{{"height", size->first}, {"width", size->second}};
  }
  write_file_atomic(config_path, config.dump(2) + "\n", 0600);
  engine.store().update([&](state::ProjectState& s) {
    if (auto* c = s.find_container(id)) {
      c->oneoff = true;
      // Like `docker compose run` without --use-aliases: not reachable by the service name nor
      // the service's network aliases (by its container name only).
      if (!o.use_aliases) {
        const model::Service& svc = ctx.loaded.model.services.at(o.service);
        for (auto& ep : c->endpoints) {
          std::erase(ep.names, o.service);
          if (auto n = svc.networks.find(ep.network); n != svc.networks.end() && n->second)
            for (const auto& alias : n->second->aliases) std::erase(ep.names, alias);
        }
      }
    }
  });
  progress.event("Container", name, "Created");
  return id;
}

/// Copies between the container and our stdio until it exits (its exit code) or the detach
/// keys are typed (nullopt); Ctrl+C that reaches us (no terminal in raw mode) goes to the
/// container: SIGINT, then SIGKILL on the second.
std::optional<int> attach_oneoff(engine::Engine& engine, const std::string& id, const RunOptions& o) {
  InterruptWatch interrupts;
  int forwarded = 0;
  StdioPumpOptions io;
  io.interactive = o.interactive;
  io.detach_keys = parse_detach_keys("ctrl-p,ctrl-q");
  io.on_signal = [&] {
    if (int n = interrupts.count(); n > forwarded) {
      forwarded = n;
      try {
        engine.runtime().kill(id, n == 1 ? "SIGINT" : "SIGKILL");
      } catch (const std::exception&) {  // it exited meanwhile
      }
    }
  };
  return attach_container(engine.paths(), id, io);
}

}  // namespace

int run_oneoff(engine::Engine& engine, progress::Progress& progress, const RunOptions& o) {
  if (!engine.context()) throw std::runtime_error("run needs a compose file");
  if (!engine.context()->loaded.model.services.count(o.service))
    throw std::runtime_error("no such service: " + o.service);
  const std::string name =
      o.name.empty() ? oneoff_name(engine.project(), o.service, engine.context()->desired.separator) : o.name;
  engine.lock();
  if (o.dry_run) {
    print_dry_run_oneoff(engine, o, name);
    return 0;
  }
  prepare_project(engine, o);
  std::string id = create_oneoff(engine, progress, o, name);
  try {
    engine.runtime().start(id);
  } catch (...) {
    if (o.rm) engine.runtime().remove(id);
    throw;
  }
  engine.sync_dns();
  progress.finish();
  if (o.detach) {
    write_all(STDOUT_FILENO, name + "\n");
    return 0;
  }
  engine.unlock();  // ps, logs, exec may run while we wait
  auto remove = [&] {
    engine.lock();
    engine.store().load();
    engine.runtime().remove(id);
    engine.runtime().remove_anonymous_volumes();
    engine.sync_dns();
  };
  std::optional<int> code;
  try {
    code = attach_oneoff(engine, id, o);
  } catch (...) {
    if (o.rm) remove();
    throw;
  }
  if (!code) {  // detach keys: it runs on, and nobody is left to remove it when it exits
    write_all(STDERR_FILENO, "\r\nDetached from " + name +
                                 (o.rm ? " (--rm no longer applies: remove it with `berth rm -sf` or `down`)" : "") +
                                 "\r\n");
    return 0;
  }
  if (o.rm) remove();
  return *code;
}

}  // namespace berth::interactive
