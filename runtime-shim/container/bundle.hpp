#pragma once
// The container spec berth-shim runs: a subset of the OCI runtime-spec config.json
// (shared/oci/runtime-spec/config.md, config-linux.md), read from <bundle>/config.json.
//
// Supported keys: ociVersion; process.{terminal, consoleSize.{height,width}, user.{uid,gid,additionalGids}, args, env,
// cwd, capabilities.{bounding,effective,inheritable,permitted,ambient}, rlimits[], noNewPrivileges};
// root.{path,readonly}; hostname; domainname; mounts[].{destination,type,source,options};
// linux.{namespaces[].{type,path}, resources.{memory.{limit,swap}, cpu.{shares,quota,period},
// pids.limit, devices[].{allow,type,major,minor,access}}, cgroupsPath, sysctl, maskedPaths,
// readonlyPaths, devices[]}; annotations.
//
// Berth's extensions are annotations (runtime-spec allows any), so the file stays valid OCI:
//   org.berth.rootfs.lower   overlay lower dirs, ':'-separated, topmost first; with .upper and
//   org.berth.rootfs.upper   .work the shim mounts overlayfs at root.path itself (otherwise
//   org.berth.rootfs.work    root.path is used as it is, e.g. a plain directory)
//   org.berth.user           "name[:group]" / "uid[:gid]" resolved against the rootfs's
//                            /etc/passwd and /etc/group (overrides process.user when set)
//   org.berth.seccomp        "default" (Docker's deny list; the default) or "unconfined"
//   org.berth.init           "true": run berth-init as PID 1, the process as its child
//   org.berth.restart        "no" | "always" | "on-failure[:N]" | "unless-stopped"
//   org.berth.stop-signal    e.g. "SIGTERM" (default) ; org.berth.stop-timeout seconds (default 10)
//   org.berth.healthcheck    JSON: {"test":[...], "interval_ns", "timeout_ns", "retries",
//                            "start_period_ns", "start_interval_ns"}
//   org.berth.log-path       json-file log path (default <state dir>/container.log)
//   org.berth.log-driver     "json-file" (default), "local" (json-file lines too) or "none" (no file)
//   org.berth.log-max-size   bytes: rotate when the log reaches it (unset = never), and
//   org.berth.log-max-file   files kept, the current one included (default 1); rotated files
//   org.berth.log-compress   are <log>.1, <log>.2, ... or <log>.1.gz, ... with "true"
//   org.berth.log-max-buffer bytes of lines waiting for the log writer before lines are dropped
//   org.berth.open-stdin     "true": without a terminal, stdin is a pipe the shim keeps open and
//                            hands to `attach` (Docker's OpenStdin); otherwise /dev/null
//   org.berth.stdin-once     "true": the first `attach` with stdin takes the only write end, so
//                            the container reads EOF when that client closes it (StdinOnce)
//   org.berth.attach-pending "true": output before the first `attach` is kept (up to 1 MiB) and
//                            replayed to it, so a client attaching right after start misses none
//   org.berth.events         the project's event journal (common/event_journal.hpp): the shim
//   org.berth.name           appends start, kill, die, oom, stop, pause, unpause, health_status
//   org.berth.image          and exec_* there, with the container's name and image as attributes
#include <sys/types.h>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace berth::shim {

struct Mount {
  std::string destination;
  std::string type;  ///< "bind", "tmpfs", "proc", "sysfs", "devpts", "mqueue", ...
  std::string source;
  std::vector<std::string> options;  ///< "ro", "rbind", "nosuid", "size=64m", "rprivate", ...
};

struct Rlimit {
  std::string type;  ///< "RLIMIT_NOFILE", ...
  uint64_t soft = 0;
  uint64_t hard = 0;
};

struct Capabilities {
  std::vector<std::string> bounding, effective, inheritable, permitted, ambient;  ///< "CAP_CHOWN", ...
};

struct Namespace {
  std::string type;  ///< "pid", "network", "mount", "ipc", "uts", "cgroup", "user"
  std::string path;  ///< join this namespace instead of creating one (e.g. the engine's netns)
};

struct Device {
  std::string path;
  std::string type;  ///< "c" or "b"
  int64_t major = 0, minor = 0;
  uint32_t file_mode = 0666;
  uint32_t uid = 0, gid = 0;
};

