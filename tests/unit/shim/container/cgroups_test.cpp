// cgroup layout detection and the v1/v2 writers, pointed at temp directories of plain files.
#include "runtime-shim/container/cgroups.hpp"
#include "support/temp_dir.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

using namespace berth::shim;
namespace fs = std::filesystem;

namespace {

const char* hybrid = R"(22 1 0:20 / /sys rw,nosuid,nodev,noexec,relatime shared:7 - sysfs sysfs rw
25 22 0:23 / /sys/fs/cgroup rw,relatime shared:8 - tmpfs tmpfs rw,mode=755
26 25 0:24 / /sys/fs/cgroup/cpu rw,relatime shared:9 - cgroup cgroup rw,cpu
27 25 0:25 / /sys/fs/cgroup/cpuacct rw,relatime shared:10 - cgroup cgroup rw,cpuacct
28 25 0:26 / /sys/fs/cgroup/memory rw,relatime shared:11 - cgroup cgroup rw,memory
29 25 0:27 / /sys/fs/cgroup/pids rw,relatime shared:12 - cgroup cgroup rw,pids
30 25 0:28 / /sys/fs/cgroup/freezer rw,relatime shared:13 - cgroup cgroup rw,freezer
31 25 0:29 / /sys/fs/cgroup/systemd rw,relatime shared:14 - cgroup cgroup rw,name=systemd
32 25 0:30 / /sys/fs/cgroup/unified rw,relatime shared:15 - cgroup2 cgroup2 rw
)";

class CgroupFiles : public ::testing::Test {
 protected:
  void SetUp() override { dir = m_tmp.path(); }
  void touch(std::initializer_list<const char*> files) {
    for (const char* f : files) std::ofstream(dir + "/" + f) << "";
  }
  std::string content(const std::string& file) {
    std::ifstream in(dir + "/" + file);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }
  berth::test::TempDir m_tmp{"berth-cgroup"};
  std::string dir;
};

TEST(CgroupLayoutTest, HybridHostHasV1ControllersAndAnEmptyUnifiedTree) {
  cgroups::Layout l = cgroups::parse_mountinfo(hybrid);
  EXPECT_EQ(l.v1.at("memory"), "/sys/fs/cgroup/memory");
  EXPECT_EQ(l.v1.at("cpu"), "/sys/fs/cgroup/cpu");
  EXPECT_EQ(l.v1.at("cpuacct"), "/sys/fs/cgroup/cpuacct");
  EXPECT_EQ(l.v1.at("pids"), "/sys/fs/cgroup/pids");
  EXPECT_EQ(l.v1.at("freezer"), "/sys/fs/cgroup/freezer");
  EXPECT_EQ(l.v1.count("name=systemd"), 0u);
  EXPECT_EQ(l.v2, "/sys/fs/cgroup/unified");
  EXPECT_FALSE(l.pure_v2());
}

TEST(CgroupLayoutTest, PureV2AndCombinedV1Mounts) {
  cgroups::Layout v2 = cgroups::parse_mountinfo("30 25 0:26 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw,nsdelegate\n");
  EXPECT_TRUE(v2.pure_v2());
  EXPECT_EQ(v2.v2, "/sys/fs/cgroup");
  cgroups::Layout combined = cgroups::parse_mountinfo(
      "26 25 0:24 / /sys/fs/cgroup/cpu,cpuacct rw shared:9 - cgroup cgroup rw,cpu,cpuacct\n"
      "27 25 0:25 / /mnt/with\\040space rw - cgroup cgroup rw,memory\n");
  EXPECT_EQ(combined.v1.at("cpu"), "/sys/fs/cgroup/cpu,cpuacct");
  EXPECT_EQ(combined.v1.at("cpuacct"), "/sys/fs/cgroup/cpu,cpuacct");
  EXPECT_EQ(combined.v1.at("memory"), "/mnt/with space");
  EXPECT_TRUE(combined.v2.empty());
}

TEST(CgroupLayoutTest, TheV1DevicesControllerIsOneOfOurs) {
  cgroups::Layout l = cgroups::parse_mountinfo(
      "33 25 0:31 / /sys/fs/cgroup/devices rw,nosuid shared:16 - cgroup cgroup rw,devices\n"
      "32 25 0:30 / /sys/fs/cgroup/unified rw,relatime shared:15 - cgroup2 cgroup2 rw\n");
  EXPECT_EQ(l.v1.at("devices"), "/sys/fs/cgroup/devices");  // its policy wins over a v2 program
  EXPECT_FALSE(l.pure_v2());
}

TEST_F(CgroupFiles, V1DevicesRulesAreWrittenInOrder) {
  touch({"devices.allow", "devices.deny"});
  // One write per rule; the files of plain-file tests keep only the last write of each.
  cgroups::v1::set_devices(dir, {{false, 'a', -1, -1, "rwm"}, {true, 'c', 136, -1, "rwm"}});
  EXPECT_EQ(content("devices.deny"), "a");
  EXPECT_EQ(content("devices.allow"), "c 136:* rwm");
}

