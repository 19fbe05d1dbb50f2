// load_bundle: the OCI config.json subset and org.berth.* annotations, and errors that name the
// file and the key.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "runtime-shim/container/bundle.hpp"
#include "support/temp_dir.hpp"

using namespace berth::shim;

namespace {

class BundleTest : public ::testing::Test {
 protected:
  void SetUp() override { dir = m_tmp.path(); }

  Bundle load(const std::string& json) {
    std::ofstream(dir + "/config.json") << json;
    return load_bundle(dir, "c1");
  }

  std::string error_of(const std::string& json) {
    try {
      load(json);
    } catch (const std::runtime_error& e) {
      return e.what();
    }
    return "(no error)";
  }

  std::string file() const { return "`" + dir + "/config.json`: "; }

  berth::test::TempDir m_tmp{"berth-bundle"};
  std::string dir;
};

const char* full = R"({
  "ociVersion": "1.1.0",
  "process": {
    "terminal": true,
    "consoleSize": {"height": 30, "width": 100},
    "user": {"uid": 1000, "gid": 1000, "additionalGids": [5, 29]},
    "args": ["/bin/sh", "-c", "echo hi"],
    "env": ["PATH=/bin", "A=b"],
    "cwd": "/work",
    "capabilities": {"bounding": ["CAP_CHOWN"], "effective": ["CAP_CHOWN"], "permitted": ["CAP_CHOWN"]},
    "rlimits": [{"type": "RLIMIT_NOFILE", "soft": 1024, "hard": 4096}],
    "noNewPrivileges": true
  },
  "root": {"path": "rootfs", "readonly": true},
  "hostname": "web",
  "domainname": "example.test",
  "mounts": [{"destination": "/data", "type": "bind", "source": "/srv/data", "options": ["rbind", "ro"]}],
  "linux": {
    "namespaces": [{"type": "pid"}, {"type": "mount"}, {"type": "network", "path": "/run/berth/netns/x"}],
    "resources": {"memory": {"limit": 67108864, "swap": -1}, "cpu": {"shares": 512, "quota": 50000, "period": 100000},
                  "pids": {"limit": 100}},
    "cgroupsPath": "/berth/custom",
    "sysctl": {"net.ipv4.ip_forward": "1"},
    "maskedPaths": [],
    "devices": [{"path": "/dev/fuse", "type": "c", "major": 10, "minor": 229, "fileMode": 438}]
  },
  "annotations": {
    "org.berth.rootfs.lower": "/l/2:/l/1", "org.berth.rootfs.upper": "/u", "org.berth.rootfs.work": "/w",
    "org.berth.user": "app:audio", "org.berth.seccomp": "unconfined", "org.berth.init": "true",
    "org.berth.restart": "on-failure:3", "org.berth.stop-signal": "SIGQUIT", "org.berth.stop-timeout": "5",
    "org.berth.healthcheck": "{\"test\":[\"CMD\",\"true\"],\"interval_ns\":1000000000,\"retries\":2}",
    "org.berth.log-path": "/var/log/c1.log", "com.example": "kept",
    "org.berth.open-stdin": "true", "org.berth.stdin-once": "true", "org.berth.attach-pending": "true"
  }
})";

