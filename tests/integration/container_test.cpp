// Integration tests of container creation (runtime-shim/container): real namespaces, mounts,
// cgroups, capabilities and seccomp, with the static probe as the container's process. Each test
// builds its own rootfs (RootfsFixture) and, in TearDown, checks that nothing is left on the
// machine: no mount mentioning its temp dir, no cgroup directory, no process.
// Needs root, /bin/busybox (busybox-static) and the probe; skips naming what is missing.
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include <gtest/gtest.h>

#include "rootfs_fixture.hpp"
#include "runtime-shim/container/create.hpp"

namespace berth::shim {
namespace {

using nlohmann::json;
using testing_fixture = berth::testing::RootfsFixture;

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string join_lines(const std::vector<std::string>& lines) {
  std::string out;
  for (const std::string& l : lines) out += l + "\n";
  return out;
}

struct Result {
  int status = -1;
  std::string output;
  bool exited(int code) const { return WIFEXITED(status) && WEXITSTATUS(status) == code; }
};

class ContainerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string missing = berth::testing::rootfs_missing();
    if (!missing.empty()) GTEST_SKIP() << missing;
    fx = std::make_unique<testing_fixture>();
  }

  void TearDown() override {
    if (!fx) return;
    for (Created& c : running) {  // a failed assertion left it running: clean up, then report
      kill_all(c);
      ::waitpid(c.pid, nullptr, 0);
      destroy_cgroups(c);
    }
    for (const std::string& id : ids) {
      std::vector<std::string> left = berth::testing::leftovers(fx->dir(), id);
      EXPECT_TRUE(left.empty()) << "left behind by " << id << ":\n" << join_lines(left);
    }
  }

  Bundle bundle(std::vector<std::string> args) {
    Bundle b = fx->bundle(std::move(args));
    ids.push_back(b.id);
    return b;
  }

  Bundle probe(std::vector<std::string> args) {
    args.insert(args.begin(), testing_fixture::probe);
    return bundle(std::move(args));
  }