TEST_F(CgroupFiles, V1Limits) {
  touch({"memory.limit_in_bytes", "memory.memsw.limit_in_bytes", "cpu.shares", "cpu.cfs_period_us", "cpu.cfs_quota_us",
         "pids.max"});
  Resources r;
  r.memory_limit = 64 << 20;
  r.memory_swap = 128 << 20;
  r.cpu_shares = 512;
  r.cpu_quota = 50000;
  r.cpu_period = 100000;
  r.pids_limit = 0;
  std::vector<std::string> warnings;
  cgroups::v1::set_memory(dir, r, warnings);
  cgroups::v1::set_cpu(dir, r);
  cgroups::v1::set_pids(dir, r);
  EXPECT_EQ(content("memory.limit_in_bytes"), "67108864");
  EXPECT_EQ(content("memory.memsw.limit_in_bytes"), "134217728");
  EXPECT_EQ(content("cpu.shares"), "512");
  EXPECT_EQ(content("cpu.cfs_period_us"), "100000");
  EXPECT_EQ(content("cpu.cfs_quota_us"), "50000");
  EXPECT_EQ(content("pids.max"), "max");
  EXPECT_TRUE(warnings.empty());

  fs::remove(dir + "/memory.memsw.limit_in_bytes");  // no swap accounting
  cgroups::v1::set_memory(dir, r, warnings);
  ASSERT_EQ(warnings.size(), 1u);
  r.memory_swap = 1 << 20;
  touch({"memory.memsw.limit_in_bytes"});
  EXPECT_THROW(cgroups::v1::set_memory(dir, r, warnings), std::runtime_error);
}

TEST_F(CgroupFiles, V1OomKillCount) {
  std::ofstream(dir + "/memory.oom_control") << "oom_kill_disable 0\nunder_oom 0\noom_kill 3\n";
  EXPECT_EQ(cgroups::v1::oom_kill_count(dir), 3);
}

TEST_F(CgroupFiles, V2Limits) {
  touch({"memory.max", "memory.swap.max", "cpu.weight", "cpu.max", "pids.max"});
  Resources r;
  r.memory_limit = 64 << 20;
  r.memory_swap = 96 << 20;
  r.cpu_shares = 1024;
  r.cpu_quota = 150000;
  r.pids_limit = 50;
  std::vector<std::string> warnings;
  cgroups::v2::set_limits(dir, r, warnings);
  EXPECT_EQ(content("memory.max"), "67108864");
  EXPECT_EQ(content("memory.swap.max"), "33554432");  // OCI swap is memory + swap
  EXPECT_EQ(content("cpu.weight"), "39");
  EXPECT_EQ(content("cpu.max"), "150000 100000");
  EXPECT_EQ(content("pids.max"), "50");

  Resources unlimited;
  unlimited.memory_swap = -1;
  unlimited.cpu_period = 50000;
  cgroups::v2::set_limits(dir, unlimited, warnings);
  EXPECT_EQ(content("memory.swap.max"), "max");
  EXPECT_EQ(content("cpu.max"), "max 50000");

  Resources swap_only;
  swap_only.memory_swap = 1 << 20;
  EXPECT_THROW(cgroups::v2::set_limits(dir, swap_only, warnings), std::runtime_error);
}

TEST_F(CgroupFiles, V2EventsAndKill) {
  std::ofstream(dir + "/memory.events") << "low 0\nhigh 0\nmax 12\noom 2\noom_kill 2\noom_group_kill 0\n";
  EXPECT_EQ(cgroups::v2::oom_kill_count(dir), 2);
  EXPECT_FALSE(cgroups::v2::kill_all(dir));  // no cgroup.kill: an older kernel
  touch({"cgroup.kill"});
  EXPECT_TRUE(cgroups::v2::kill_all(dir));
  EXPECT_EQ(content("cgroup.kill"), "1");
}

TEST_F(CgroupFiles, V2EnablesControllersOnTheWayDown) {
  std::ofstream(dir + "/cgroup.controllers") << "cpuset cpu io memory hugetlb pids rdma misc\n";
  fs::create_directories(dir + "/berth/c1");
  touch({"cgroup.subtree_control", "berth/cgroup.subtree_control", "berth/c1/cgroup.subtree_control"});
  std::vector<std::string> warnings;
  cgroups::v2::enable_controllers(dir, "berth/c1", warnings);
  EXPECT_TRUE(warnings.empty());
  EXPECT_EQ(content("cgroup.subtree_control"), "+pids");  // one write per controller; the last stays
  EXPECT_EQ(content("berth/cgroup.subtree_control"), "+pids");
  EXPECT_EQ(content("berth/c1/cgroup.subtree_control"), "");  // the leaf keeps none: it holds the processes
}

TEST(CgroupCreateTest, RefusesAnEmptyOrClimbingPath) {
  cgroups::Layout l;
  l.v2 = "/nonexistent";
  std::vector<std::string> warnings;
  EXPECT_THROW(cgroups::create(l, "", {}, warnings), std::runtime_error);
  EXPECT_THROW(cgroups::create(l, "berth/../..", {}, warnings), std::runtime_error);
}

TEST(CgroupHelpersTest, SharesToWeightAsRunc) {
  EXPECT_EQ(cgroups::v2::shares_to_weight(2), 1u);
  EXPECT_EQ(cgroups::v2::shares_to_weight(1024), 39u);
  EXPECT_EQ(cgroups::v2::shares_to_weight(262144), 10000u);
  EXPECT_EQ(cgroups::v2::shares_to_weight(0), 0u);
}

TEST(CgroupHelpersTest, KeyedValues) {
  EXPECT_EQ(cgroups::keyed_value("populated 1\nfrozen 0\n", "frozen"), 0);
  EXPECT_EQ(cgroups::keyed_value("oom_kill_disable 0\noom_kill 5", "oom_kill"), 5);
  EXPECT_EQ(cgroups::keyed_value("a 1\n", "b"), -1);
}

TEST_F(CgroupFiles, MakeDirsReportsWhatItCreated) {
  std::vector<std::string> made = cgroups::make_dirs(dir, "berth/c1");
  EXPECT_EQ(made, (std::vector<std::string>{dir + "/berth", dir + "/berth/c1"}));
  made = cgroups::make_dirs(dir, "berth/c2");
  EXPECT_EQ(made, std::vector<std::string>{dir + "/berth/c2"});
  EXPECT_TRUE(cgroups::procs(dir + "/berth/c1").empty());
}

}  // namespace