TEST_F(BundleTest, ReadsEverySupportedKey) {
  Bundle b = load(full);
  EXPECT_EQ(b.id, "c1");
  EXPECT_TRUE(b.terminal);
  ASSERT_TRUE(b.console_size);
  EXPECT_EQ(*b.console_size, (std::pair<unsigned short, unsigned short>{30, 100}));
  EXPECT_TRUE(b.open_stdin && b.stdin_once && b.attach_pending);
  EXPECT_EQ(b.uid, 1000u);
  EXPECT_EQ(b.additional_gids, (std::vector<uint32_t>{5, 29}));
  EXPECT_EQ(b.args, (std::vector<std::string>{"/bin/sh", "-c", "echo hi"}));
  EXPECT_EQ(b.cwd, "/work");
  EXPECT_TRUE(b.capabilities_given);
  EXPECT_EQ(b.capabilities.bounding, std::vector<std::string>{"CAP_CHOWN"});
  ASSERT_EQ(b.rlimits.size(), 1u);
  EXPECT_EQ(b.rlimits[0].hard, 4096u);
  EXPECT_TRUE(b.no_new_privileges);
  EXPECT_EQ(b.rootfs, dir + "/rootfs");
  EXPECT_TRUE(b.readonly_rootfs);
  EXPECT_EQ(b.hostname, "web");
  EXPECT_EQ(b.domainname, "example.test");
  ASSERT_EQ(b.mounts.size(), 1u);
  EXPECT_EQ(b.mounts[0].options, (std::vector<std::string>{"rbind", "ro"}));
  ASSERT_EQ(b.namespaces.size(), 3u);
  EXPECT_EQ(b.namespaces[2].path, "/run/berth/netns/x");
  EXPECT_EQ(b.resources.memory_limit, 67108864);
  EXPECT_EQ(b.resources.memory_swap, -1);
  EXPECT_EQ(b.resources.cpu_quota, 50000);
  EXPECT_EQ(b.resources.pids_limit, 100);
  EXPECT_EQ(b.cgroups_path, "berth/custom");
  EXPECT_EQ(b.sysctl.at("net.ipv4.ip_forward"), "1");
  EXPECT_TRUE(b.masked_paths_given);
  EXPECT_TRUE(b.masked_paths.empty());
  EXPECT_FALSE(b.readonly_paths_given);
  ASSERT_EQ(b.devices.size(), 1u);
  EXPECT_EQ(b.devices[0].minor, 229);
  EXPECT_EQ(b.devices[0].file_mode, 0666u);
  EXPECT_EQ(b.lower_dirs, (std::vector<std::string>{"/l/2", "/l/1"}));
  EXPECT_EQ(b.upper_dir, "/u");
  EXPECT_EQ(b.user, "app:audio");
  EXPECT_TRUE(b.seccomp_unconfined);
  EXPECT_TRUE(b.init);
  EXPECT_EQ(b.restart, "on-failure:3");
  EXPECT_EQ(b.stop_signal, "SIGQUIT");
  EXPECT_EQ(b.stop_timeout_s, 5);
  ASSERT_TRUE(b.healthcheck);
  EXPECT_EQ(b.healthcheck->test, (std::vector<std::string>{"CMD", "true"}));
  EXPECT_EQ(b.healthcheck->interval_ns, 1000000000);
  EXPECT_EQ(b.healthcheck->retries, 2);
  EXPECT_EQ(b.healthcheck->timeout_ns, 30000000000);
  EXPECT_EQ(b.log_path, "/var/log/c1.log");
  EXPECT_EQ(b.annotations.at("com.example"), "kept");
}

TEST_F(BundleTest, MinimalConfigGetsDefaults) {
  Bundle b = load(R"({"process": {"args": ["true"]}, "root": {"path": "/abs/root"}})");
  EXPECT_EQ(b.rootfs, "/abs/root");
  EXPECT_EQ(b.cgroups_path, "berth/c1");
  EXPECT_EQ(b.cwd, "/");
  EXPECT_FALSE(b.capabilities_given);
  EXPECT_FALSE(b.masked_paths_given);
  EXPECT_FALSE(b.seccomp_unconfined);
  EXPECT_EQ(b.restart, "no");
  EXPECT_EQ(b.stop_timeout_s, 10);
  EXPECT_TRUE(b.lower_dirs.empty());
  EXPECT_FALSE(b.console_size);
  EXPECT_FALSE(b.open_stdin || b.stdin_once || b.attach_pending);
}

