#pragma once
// Integration-test harness for container creation (runtime-shim/container): a RootfsFixture per
// test, helpers to start the probe in a container with its output in a file, wait for it and
// remove its cgroups, and a TearDown that fails the test if anything is left on the machine
// (a mount mentioning the test's temp dir, a cgroup directory, a process in it). Tests skip,
// naming what is missing, without root, /bin/busybox or the probe.
#include <fcntl.h>
#include <gtest/gtest.h>
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

#include "rootfs_fixture.hpp"
#include "runtime-shim/container/create.hpp"
#include "support/files.hpp"

namespace berth::shim::test {

using berth::test::read_bytes;

using nlohmann::json;
using testing_fixture = berth::testing::RootfsFixture;

inline std::string join_lines(const std::vector<std::string>& lines) {
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
    r.output = read_bytes(fx->path(b.id + ".out"));
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

}  // namespace berth::shim::test