  /// Starts `b` with stdout and stderr into <dir>/<id>.out.
  Created start(const Bundle& b) {
    const std::string out = fx->path(b.id + ".out");
    int fd = ::open(out.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    EXPECT_GE(fd, 0);
    CreateOptions o;
    o.stdout_fd = o.stderr_fd = fd;
    Created c;
    try {
      c = create_container(b, o);
    } catch (...) {
      ::close(fd);
      throw;
    }
    ::close(fd);
    running.push_back(c);
    return c;
  }

  /// Waits for the container's exit (SIGKILL after `timeout_s`), then removes its cgroups.
  Result wait(const Created& c, const Bundle& b, int timeout_s = 30) {
    Result r;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_s);
    for (;;) {
      pid_t done = ::waitpid(c.pid, &r.status, WNOHANG);
      if (done == c.pid) break;
      if (std::chrono::steady_clock::now() > deadline) {
        ADD_FAILURE() << "container " << b.id << " still running after " << timeout_s << " s";
        kill_all(c);
        ::waitpid(c.pid, &r.status, 0);
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    finish(c);
    r.output = read_text(fx->path(b.id + ".out"));
    return r;
  }

  void finish(const Created& c) {
    destroy_cgroups(c);
    for (auto it = running.begin(); it != running.end(); ++it)
      if (it->pid == c.pid) {
        running.erase(it);
        break;
      }
  }

  Result run(const Bundle& b, int timeout_s = 30) { return wait(start(b), b, timeout_s); }

  /// Runs `probe status` with `b` and parses its JSON.
  json status(Bundle b) {
    Result r = run(b);
    EXPECT_TRUE(r.exited(0)) << r.output;
    try {
      return json::parse(r.output);
    } catch (const std::exception& e) {
      ADD_FAILURE() << "probe status output is not JSON: " << r.output;
      return json::object();
    }
  }

  std::unique_ptr<testing_fixture> fx;
  std::vector<std::string> ids;
  std::vector<Created> running;
};

TEST_F(ContainerTest, SeesOnlyItsOwnProcessesHostnameAndFiles) {
  const std::string secret = fx->path("host-secret");
  std::ofstream(secret) << "host only\n";
  Bundle b = probe({"status"});
  b.domainname = "example.test";
  json s = status(b);
  EXPECT_EQ(s["pid"], 1);
  EXPECT_EQ(s["pids"], json::array({1}));
  EXPECT_EQ(s["hostname"], "berth-test");
  EXPECT_EQ(s["domainname"], "example.test");
  EXPECT_EQ(s["cwd"], "/");

  Result r = run(probe({"read", secret}));
  EXPECT_TRUE(r.exited(2)) << r.output;
  EXPECT_NE(r.output.find("errno=2 "), std::string::npos) << r.output;
  r = run(probe({"ls", "/"}));
  EXPECT_EQ(r.output, "bin\ndev\netc\nhome\nprobe\nproc\nroot\nsbin\nsys\ntmp\nusr\nvar\n");
}

TEST_F(ContainerTest, MountAndUnshareAreRefused) {
  Result r = run(probe({"try-mount"}));
  EXPECT_EQ(r.output, "{\"ok\":false,\"errno\":1}\n");
  r = run(probe({"try-unshare"}));
  EXPECT_EQ(r.output, "{\"ok\":false,\"errno\":1}\n");
}

TEST_F(ContainerTest, HasDockersDefaultCapabilitiesAndSeccomp) {
  json s = status(probe({"status"}));
  // CHOWN DAC_OVERRIDE FOWNER FSETID KILL SETGID SETUID SETPCAP NET_BIND_SERVICE NET_RAW
  // SYS_CHROOT MKNOD AUDIT_WRITE SETFCAP
  EXPECT_EQ(s["CapEff"], "00000000a80425fb");
  EXPECT_EQ(s["CapPrm"], "00000000a80425fb");
  EXPECT_EQ(s["CapBnd"], "00000000a80425fb");
  EXPECT_EQ(s["CapAmb"], "0000000000000000");
  EXPECT_EQ(s["CapInh"], "0000000000000000");
  EXPECT_EQ(s["Seccomp"], "2");
  EXPECT_EQ(s["NoNewPrivs"], "0");

  Bundle nnp = probe({"status"});
  nnp.no_new_privileges = true;
  EXPECT_EQ(status(nnp)["NoNewPrivs"], "1");

  Bundle unconfined = probe({"status"});
  unconfined.seccomp_unconfined = true;
  EXPECT_EQ(status(unconfined)["Seccomp"], "0");
}

TEST_F(ContainerTest, MasksProcPathsAndMakesProcSysReadOnly) {
  Result r = run(probe({"read", "/proc/keys"}));
  EXPECT_TRUE(r.exited(0)) << r.output;
  EXPECT_EQ(r.output, "");
  r = run(probe({"read", "/proc/timer_list"}));
  EXPECT_TRUE(r.exited(0)) << r.output;
  EXPECT_EQ(r.output, "");
  r = run(probe({"write", "/proc/sys/kernel/shmmax", "1"}));
  EXPECT_NE(r.output.find("errno=30 "), std::string::npos) << r.output;  // EROFS
  if (::access("/proc/acpi", F_OK) == 0) {
    r = run(probe({"ls", "/proc/acpi"}));
    EXPECT_EQ(r.output, "");
  }
  r = run(probe({"write", "/sys/kernel/profiling", "1"}));
  EXPECT_NE(r.output.find("errno=30 "), std::string::npos) << r.output;  // /sys is read-only
}

TEST_F(ContainerTest, ReadOnlyRootfsWithWritableTmpfs) {
  Bundle b = probe({"write", "/etc/new", "x"});
  b.readonly_rootfs = true;
  Result r = run(b);
  EXPECT_NE(r.output.find("errno=30 "), std::string::npos) << r.output;

  Bundle t = probe({"write", "/scratch/file", "x"});
  t.readonly_rootfs = true;
  t.mounts.push_back({"/scratch", "tmpfs", "tmpfs", {"nosuid", "nodev", "size=1m", "mode=1770"}});
  r = run(t);
  EXPECT_EQ(r.output, "ok\n");

  Bundle s = probe({"status"});
  s.mounts = t.mounts;
  json st = status(s);
  bool found = false;
  for (const json& m : st["mounts"])
    if (m["target"] == "/scratch") {
      found = true;
      EXPECT_EQ(m["type"], "tmpfs");
      EXPECT_NE(m["options"].get<std::string>().find("size=1024k"), std::string::npos) << m.dump();
      EXPECT_NE(m["options"].get<std::string>().find("mode=1770"), std::string::npos) << m.dump();
    }
  EXPECT_TRUE(found) << st["mounts"].dump();
}

TEST_F(ContainerTest, SwitchesUserByNameWithSupplementaryGroups) {
  Bundle b = probe({"status"});
  b.user = "app";
  json s = status(b);
  EXPECT_EQ(s["uid"], 1000);
  EXPECT_EQ(s["gid"], 1000);
  EXPECT_EQ(s["groups"], json::array({29, 44}));
  EXPECT_EQ(s["CapEff"], "0000000000000000");  // non-root after exec, as with Docker
  EXPECT_EQ(s["CapBnd"], "00000000a80425fb");

  Bundle env = probe({"env"});
  env.user = "app";
  EXPECT_NE(run(env).output.find("HOME=/home/app\n"), std::string::npos);
}

TEST_F(ContainerTest, SwitchesUserByUidAndGid) {
  Bundle b = probe({"status"});
  b.user = "1000:44";
  b.additional_gids = {5};
  json s = status(b);
  EXPECT_EQ(s["uid"], 1000);
  EXPECT_EQ(s["gid"], 44);
  EXPECT_EQ(s["groups"], json::array({5}));

  Bundle n = probe({"status"});
  n.uid = 4242;  // process.user without a passwd entry
  n.gid = 4343;
  s = status(n);
  EXPECT_EQ(s["uid"], 4242);
  EXPECT_EQ(s["gid"], 4343);
  EXPECT_EQ(s["groups"], json::array());
}

TEST_F(ContainerTest, BindMountsReadWriteAndReadOnly) {
  const std::string rw = fx->make_dir("shared-rw");
  const std::string ro = fx->make_dir("shared-ro");
  std::ofstream(ro + "/present") << "data\n";
  auto with_binds = [&](Bundle b) {
    b.mounts.push_back({"/data", "bind", rw, {"rbind", "rw"}});
    b.mounts.push_back({"/mnt/ro", "bind", ro, {"rbind", "ro", "nosuid"}});
    return b;
  };
  Result r = run(with_binds(probe({"write", "/data/from-container", "hello"})));
  EXPECT_EQ(r.output, "ok\n");
  EXPECT_EQ(read_text(rw + "/from-container"), "hello");
  r = run(with_binds(probe({"write", "/mnt/ro/x", "no"})));
  EXPECT_NE(r.output.find("errno=30 "), std::string::npos) << r.output;
  r = run(with_binds(probe({"read", "/mnt/ro/present"})));
  EXPECT_EQ(r.output, "data\n");
}

TEST_F(ContainerTest, SymlinkedMountDestinationStaysInsideTheRootfs) {
  const std::string outside = fx->make_dir("outside");
  ::symlink(outside.c_str(), (fx->rootfs() + "/escape").c_str());  // absolute link to a host path
  Bundle b = probe({"ls", "/escape"});
  b.mounts.push_back({"/escape/sub", "tmpfs", "tmpfs", {"size=1m"}});
  Result r = run(b);
  EXPECT_TRUE(r.exited(0)) << r.output;
  EXPECT_EQ(r.output, "sub\n");
  EXPECT_FALSE(std::filesystem::exists(outside + "/sub")) << "the mount point was created outside the rootfs";
  EXPECT_TRUE(std::filesystem::exists(fx->rootfs() + outside + "/sub"));
}

TEST_F(ContainerTest, MemoryLimitOomKillIsRecorded) {
  Bundle b = probe({"alloc", "256"});
  b.resources.memory_limit = 32 << 20;
  b.resources.memory_swap = 32 << 20;
  Created c = start(b);
  int status = 0;
  ASSERT_EQ(::waitpid(c.pid, &status, 0), c.pid);
  EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << "status " << status;
  EXPECT_GE(oom_kill_count(c), 1);
  finish(c);
}

TEST_F(ContainerTest, PidsLimitIsEnforced) {
  Bundle b = probe({"fork", "20"});
  b.resources.pids_limit = 8;
  Result r = run(b);
  EXPECT_EQ(r.output, "forked 7 errno=11\n");  // PID 1 counts; EAGAIN after that
}

TEST_F(ContainerTest, RlimitsAreSetAndClampedToTheHardLimit) {
  Bundle b = probe({"status"});
  b.rlimits.push_back({"RLIMIT_NOFILE", 1024, 4096});
  EXPECT_EQ(status(b)["nofile"], json::array({1024, 4096}));

  rlimit current{};
  ::getrlimit(RLIMIT_NOFILE, &current);
  Bundle big = probe({"status"});
  big.rlimits.push_back({"RLIMIT_NOFILE", 1048576, 1048576});
  Created c = start(big);
  Result r = wait(c, big);
  json s = json::parse(r.output);
  if (current.rlim_max < 1048576) {
    EXPECT_EQ(s["nofile"], json::array({static_cast<uint64_t>(current.rlim_max), static_cast<uint64_t>(current.rlim_max)}));
    ASSERT_EQ(c.warnings.size(), 1u);
    EXPECT_NE(c.warnings[0].find("clamped"), std::string::npos) << c.warnings[0];
  } else {
    EXPECT_EQ(s["nofile"], json::array({1048576, 1048576}));
  }
}

TEST_F(ContainerTest, NamespacedSysctlIsSetOthersRefused) {
  const std::string host_before = read_text("/proc/sys/kernel/shmmax");
  Bundle b = probe({"read", "/proc/sys/kernel/shmmax"});
  b.sysctl["kernel.shmmax"] = "123456789";
  EXPECT_EQ(run(b).output, "123456789\n");
  EXPECT_EQ(read_text("/proc/sys/kernel/shmmax"), host_before);

  Bundle bad = probe({"status"});
  bad.sysctl["kernel.panic"] = "1";
  try {
    start(bad);
    ADD_FAILURE() << "kernel.panic was accepted";
  } catch (const ContainerError& e) {
    EXPECT_EQ(e.step(), "prepare");
    EXPECT_STREQ(e.what(),
                 "prepare: sysctl `kernel.panic`: not namespaced: it would change the host (allowed: kernel.msg*, "
                 "kernel.sem, kernel.shm*, fs.mqueue.*, net.*)");
  }
}

TEST_F(ContainerTest, ExecRunsInTheContainersNamespacesAndCgroup) {
  Bundle b = probe({"sleep", "60"});
  b.user = "app";
  Created c = start(b);

  auto ns_of = [](pid_t pid, const char* ns) {
    char buf[256] = "";
    std::string link = "/proc/" + std::to_string(pid) + "/ns/" + ns;
    ssize_t n = ::readlink(link.c_str(), buf, sizeof buf - 1);
    return std::string(buf, n > 0 ? static_cast<size_t>(n) : 0);
  };
  ExecSpec spec;
  spec.args = {testing_fixture::probe, "sleep", "60"};
  spec.user = "root";
  CreateOptions io;
  pid_t e = exec_in_container(c, b, spec, io);
  for (const char* ns : {"pid", "mnt", "net", "ipc", "uts", "cgroup"})
    EXPECT_EQ(ns_of(e, ns), ns_of(c.pid, ns)) << ns;
  EXPECT_NE(read_text("/proc/" + std::to_string(e) + "/cgroup").find("/berth/" + b.id), std::string::npos);
  ::kill(e, SIGKILL);
  ::waitpid(e, nullptr, 0);

  const std::string out = fx->path("exec.out");
  int fd = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  io.stdout_fd = io.stderr_fd = fd;
  spec.args = {testing_fixture::probe, "status"};
  spec.user = "";  // the container's user
  spec.cwd = "/tmp";
  e = exec_in_container(c, b, spec, io);
  ::close(fd);
  int st = 0;
  ASSERT_EQ(::waitpid(e, &st, 0), e);
  json s = json::parse(read_text(out));
  EXPECT_EQ(s["uid"], 1000);
  EXPECT_EQ(s["hostname"], "berth-test");
  EXPECT_EQ(s["cwd"], "/tmp");
  EXPECT_EQ(s["ppid"], 0);  // its parent, the shim, is outside the pid namespace
  EXPECT_EQ(s["pids"].front(), 1);
  EXPECT_EQ(s["Seccomp"], "2");

  kill_all(c);
  wait(c, b);
}

TEST_F(ContainerTest, OverlayRootfsWritesGoToTheUpperDir) {
  const std::string upper = fx->make_dir("upper"), work = fx->make_dir("work"), merged = fx->make_dir("merged");
  Bundle b = probe({"write", "/etc/added", "layered"});
  b.lower_dirs = {fx->rootfs()};
  b.upper_dir = upper;
  b.work_dir = work;
  b.rootfs = merged;
  Result r = run(b);
  EXPECT_EQ(r.output, "ok\n");
  EXPECT_EQ(read_text(upper + "/etc/added"), "layered");
  EXPECT_FALSE(std::filesystem::exists(fx->rootfs() + "/etc/added"));
  EXPECT_TRUE(std::filesystem::is_empty(merged)) << "the overlay is visible on the host";
}

TEST_F(ContainerTest, FailingStepReportsTheExactErrorAndLeavesNothing) {
  const std::string merged = fx->make_dir("merged");
  Bundle b = probe({"status"});
  b.lower_dirs = {fx->path("no-such-layer")};
  b.upper_dir = fx->make_dir("upper");
  b.work_dir = fx->make_dir("work");
  b.rootfs = merged;
  try {
    start(b);
    ADD_FAILURE() << "created a container on a missing layer";
  } catch (const ContainerError& e) {
    EXPECT_EQ(e.step(), "rootfs");
    EXPECT_EQ(e.code(), ENOENT);
    EXPECT_STREQ(e.what(), ("rootfs: mount overlay on `" + merged +
                            "`: No such file or directory (a source, target or overlay layer directory does not exist)")
                               .c_str());
  }

  Bundle missing = bundle({"no-such-command", "arg"});
  try {
    start(missing);
    ADD_FAILURE() << "started a missing command";
  } catch (const ContainerError& e) {
    EXPECT_STREQ(e.what(), "exec: exec `no-such-command`: executable file not found in $PATH");
    EXPECT_EQ(e.code(), ENOENT);
  }
}

TEST_F(ContainerTest, PauseAndResume) {
  Bundle b = probe({"sleep", "60"});
  Created c = start(b);
  set_frozen(c, true);
  set_frozen(c, false);
  EXPECT_EQ(::waitpid(c.pid, nullptr, WNOHANG), 0);  // still running
  kill_all(c);
  wait(c, b);
}

TEST_F(ContainerTest, MinimalDevWithConsoleAndExtraDevices) {
  Result r = run(probe({"ls", "/dev"}));
  EXPECT_EQ(r.output, "core\nfd\nfull\nmqueue\nnull\nptmx\npts\nrandom\nshm\nstderr\nstdin\nstdout\ntty\nurandom\nzero\n");

  Bundle dev = bundle({"/bin/ls", "-ln", "/dev/mydev"});
  dev.devices.push_back({"/dev/mydev", "c", 1, 3, 0600, 1000, 1001});
  r = run(dev);
  EXPECT_EQ(r.output.rfind("crw-------", 0), 0u) << r.output;
  EXPECT_NE(r.output.find(" 1000 "), std::string::npos) << r.output;
  EXPECT_NE(r.output.find(" 1001 "), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("1,   3"), std::string::npos) << r.output;

  // A terminal: the pty becomes the controlling terminal and /dev/console.
  int master = ::posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
  ASSERT_GE(master, 0);
  ASSERT_EQ(::grantpt(master), 0);
  ASSERT_EQ(::unlockpt(master), 0);
  int slave = ::open(::ptsname(master), O_RDWR | O_NOCTTY | O_CLOEXEC);
  ASSERT_GE(slave, 0);
  Bundle tty = probe({"ls", "/dev"});
  tty.terminal = true;
  CreateOptions o;
  o.stdin_fd = o.stdout_fd = o.stderr_fd = slave;
  Created c = create_container(tty, o);
  running.push_back(c);
  int status = 0;
  ::waitpid(c.pid, &status, 0);
  finish(c);
  ::fcntl(master, F_SETFL, O_NONBLOCK);
  std::string out;
  char buf[4096];
  for (ssize_t n; (n = ::read(master, buf, sizeof buf)) > 0;) out.append(buf, static_cast<size_t>(n));
  ::close(slave);
  ::close(master);
  out.erase(std::remove(out.begin(), out.end(), '\r'), out.end());
  EXPECT_EQ(out, "console\ncore\nfd\nfull\nmqueue\nnull\nptmx\npts\nrandom\nshm\nstderr\nstdin\nstdout\ntty\nurandom\nzero\n");
}

TEST_F(ContainerTest, JoinsANetworkNamespaceByPathOrSharesTheHosts) {
  int ready[2];
  ASSERT_EQ(::pipe2(ready, O_CLOEXEC), 0);
  pid_t holder = ::fork();  // stands in for the engine's netns (bind-mounted under /run/berth/netns)
  if (holder == 0) {
    if (::unshare(CLONE_NEWNET) != 0) ::_exit(1);
    (void)!::write(ready[1], "x", 1);
    ::pause();
    ::_exit(0);
  }
  ::close(ready[1]);
  char byte;
  ASSERT_EQ(::read(ready[0], &byte, 1), 1);
  ::close(ready[0]);
  const std::string netns = "/proc/" + std::to_string(holder) + "/ns/net";
  auto ns_of = [](const std::string& link) {
    char buf[256] = "";
    ssize_t n = ::readlink(link.c_str(), buf, sizeof buf - 1);
    return std::string(buf, n > 0 ? static_cast<size_t>(n) : 0);
  };

  Bundle joined = probe({"read", "/proc/sys/net/ipv4/ip_forward"});
  for (Namespace& ns : joined.namespaces)
    if (ns.type == "network") ns.path = netns;
  joined.sysctl["net.ipv4.ip_forward"] = "1";
  EXPECT_EQ(run(joined).output, "1\n");

  Bundle sleeper = probe({"sleep", "60"});
  for (Namespace& ns : sleeper.namespaces)
    if (ns.type == "network") ns.path = netns;
  Created c = start(sleeper);
  EXPECT_EQ(ns_of("/proc/" + std::to_string(c.pid) + "/ns/net"), ns_of(netns));
  kill_all(c);
  wait(c, sleeper);
  ::kill(holder, SIGKILL);
  ::waitpid(holder, nullptr, 0);

  Bundle host = probe({"sleep", "60"});  // network_mode host: no network namespace listed
  std::erase_if(host.namespaces, [](const Namespace& ns) { return ns.type == "network"; });
  c = start(host);
  EXPECT_EQ(ns_of("/proc/" + std::to_string(c.pid) + "/ns/net"), ns_of("/proc/self/ns/net"));
  kill_all(c);
  wait(c, host);

  host.sysctl["net.ipv4.ip_forward"] = "1";
  try {
    start(host);
    ADD_FAILURE() << "a net.* sysctl was accepted in the host's network namespace";
  } catch (const ContainerError& e) {
    EXPECT_STREQ(e.what(), "prepare: sysctl `net.ipv4.ip_forward`: needs the container's own network namespace (network_mode host)");
  }
}

TEST_F(ContainerTest, LongLayerStacksUseTheNewMountApi) {
  // 40 layers with store-like paths: the lowerdir option alone is over a page long.
  std::vector<std::string> lowers;
  for (int i = 0; i < 40; ++i) {
    char hex[65];
    std::snprintf(hex, sizeof hex, "%064x", i + 1);
    lowers.push_back(fx->make_dir(std::string("layers/") + hex + "/diff"));
  }
  std::filesystem::create_directories(lowers.front() + "/etc");
  std::ofstream(lowers.front() + "/etc/top") << "topmost\n";
  fx->write_rootfs_file("/etc/top", "bottom\n");
  lowers.push_back(fx->rootfs());
  Bundle b = probe({"read", "/etc/top"});
  b.lower_dirs = lowers;
  b.upper_dir = fx->make_dir("upper");
  b.work_dir = fx->make_dir("work");
  b.rootfs = fx->make_dir("merged");
  Result r = run(b);
  EXPECT_EQ(r.output, "topmost\n");

  Bundle missing = b;
  missing.id += "-missing";
  missing.cgroups_path += "-missing";
  ids.push_back(missing.id);
  missing.lower_dirs[7] = fx->path("layers/gone/diff");
  try {
    start(missing);
    ADD_FAILURE() << "mounted a stack with a missing layer";
  } catch (const ContainerError& e) {
    EXPECT_EQ(e.step(), "rootfs");
    EXPECT_EQ(e.code(), ENOENT);
    EXPECT_NE(std::string(e.what()).find("lowerdir+ `" + fx->path("layers/gone/diff") + "`: No such file or directory"),
              std::string::npos)
        << e.what();
  }
}

TEST_F(ContainerTest, KilledShimTakesTheContainerDown) {
  Bundle b = probe({"sleep", "60"});
  int pipefd[2];
  ASSERT_EQ(::pipe2(pipefd, O_CLOEXEC), 0);
  pid_t shim = ::fork();
  if (shim == 0) {  // a stand-in for berth-shim: creates the container, reports, waits
    try {
      Created c = create_container(b, CreateOptions{});
      std::string report = std::to_string(c.pid) + "\n" + c.cgroup_v2_dir + "\n";
      for (const std::string& d : c.cgroup_v1_dirs) report += d + "\n";
      (void)!::write(pipefd[1], report.data(), report.size());
    } catch (...) {
    }
    ::close(pipefd[1]);  // EOF for the test, whatever happened
    ::pause();
    ::_exit(0);
  }
  ::close(pipefd[1]);
  std::string report;
  char buf[4096];
  for (ssize_t n; (n = ::read(pipefd[0], buf, sizeof buf)) > 0;) report.append(buf, static_cast<size_t>(n));
  ::close(pipefd[0]);
  std::istringstream in(report);
  Created c;
  std::string line;
  ASSERT_TRUE(std::getline(in, line)) << "the stand-in shim failed to create the container";
  c.pid = std::stoi(line);
  std::getline(in, c.cgroup_v2_dir);
  while (std::getline(in, line)) c.cgroup_v1_dirs.push_back(line);

  ::kill(shim, SIGKILL);
  ::waitpid(shim, nullptr, 0);
  bool gone = false;
  for (int i = 0; i < 500 && !gone; ++i) {
    gone = ::kill(c.pid, 0) != 0 || read_text("/proc/" + std::to_string(c.pid) + "/stat").find(") Z") != std::string::npos;
    if (!gone) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_TRUE(gone) << "the container outlived its shim";
  destroy_cgroups(c);
}

}  // namespace
}  // namespace berth::shim
