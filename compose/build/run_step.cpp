// RUN steps in containers (see run_step.hpp). The synthesised image config carries only Env,
// User and WorkingDir: a base image's Healthcheck, Volumes, Entrypoint or StopSignal mean
// nothing for a build step (Volumes would even create anonymous volumes).
#include "compose/build/run_step.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>

#include "common/atomic_file.hpp"
#include "common/sys_error.hpp"
#include "common/unique_fd.hpp"
#include "compose/bundle/container_spec.hpp"
#include "compose/state/paths.hpp"

extern char** environ;

namespace berth::build {

namespace {

/// A spawned process that is killed and reaped if the caller leaves early (an exception).
class Child {
 public:
  explicit Child(pid_t pid) : m_pid(pid) {}
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;
  ~Child() {
    if (m_pid <= 0) return;
    ::kill(m_pid, SIGKILL);
    wait();
  }
  int wait() {
    int status = 0;
    while (::waitpid(m_pid, &status, 0) < 0 && errno == EINTR) {
    }
    m_pid = 0;
    return status;
  }

 private:
  pid_t m_pid;
};

model::Service step_service(const RunSpec& spec) {
  model::Service svc;
  svc.name = "build";
  svc.command = spec.argv;
  svc.entrypoint = std::vector<std::string>{};
  svc.user = spec.user;
  svc.working_dir = spec.workdir.empty() ? "/" : spec.workdir;
  svc.network_mode = spec.network == "host" ? "host" : "";
  svc.volumes = spec.mounts;
  svc.extra_hosts = spec.extra_hosts;
  if (spec.shm_size) svc.shm_size = model::Bytes{static_cast<std::int64_t>(spec.shm_size)};
  return svc;
}

}  // namespace

RunOutcome run_in_container(const std::string& root, const std::string& run, const StepDir& dir,
                            const std::vector<std::string>& lowers, const RunSpec& spec,
                            const std::function<void(std::string_view)>& output) {
  model::Project project;
  project.name = "berth-build";
  model::Service svc = step_service(spec);
  const image::Digest none = image::sha256_of("");
  image::ImageRecord img{{}, none, none, nlohmann::json::object(), {{"config", {{"Env", spec.env}}}}, {}, 0, ""};
  const std::string& id = dir.id();
  bundle::ContainerIdentity identity{project.name, svc.name, "berth-build-" + id.substr(0, 12), id, 1, true, ""};
  bundle::SpecInput in{project, svc, identity, img, dir.lowers_or_empty(lowers)};
  in.root = root;
  in.run = run;
  in.project_dir = dir.path();
  in.bundle_dir = dir.path();
  in.netns_path = spec.network.empty() ? spec.netns : "";
  bundle::ContainerSpec cs = bundle::build_container_spec(in);
  // The step's overlay: the step dir's own upper/work, so the change is left in upper/.
  cs.config["annotations"]["org.berth.rootfs.upper"] = dir.upper();
  cs.config["annotations"]["org.berth.rootfs.work"] = dir.work();
  bundle::prepare_container_files(in, cs);
  write_file_atomic(dir.path() + "/config.json", cs.config.dump(2) + "\n", 0600);

  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) throw_errno("pipe for " + spec.label);
  UniqueFd out_r(fds[0]), out_w(fds[1]);
  const std::string shim = state::shim_binary();
  std::vector<std::string> args = {shim, "run", "--bundle", dir.path(), "--id", id, "--state-dir", dir.state_dir()};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  UniqueFd null_fd(::open("/dev/null", O_RDONLY | O_CLOEXEC));
  if (!null_fd) throw_errno("open `/dev/null`");
  // fork rather than posix_spawn: the shim gets SIGTERM if berth dies (kill -9 included), which
  // it passes to the command as a foreground `runc run` does, so no step outlives its build.
  const pid_t parent = ::getpid();
  pid_t pid = ::fork();
  if (pid < 0) throw_errno(spec.label + ": fork for `" + shim + "`");
  if (pid == 0) {
    // The child: only async-signal-safe calls until exec.
    if (::prctl(PR_SET_PDEATHSIG, SIGTERM) != 0 || ::getppid() != parent) ::_exit(125);
    if (::dup2(null_fd.get(), 0) < 0 || ::dup2(out_w.get(), 1) < 0 || ::dup2(out_w.get(), 2) < 0) ::_exit(125);
    ::execve(shim.c_str(), argv.data(), environ);
    ::_exit(127);
  }
  Child child(pid);
  out_w.reset();

  RunOutcome outcome;
  std::string partial;
  char buf[16384];
  for (;;) {
    ssize_t n = ::read(out_r.get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    std::string_view chunk(buf, static_cast<std::size_t>(n));
    output(chunk);
    partial.append(chunk);
    for (std::size_t nl; (nl = partial.find('\n')) != std::string::npos;) {
      outcome.last_lines.push_back(partial.substr(0, nl));
      if (outcome.last_lines.size() > 10) outcome.last_lines.pop_front();
      partial.erase(0, nl + 1);
    }
  }
  if (!partial.empty()) {
    outcome.last_lines.push_back(partial);
    if (outcome.last_lines.size() > 10) outcome.last_lines.pop_front();
  }
  int status = child.wait();
  outcome.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return outcome;
}

}  // namespace berth::build
