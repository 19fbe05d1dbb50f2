// Which sysctls a container may set, and writing them under a /proc/sys stand-in.
#include "runtime-shim/container/sysctl.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/unique_fd.hpp"
#include "support/temp_dir.hpp"

using namespace berth::shim;

TEST(SysctlTest, OnlyNamespacedKeysWithTheirNamespace) {
  for (const char* key : {"kernel.shmmax", "kernel.shmall", "kernel.shmmni", "kernel.shm_rmid_forced", "kernel.msgmax",
                          "kernel.msgmnb", "kernel.msgmni", "kernel.sem", "fs.mqueue.msg_max", "kernel/shmmax"}) {
    EXPECT_EQ(sysctl_refusal(key, true, false), "") << key;
    EXPECT_EQ(sysctl_refusal(key, false, true), "needs the container's own IPC namespace (it shares the host's)")
        << key;
  }
  EXPECT_EQ(sysctl_refusal("net.ipv4.ip_unprivileged_port_start", false, true), "");
  EXPECT_EQ(sysctl_refusal("net.core.somaxconn", true, false),
            "needs the container's own network namespace (network_mode host)");
  for (const char* key : {"kernel.panic", "kernel.shmmaxx", "vm.overcommit_memory", "fs.file-max", "kernel.hostname"})
    EXPECT_NE(sysctl_refusal(key, true, true).find("not namespaced"), std::string::npos) << key;
  for (const char* key : {"", "../etc/passwd", "net/../../x", "/net.ipv4", "net.ipv4 x"})
    EXPECT_EQ(sysctl_refusal(key, true, true), "not a sysctl name") << key;
}

TEST(SysctlTest, ValidateNamesTheKey) {
  try {
    validate_sysctls({{"kernel.shmmax", "1"}, {"vm.swappiness", "0"}}, true, true);
    FAIL() << "vm.swappiness accepted";
  } catch (const std::runtime_error& e) {
    EXPECT_STREQ(e.what(),
                 "sysctl `vm.swappiness`: not namespaced: it would change the host (allowed: kernel.msg*, kernel.sem, "
                 "kernel.shm*, fs.mqueue.*, net.*)");
  }
  EXPECT_THROW(validate_sysctls({{"kernel.shmmax", "1\n2"}}, true, true), std::runtime_error);
}

TEST(SysctlTest, WritesUnderTheGivenDirectory) {
  EXPECT_EQ(sysctl_path("net.ipv4.ip_forward"), "net/ipv4/ip_forward");
  EXPECT_EQ(sysctl_path("net/ipv4/conf/eth0.1/forwarding"), "net/ipv4/conf/eth0.1/forwarding");
  berth::test::TempDir tmp("berth-sysctl");
  const std::string dir = tmp.path();
  std::filesystem::create_directories(dir + "/kernel");
  std::ofstream(dir + "/kernel/shmmax") << "0";
  berth::UniqueFd fd(::open(dir.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  write_sysctls(fd.get(), {{"kernel.shmmax", "123456"}});
  std::ifstream in(dir + "/kernel/shmmax");
  std::stringstream ss;
  ss << in.rdbuf();
  EXPECT_EQ(ss.str(), "123456");
  EXPECT_THROW(write_sysctls(fd.get(), {{"kernel.msgmax", "1"}}), std::runtime_error);  // missing file
}
