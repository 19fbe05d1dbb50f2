// berth-shim's command line:
//
//   berth-shim run --bundle DIR --id ID [--state-dir DIR] [--detach] [--init-path FILE]
//
// Foreground (the default, like `runc run`): the container's output goes to the log and to our
// stdout/stderr, signals we get are forwarded to it, and we exit with its exit code (125/126/127
// when it could not start, with the error on stderr).
// --detach: the caller gets one readiness line on stdout (common/shim_protocol.hpp) once the
// container runs, or its exact start error (exit status 1); the shim itself double-forks into its
// own session, with stdin/stdout on /dev/null and stderr appended to <state-dir>/shim.log, and
// stays until a `shutdown` request.
// Every `run` first re-execs from a sealed memfd copy of the binary (self_clone.cpp).
// No iostreams and no CLI library here: an idle shim should stay within a couple of MB.
#include <fcntl.h>
#include <linux/close_range.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "runtime-shim/self_clone.hpp"
#include "runtime-shim/supervisor.hpp"

namespace {

using berth::shim::ShimOptions;

constexpr const char* kUsage =
    "usage: berth-shim run --bundle DIR --id ID [--state-dir DIR] [--detach] [--init-path FILE]\n"
    "  --bundle DIR      OCI bundle (DIR/config.json)\n"
    "  --id ID           container id\n"
    "  --state-dir DIR   state.json, control.sock, shim.pid, container.log (default /run/berth/containers/ID)\n"
    "  --detach          start, report readiness on stdout, keep supervising in the background\n"
    "  --init-path FILE  berth-init binary for `init: true` (default: next to berth-shim)\n";

int usage_error(const std::string& text) {
  std::fprintf(stderr, "berth-shim: %s\n%s", text.c_str(), kUsage);
  return 2;
}

std::string absolute(const std::string& path) {
  if (path.empty() || path[0] == '/') return path;
  char cwd[PATH_MAX];
  if (!::getcwd(cwd, sizeof cwd)) return path;
  return std::string(cwd) + "/" + path;
}

bool make_dirs(const std::string& path) {
  for (size_t pos = 1; pos != std::string::npos;) {
    pos = path.find('/', pos + 1);
    if (::mkdir(path.substr(0, pos).c_str(), 0711) != 0 && errno != EEXIST) return false;
  }
  return true;
}

void redirect(int target, const std::string& path, int flags) {
  int fd = ::open(path.c_str(), flags | O_CLOEXEC, 0640);
  if (fd < 0) fd = ::open("/dev/null", O_RDWR | O_CLOEXEC);
  if (fd >= 0 && fd != target) {
    ::dup2(fd, target);
    ::close(fd);
  }
}

/// --detach: fork, setsid, fork again; the grandchild supervises, this process relays the
/// readiness line and exits.
int run_detached(ShimOptions opts) {
  if (!make_dirs(opts.state_dir)) {
    std::fprintf(stderr, "berth-shim: create state dir `%s`: %s\n", opts.state_dir.c_str(), std::strerror(errno));
    return 1;
  }
  int ready[2];
  if (::pipe2(ready, O_CLOEXEC) != 0) {
    std::perror("berth-shim: pipe");
    return 1;
  }
  std::fflush(nullptr);
  pid_t child = ::fork();
  if (child < 0) {
    std::perror("berth-shim: fork");
    return 1;
  }
  if (child == 0) {
    ::close(ready[0]);
    ::setsid();
    pid_t shim = ::fork();
    if (shim != 0) ::_exit(shim < 0 ? 1 : 0);
    // The shim: no terminal, no inherited stdio that would keep the caller's pipes open.
    if (::chdir("/") != 0) ::_exit(1);
    redirect(STDIN_FILENO, "/dev/null", O_RDONLY);
    redirect(STDOUT_FILENO, "/dev/null", O_WRONLY);
    redirect(STDERR_FILENO, opts.state_dir + "/shim.log", O_WRONLY | O_APPEND | O_CREAT);
    // Close whatever the caller let us inherit (an engine's lock file, its pipes): a long-lived
    // shim must not hold them. Only the readiness pipe stays.
    int keep = ::fcntl(ready[1], F_DUPFD_CLOEXEC, 3);
    if (keep > 3) ::close_range(3, static_cast<unsigned>(keep) - 1, 0);
    ::close_range(static_cast<unsigned>(keep) + 1, ~0U, 0);
    opts.ready_fd = keep;
    int rc;
    {
      berth::shim::Supervisor supervisor(std::move(opts));
      rc = supervisor.run();
    }
    std::fflush(nullptr);
    ::_exit(rc);
  }
  ::close(ready[1]);
  std::string line;
  char buf[4096];
  for (;;) {
    ssize_t n = ::read(ready[0], buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    line.append(buf, static_cast<size_t>(n));
  }
  ::close(ready[0]);
  ::waitpid(child, nullptr, 0);
  if (line.empty()) {
    std::fprintf(stderr, "berth-shim: the shim exited without reporting (see %s/shim.log)\n", opts.state_dir.c_str());
    return 1;
  }
  std::fwrite(line.data(), 1, line.size(), stdout);
  std::fflush(stdout);
  auto reply = nlohmann::json::parse(line, nullptr, false);
  if (reply.is_object() && reply.value("ok", false)) return 0;
  std::fprintf(stderr, "berth-shim: %s\n", reply.is_object() ? reply.value("error", line).c_str() : line.c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) return usage_error("missing command");
  std::string_view command = argv[1];
  if (command == "--help" || command == "-h" || command == "help") {
    std::fputs(kUsage, stdout);
    return 0;
  }
  if (command != "run") return usage_error("unknown command `" + std::string(command) + "`");
  // Before anything else: the processes this shim forks into the container must show a sealed
  // copy as /proc/PID/exe, never the host's berth-shim (self_clone.hpp).
  try {
    berth::shim::ensure_running_from_sealed_copy(argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "berth-shim: %s\n", e.what());
    return 125;
  }

  ShimOptions opts;
  bool detach = false;
  for (int i = 2; i < argc; ++i) {
    std::string_view arg = argv[i];
    auto value = [&](std::string& out) {
      if (i + 1 >= argc) return false;
      out = argv[++i];
      return true;
    };
    bool ok = true;
    if (arg == "--bundle" || arg == "-b")
      ok = value(opts.bundle_dir);
    else if (arg == "--id")
      ok = value(opts.id);
    else if (arg == "--state-dir")
      ok = value(opts.state_dir);
    else if (arg == "--init-path")
      ok = value(opts.init_path);
    else if (arg == "--detach" || arg == "-d")
      detach = true;
    else
      return usage_error("unknown option `" + std::string(arg) + "`");
    if (!ok) return usage_error("option `" + std::string(arg) + "` needs a value");
  }
  if (opts.bundle_dir.empty()) return usage_error("--bundle is required");
  if (opts.id.empty() || opts.id.find('/') != std::string::npos || opts.id == "." || opts.id == "..")
    return usage_error("--id is required and must not contain `/`");
  if (opts.state_dir.empty()) opts.state_dir = "/run/berth/containers/" + opts.id;
  opts.bundle_dir = absolute(opts.bundle_dir);
  opts.state_dir = absolute(opts.state_dir);
  if (!opts.init_path.empty()) opts.init_path = absolute(opts.init_path);

  if (detach) return run_detached(std::move(opts));
  opts.foreground = true;
  berth::shim::Supervisor supervisor(std::move(opts));
  return supervisor.run();
}