/// One linux.resources.devices entry: a device cgroup rule (config-linux.md, "Allowed Device
/// List"). The shim applies them after a deny-all and before its own defaults (device_rules.hpp).
struct DeviceRule {
  bool allow = false;
  char type = 'a';             ///< 'a' (every device), 'c' or 'b'
  int64_t major = -1;          ///< -1 = any
  int64_t minor = -1;          ///< -1 = any
  std::string access = "rwm";  ///< r (read), w (write), m (mknod), each at most once
};

struct Resources {
  std::optional<int64_t> memory_limit;  ///< bytes
  std::optional<int64_t> memory_swap;   ///< bytes, memory + swap (OCI semantics)
  std::optional<uint64_t> cpu_shares;
  std::optional<int64_t> cpu_quota;    ///< microseconds per period
  std::optional<uint64_t> cpu_period;  ///< microseconds
  std::optional<int64_t> pids_limit;
  std::vector<DeviceRule> devices;  ///< in order, as written in config.json
};

struct Healthcheck {
  std::vector<std::string> test;  ///< ["CMD", ...] | ["CMD-SHELL", "..."] | ["NONE"]
  int64_t interval_ns = 30'000'000'000;
  int64_t timeout_ns = 30'000'000'000;
  int retries = 3;
  int64_t start_period_ns = 0;
  int64_t start_interval_ns = 5'000'000'000;
};

struct Bundle {
  std::string dir;  ///< the bundle directory (holds config.json)
  std::string id;   ///< container id (from the command line)

  // process
  bool terminal = false;
  std::optional<std::pair<unsigned short, unsigned short>> console_size;  ///< rows, cols
  bool open_stdin = false, stdin_once = false, attach_pending = false;
  uint32_t uid = 0, gid = 0;
  std::vector<uint32_t> additional_gids;
  std::optional<std::string> user;  ///< org.berth.user, resolved inside the rootfs
  std::vector<std::string> args;
  std::vector<std::string> env;
  std::string cwd = "/";
  Capabilities capabilities;
  std::vector<Rlimit> rlimits;
  bool no_new_privileges = false;

  // root
  std::string rootfs;  ///< absolute (root.path made absolute against dir)
  bool readonly_rootfs = false;
  std::vector<std::string> lower_dirs;  ///< overlay: empty = no overlay mount
  std::string upper_dir, work_dir;

  std::string hostname, domainname;
  std::vector<Mount> mounts;

  // linux
  std::vector<Namespace> namespaces;
  Resources resources;
  std::string cgroups_path;  ///< relative to each hierarchy's root, e.g. "berth/<id>"
  std::map<std::string, std::string> sysctl;
  std::vector<std::string> masked_paths, readonly_paths;
  /// true when config.json had the key (even as []): an empty list then means "none" rather than
  /// Docker's defaults (privileged containers). Code that builds a Bundle leaves them false, so
  /// empty lists there get the defaults.
  bool capabilities_given = false, masked_paths_given = false, readonly_paths_given = false;
  std::vector<Device> devices;
  bool seccomp_unconfined = false;
  bool init = false;

  // supervision
  std::string restart = "no";
  std::string stop_signal = "SIGTERM";
  int stop_timeout_s = 10;
  std::optional<Healthcheck> healthcheck;
  std::string log_path;                  ///< empty = <state dir>/container.log
  std::string log_driver = "json-file";  ///< "json-file" | "local" (both json-file lines) | "none"
  int64_t log_max_size = -1;             ///< bytes before rotating; -1 = never
  int log_max_file = 1;                  ///< files kept, the current one included
  bool log_compress = false;             ///< gzip rotated files
  uint64_t log_max_buffer = 0;           ///< bytes queued for the log writer; 0 = the shim's default
  /// The project's run dir and berth-dns binary (annotations org.berth.dns-dir/-binary): the
  /// shim keeps that berth-dns running (dns_watch.hpp). Empty = the container resolves otherwise.
  std::string dns_dir, dns_binary;
  /// org.berth.events/.name/.image: where events go ("" = nowhere) and who they are about;
  /// service and oneoff come from the com.docker.compose.* labels.
  std::string events_journal, name, image, service;
  bool oneoff = false;

  std::map<std::string, std::string> annotations;
};

/// Reads <dir>/config.json; throws std::runtime_error naming the file and key on bad input.
Bundle load_bundle(const std::string& dir, const std::string& id);

}  // namespace berth::shim
