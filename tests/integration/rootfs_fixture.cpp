// Test rootfs fixture: see rootfs_fixture.hpp. Busybox is copied (the temp dir may be on another
// file system than /bin) and its applets become symlinks from `busybox --list-full`.
#include "rootfs_fixture.hpp"

#include <fcntl.h>
#include <ftw.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <stdexcept>

#include "runtime-shim/container/cgroups.hpp"
#include "support/files.hpp"
#include "support/run_command.hpp"

namespace berth::testing {

namespace fs = std::filesystem;

namespace {

constexpr const char* busybox = "/bin/busybox";

int remove_entry(const char* path, const struct stat*, int, struct FTW*) {
  ::remove(path);
  return 0;
}

}  // namespace

std::string RootfsFixture::probe_host_path() {
#ifdef BERTH_PROBE
  return BERTH_PROBE;
#else
  return "";
#endif
}

std::string rootfs_missing() {
  if (::geteuid() != 0) return "needs root (namespaces, mounts, cgroups)";
  if (::access(busybox, X_OK) != 0) return "needs /bin/busybox (Debian package busybox-static)";
  const std::string probe = RootfsFixture::probe_host_path();
  if (probe.empty() || ::access(probe.c_str(), X_OK) != 0) return "needs the berth_probe binary (tests/probe)";
  return "";
}

RootfsFixture::RootfsFixture() {
  char tmpl[] = "/tmp/berth-test-XXXXXX";
  if (!::mkdtemp(tmpl)) throw std::runtime_error("mkdtemp failed");
  m_dir = tmpl;
  ::chmod(m_dir.c_str(), 0755);
  const fs::path root = rootfs();
  for (const char* d : {"bin", "sbin", "usr/bin", "usr/sbin", "etc", "proc", "sys", "dev", "root", "home/app", "var"})
    fs::create_directories(root / d);
  fs::create_directories(root / "tmp");
  fs::permissions(root / "tmp", fs::perms::all | fs::perms::sticky_bit);
  fs::permissions(root / "home/app", fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec);
  ::chown((root / "home/app").c_str(), 1000, 1000);

  fs::copy_file(busybox, root / "bin/busybox");
  std::istringstream applets(test::run_command({busybox, "--list-full"}, ".", test::current_environment()).out);
  for (std::string applet; std::getline(applets, applet);) {
    if (applet.find('/') == std::string::npos || applet == "bin/busybox") continue;  // e.g. linuxrc
    fs::path link = root / applet;
    fs::create_directories(link.parent_path());
    std::error_code ec;
    fs::create_symlink("/bin/busybox", link, ec);  // an absolute link: resolved inside the container
  }
  fs::copy_file(probe_host_path(), root / "probe");
  fs::permissions(root / "probe", fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                                      fs::perms::others_read | fs::perms::others_exec);

  write_rootfs_file("/etc/passwd",
                    "root:x:0:0:root:/root:/bin/sh\n"
                    "app:x:1000:1000:app:/home/app:/bin/sh\n"
                    "nobody:x:65534:65534:nobody:/nonexistent:/bin/false\n");
  write_rootfs_file("/etc/group",
                    "root:x:0:\n"
                    "tty:x:5:\n"
                    "audio:x:29:app\n"
                    "video:x:44:other,app\n"
                    "app:x:1000:\n"
                    "nogroup:x:65534:\n");
  write_rootfs_file("/etc/hostname", "berth-test\n");
}

RootfsFixture::~RootfsFixture() {
  if (!m_dir.empty()) ::nftw(m_dir.c_str(), remove_entry, 32, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
}

std::string RootfsFixture::make_dir(std::string_view rel, mode_t mode) const {
  const std::string p = path(rel);
  fs::create_directories(p);
  ::chmod(p.c_str(), mode);
  return p;
}

void RootfsFixture::write_rootfs_file(std::string_view path_in_rootfs, std::string_view content, mode_t mode) const {
  fs::path p = fs::path(rootfs()) / fs::path(path_in_rootfs).relative_path();
  fs::create_directories(p.parent_path());
  std::ofstream(p, std::ios::trunc) << content;
  ::chmod(p.c_str(), mode);
}

shim::Bundle RootfsFixture::bundle(std::vector<std::string> args, std::string_view id_prefix) const {
  static std::atomic<int> counter{0};
  shim::Bundle b;
  b.id = std::string(id_prefix) + "-" + std::to_string(::getpid()) + "-" + std::to_string(counter++);
  b.dir = m_dir;
  b.args = std::move(args);
  b.env = {"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm"};
  b.rootfs = rootfs();
  b.hostname = "berth-test";
  b.cgroups_path = "berth/" + b.id;
  for (const char* ns : {"pid", "mount", "ipc", "uts", "network", "cgroup"}) b.namespaces.push_back({ns, ""});
  return b;
}

std::vector<std::string> leftovers(const std::string& dir, const std::string& id) {
  std::vector<std::string> out;
  std::istringstream mountinfo(test::read_bytes("/proc/self/mountinfo"));
  for (std::string line; std::getline(mountinfo, line);)
    if (line.find(dir) != std::string::npos) out.push_back("mount: " + line);

  shim::cgroups::Layout layout = shim::cgroups::detect();
  std::set<std::string> roots;
  for (const auto& [controller, mount_point] : layout.v1) roots.insert(mount_point);
  if (!layout.v2.empty()) roots.insert(layout.v2);
  for (const std::string& r : roots) {
    const std::string d = r + "/berth/" + id;
    if (::access(d.c_str(), F_OK) == 0) out.push_back("cgroup: " + d);
  }

  const std::string needle = "/berth/" + id;
  for (const auto& entry : fs::directory_iterator("/proc")) {
    const std::string name = entry.path().filename();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    const std::string cg = test::read_bytes("/proc/" + name + "/cgroup");
    if (cg.find(needle + "\n") != std::string::npos || cg.find(needle + "/") != std::string::npos)
      out.push_back("process: " + name + " " + test::read_bytes("/proc/" + name + "/comm"));
  }
  return out;
}

}  // namespace berth::testing
