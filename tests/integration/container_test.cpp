// Isolation and Docker's security defaults: processes, hostname, files, refused mount/unshare,
// capabilities and seccomp, masked /proc paths, users, /dev, network namespaces.
#include "container_fixture.hpp"

namespace berth::shim::test {
namespace {

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

TEST_F(ContainerTest, MinimalDevWithConsoleAndExtraDevices) {
  Result r = run(probe({"ls", "/dev"}));
  EXPECT_EQ(r.output,
            "core\nfd\nfull\nmqueue\nnull\nptmx\npts\nrandom\nshm\nstderr\nstdin\nstdout\ntty\nurandom\nzero\n");

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
  EXPECT_EQ(
      out,
      "console\ncore\nfd\nfull\nmqueue\nnull\nptmx\npts\nrandom\nshm\nstderr\nstdin\nstdout\ntty\nurandom\nzero\n");
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
    EXPECT_STREQ(
        e.what(),
        "prepare: sysctl `net.ipv4.ip_forward`: needs the container's own network namespace (network_mode host)");
  }
}

}  // namespace
}  // namespace berth::shim::test