TEST_F(BundleTest, ErrorsNameTheFileAndTheKey) {
  EXPECT_EQ(error_of(R"({"process": {"args": ["x"], "user": {"uid": "0"}}, "root": {"path": "r"}})"),
            file() + "process.user.uid: expected an unsigned integer, got string");
  EXPECT_EQ(error_of(R"({"process": {"args": ["x"]}})"), file() + "root: missing");
  EXPECT_EQ(error_of(R"({"process": {"args": []}, "root": {"path": "r"}})"),
            file() + "process.args: must not be empty");
  EXPECT_EQ(error_of(R"({"process": {"args": ["x", 3]}, "root": {"path": "r"}})"),
            file() + "process.args[1]: expected a string, got number");
  EXPECT_EQ(error_of(R"({"process": {"args": ["x"], "cwd": "rel"}, "root": {"path": "r"}})"),
            file() + "process.cwd: must be an absolute path");
  EXPECT_EQ(
      error_of(R"({"process": {"args": ["x"]}, "root": {"path": "r"}, "linux": {"namespaces": [{"type": "pdi"}]}})"),
      file() + "linux.namespaces[0].type: unknown namespace type \"pdi\"");
  EXPECT_EQ(error_of(R"({"process": {"args": ["x"], "rlimits": [{"type": "RLIMIT_NOFILE", "soft": 9, "hard": 1}]},
                         "root": {"path": "r"}})"),
            file() + "process.rlimits[0]: soft limit 9 exceeds hard limit 1");
  EXPECT_EQ(error_of(R"({"process": {"args": ["x"]}, "root": {"path": "r"}, "mounts": [{"type": "tmpfs"}]})"),
            file() + "mounts[0].destination: missing");
  EXPECT_EQ(error_of(R"({"process": {"args": ["x"]}, "root": {"path": "r"},
                         "annotations": {"org.berth.seccomp": "strict"}})"),
            file() + "annotations.org.berth.seccomp: expected \"default\" or \"unconfined\", got \"strict\"");
  EXPECT_EQ(
      error_of(R"({"process": {"args": ["x"]}, "root": {"path": "r"},
                         "annotations": {"org.berth.restart": "sometimes"}})"),
      file() +
          "annotations.org.berth.restart: expected no, always, unless-stopped or on-failure[:N], got \"sometimes\"");
  EXPECT_EQ(error_of(R"({"process": {"args": ["x"]}, "root": {"path": "r"},
                         "annotations": {"org.berth.rootfs.lower": "/a"}})"),
            file() + "annotations.org.berth.rootfs: lower, upper and work must be given together");
  EXPECT_EQ(error_of(R"({"process": {"args": ["x"]}, "root": {"path": "r"},
                         "annotations": {"org.berth.open-stdin": "yes"}})"),
            file() + "annotations.org.berth.open-stdin: expected \"true\" or \"false\"");
  EXPECT_EQ(error_of(R"({"process": {"args": ["x"], "consoleSize": {"height": 30}}, "root": {"path": "r"}})"),
            file() + "process.consoleSize: height and width must be given together");
  EXPECT_EQ(
      error_of(R"({"process": {"args": ["x"], "consoleSize": {"height": 70000, "width": 1}}, "root": {"path": "r"}})"),
      file() + "process.consoleSize: larger than a terminal can be (65535)");
  EXPECT_NE(error_of("{not json").find(file() + "invalid JSON"), std::string::npos);
  EXPECT_EQ(
      error_of(
          R"({"process": {"args": ["x"]}, "root": {"path": "r"}, "linux": {"resources": {"memory": {"limit": "1g"}}}})"),
      file() + "linux.resources.memory.limit: expected an integer, got string");
}

TEST_F(BundleTest, DeviceCgroupRules) {
  Bundle b = load(R"({"process": {"args": ["x"]}, "root": {"path": "r"}, "linux": {"resources": {"devices": [
      {"allow": false, "access": "rwm"},
      {"allow": true, "type": "c", "major": 1, "minor": 3, "access": "rw"},
      {"allow": true, "type": "c", "major": 189, "minor": -1, "access": "mr"},
      {"allow": true, "type": "b", "major": null}]}}})");
  ASSERT_EQ(b.resources.devices.size(), 4u);
  EXPECT_FALSE(b.resources.devices[0].allow);
  EXPECT_EQ(b.resources.devices[0].type, 'a');
  EXPECT_EQ(b.resources.devices[0].major, -1);
  EXPECT_EQ(b.resources.devices[1].type, 'c');
  EXPECT_EQ(b.resources.devices[1].major, 1);
  EXPECT_EQ(b.resources.devices[1].minor, 3);
  EXPECT_EQ(b.resources.devices[1].access, "rw");
  EXPECT_EQ(b.resources.devices[2].minor, -1);
  EXPECT_EQ(b.resources.devices[3].major, -1);
  EXPECT_EQ(b.resources.devices[3].access, "rwm");  // left out: everything
  auto rules = [](const std::string& list) {
    return R"({"process": {"args": ["x"]}, "root": {"path": "r"}, "linux": {"resources": {"devices": )" + list + "}}}";
  };
  EXPECT_EQ(error_of(rules(R"([{"type": "c"}])")), file() + "linux.resources.devices[0].allow: missing");
  EXPECT_EQ(error_of(rules(R"([{"allow": true, "type": "u"}])")),
            file() + "linux.resources.devices[0].type: expected \"a\", \"c\" or \"b\"");
  EXPECT_EQ(error_of(rules(R"([{"allow": true, "access": "rwx"}])")),
            file() + "linux.resources.devices[0].access: expected a combination of r, w and m, got \"rwx\"");
  EXPECT_EQ(error_of(rules(R"([{"allow": true, "access": "rr"}])")),
            file() + "linux.resources.devices[0].access: expected a combination of r, w and m, got \"rr\"");
  EXPECT_EQ(error_of(rules(R"([{"allow": true, "major": -2}])")),
            file() + "linux.resources.devices[0].major: expected -1 (any) or 0..1048575");
}

}  // namespace
