// The process of the container, image config + service as Docker combines them:
//  - args: an `entrypoint` in the service replaces the image's and drops the image's Cmd (Docker
//    resets Cmd when the entrypoint is overridden); `command` replaces Cmd; `entrypoint: []`
//    clears the image's entrypoint.
//  - env: PATH (Docker's default), HOSTNAME, TERM=xterm with a tty, then the image's Env, then the
//    service's environment, each replacing a variable of the same name in place; a service
//    variable without a value (unset in the project) removes it, as the daemon does.
//  - cwd: working_dir, else the image's WorkingDir, else "/"; user: user, else the image's User,
//    resolved by the shim inside the rootfs (org.berth.user).
//  - supervision annotations: healthcheck (the service's fields over the image's, field by field,
//    as the daemon merges them; disable / NONE turn it off), stop signal and grace period, restart
//    (or deploy.restart_policy), init.
#include <unistd.h>

#include <cctype>
#include <climits>

#include "compose/bundle/container_spec_detail.hpp"

namespace berth::bundle::detail {

namespace {

void set_env(std::vector<std::string>& env, const std::string& entry) {
  const std::string key = entry.substr(0, entry.find('='));
  for (auto& e : env)
    if (e.substr(0, e.find('=')) == key) {
      e = entry;
      return;
    }
  env.push_back(entry);
}

std::vector<std::string> build_args(Build& b) {
  const model::Service& s = b.in.service;
  std::vector<std::string> entrypoint = b.image.entrypoint, cmd = b.image.cmd;
  if (s.entrypoint) {
    entrypoint = *s.entrypoint;
    cmd.clear();
  }
  if (s.command) cmd = *s.command;
  std::vector<std::string> args = entrypoint;
  args.insert(args.end(), cmd.begin(), cmd.end());
  if (args.empty()) b.fail("command", "no command specified: neither the service nor the image gives one");
  return args;
}

std::vector<std::string> build_env(Build& b) {
  std::vector<std::string> env{std::string("PATH=") + kDefaultPath, "HOSTNAME=" + b.hostname};
  if (b.in.service.tty) env.push_back("TERM=xterm");
  for (const auto& e : b.in.link_env) set_env(env, e);  // Docker: before the container's own
  for (const auto& e : b.image.env) set_env(env, e);
  for (const auto& [k, v] : b.in.service.environment) {
    if (v)
      set_env(env, k + "=" + *v);
    else  // `environment: [VAR]` with VAR unset in the project: Docker removes VAR, an image's too
      std::erase_if(env, [&](const std::string& e) { return e.substr(0, e.find('=')) == k; });
  }
  return env;
}

std::string signal_name(const std::string& s) {
  if (s.empty()) return s;
  if (std::isdigit(static_cast<unsigned char>(s[0]))) return s;
  std::string up;
  for (char c : s) up += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return up.rfind("SIG", 0) == 0 ? up : "SIG" + up;
}

void add_healthcheck(Build& b) {
  const auto& svc = b.in.service.healthcheck;
  image::ImageHealthcheck hc = b.image.healthcheck.value_or(image::ImageHealthcheck{});
  if (svc) {
    if (svc->disable) return;
    if (!svc->test.empty()) hc.test = svc->test;
    if (svc->interval) hc.interval = std::chrono::nanoseconds(svc->interval->nanoseconds);
    if (svc->timeout) hc.timeout = std::chrono::nanoseconds(svc->timeout->nanoseconds);
    if (svc->start_period) hc.start_period = std::chrono::nanoseconds(svc->start_period->nanoseconds);
    if (svc->start_interval) hc.start_interval = std::chrono::nanoseconds(svc->start_interval->nanoseconds);
    if (svc->retries) hc.retries = static_cast<int>(*svc->retries);
  }
  if (hc.test.empty() || hc.test[0] == "NONE") return;
  // compose-go keeps a plain string test as ["CMD-SHELL", "..."]; a bare list without CMD/CMD-SHELL
  // is what Docker treats as CMD.
  if (hc.test[0] != "CMD" && hc.test[0] != "CMD-SHELL") hc.test.insert(hc.test.begin(), "CMD");
  nlohmann::json h = {{"test", hc.test}};
  if (hc.interval.count() > 0) h["interval_ns"] = hc.interval.count();
  if (hc.timeout.count() > 0) h["timeout_ns"] = hc.timeout.count();
  if (hc.start_period.count() > 0) h["start_period_ns"] = hc.start_period.count();
  if (hc.start_interval.count() > 0) h["start_interval_ns"] = hc.start_interval.count();
  if (hc.retries > 0) h["retries"] = hc.retries;
  b.config["annotations"]["org.berth.healthcheck"] = h.dump();
  b.spec.healthcheck = true;
}

std::string restart_policy(Build& b) {
  const model::Service& s = b.in.service;
  if (!s.restart.empty()) {
    if (s.restart == "no" || s.restart == "always" || s.restart == "unless-stopped" || s.restart == "on-failure")
      return s.restart;
    if (s.restart.rfind("on-failure:", 0) == 0 && s.restart.size() > 11 &&
        s.restart.find_first_not_of("0123456789", 11) == std::string::npos)
      return s.restart;
    b.warn("restart", "unknown policy \"" + s.restart + "\", using \"no\"");
    return "no";
  }
  // deploy.restart_policy, as docker compose maps it for non-swarm containers.
  if (s.deploy && s.deploy->restart_policy) {
    const auto& rp = *s.deploy->restart_policy;
    if (rp.condition == "none") return "no";
    if (rp.condition == "on-failure")
      return rp.max_attempts ? "on-failure:" + std::to_string(*rp.max_attempts) : "on-failure";
    if (rp.delay || rp.window) b.warn("deploy.restart_policy", "delay and window are not supported, ignored");
    return "always";  // "any" and the default
  }
  return "no";
}

}  // namespace

void build_process(Build& b) {
  const SpecInput& in = b.in;
  const model::Service& s = in.service;

  if (!s.hostname.empty()) {
    b.hostname = s.hostname;
  } else if (s.network_mode == "host") {
    char host[HOST_NAME_MAX + 1] = {};
    ::gethostname(host, sizeof host - 1);
    b.hostname = host;  // Docker shows the host's name in the host's network
  } else {
    b.hostname = in.id.id.substr(0, 12);
  }
  b.config["hostname"] = b.hostname;
  if (!s.domainname.empty()) b.config["domainname"] = s.domainname;

  nlohmann::json process = nlohmann::json::object();
  process["terminal"] = s.tty;
  // Without a tty, stdin_open keeps a pipe the shim hands to `attach` (a tty is stdin itself).
  if (s.stdin_open && !s.tty) b.config["annotations"]["org.berth.open-stdin"] = "true";
  process["args"] = build_args(b);
  process["env"] = build_env(b);
  std::string cwd = !s.working_dir.empty() ? s.working_dir : b.image.working_dir;
  if (cwd.empty()) cwd = "/";
  if (cwd[0] != '/') b.fail("working_dir", "\"" + cwd + "\" is not an absolute path");
  process["cwd"] = cwd;
  process["user"] = {{"uid", 0}, {"gid", 0}};

  std::string user = !s.user.empty() ? s.user : b.image.user;
  if (!user.empty()) b.config["annotations"]["org.berth.user"] = user;
  std::vector<unsigned> gids;
  for (const auto& g : s.group_add) {
    if (!g.empty() && g.find_first_not_of("0123456789") == std::string::npos && g.size() < 10)
      gids.push_back(static_cast<unsigned>(std::stoul(g)));
    else
      b.warn("group_add", "group \"" + g + "\": only numeric group ids are supported, ignored");
  }
  if (!gids.empty()) process["user"]["additionalGids"] = gids;
  b.config["process"] = process;

  auto& ann = b.config["annotations"];
  add_healthcheck(b);
  std::string stop_signal = signal_name(!s.stop_signal.empty() ? s.stop_signal : b.image.stop_signal);
  if (!stop_signal.empty()) ann["org.berth.stop-signal"] = stop_signal;
  if (s.stop_grace_period) {
    // Docker truncates the grace period to whole seconds (StopTimeout is an int).
    long long secs = s.stop_grace_period->nanoseconds / 1'000'000'000LL;
    if (secs < 0) secs = 0;
    ann["org.berth.stop-timeout"] = std::to_string(secs);
  }
  ann["org.berth.restart"] = restart_policy(b);
  ann["org.berth.init"] = s.init.value_or(false) ? "true" : "false";
}

}  // namespace berth::bundle::detail
