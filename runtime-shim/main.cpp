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
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "common/daemonize.hpp"
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

/// --detach: fork, setsid, fork again; the grandchild supervises, this process relays the
/// readiness line and exits.
int run_detached(ShimOptions opts) {
  if (!make_dirs(opts.state_dir)) {
    std::fprintf(stderr, "berth-shim: create state dir `%s`: %s\n", opts.state_dir.c_str(), std::strerror(errno));
    return 1;
  }
  berth::Daemonized d;
  try {
    d = berth::daemonize(opts.state_dir + "/shim.log");
  } catch (const std::exception& e) {
    std::fprintf(stderr, "berth-shim: %s\n", e.what());
    return 1;
  }
  if (d.in_daemon) {
    // The shim: no terminal, no inherited stdio that would keep the caller's pipes open (stderr
    // appends to shim.log). Close whatever else the caller let us inherit (an engine's lock
    // file, its pipes): a long-lived shim must not hold them. Only the readiness pipe stays.
    int ready = d.ready.release();  // closed by close_range below, once `keep` duplicates it
    int keep = ::fcntl(ready, F_DUPFD_CLOEXEC, 3);
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
  const std::string& line = d.readiness;
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
