#pragma once
// Drives the real berth-shim binary (BERTH_SHIM) on a busybox rootfs (RootfsFixture) for the
// integration tests: writes the bundle's config.json, starts shims detached or in the
// foreground, talks to their control socket, and cleans up (stop, shutdown, reap) afterwards.
// The test process makes itself a child subreaper, so double-forked shims re-parent to it and
// can be reaped (and their exit status checked) instead of lingering as zombies.
#include <sys/types.h>

#include <chrono>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "common/shim_protocol.hpp"
#include "rootfs_fixture.hpp"

namespace berth::testing {

/// Why the shim tests can't run here ("" when they can).
std::string shim_missing();

/// The result of running a program to completion.
struct RunResult {
  int exit_code = -1;  ///< exit status, or 128+signal
  std::string out, err;
};

/// Reads `fd` to EOF (EIO from a pty master counts as EOF); each read waits at most 10 s.
std::string read_to_eof(int fd);

/// Runs `argv` with stdout and stderr captured.
RunResult run_program(const std::vector<std::string>& argv);

/// One container under a shim: its bundle dir, state dir and id.
struct ShimContainer {
  std::string id, bundle_dir, state_dir;
  pid_t shim_pid = 0;
  nlohmann::json ready;  ///< the readiness line of a detached start

  std::string socket() const { return state_dir + "/control.sock"; }
  std::string log_path() const { return state_dir + "/container.log"; }
  shim_protocol::State state() const { return shim_protocol::read_state(state_dir); }
  /// One request on a new connection.
  shim_protocol::Reply call(const nlohmann::json& request) const;
  /// The container.log lines, parsed.
  std::vector<nlohmann::json> log_lines() const;
};

/// Test base: a rootfs, the shims started, and a check that nothing is left behind.
class ShimTest : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;

  /// A bundle running `args`; tweak it (annotations, terminal, ...) before start().
  shim::Bundle bundle(std::vector<std::string> args);
  /// Writes config.json and `berth-shim run --detach`; expects readiness ok unless told not to.
  ShimContainer& start(const shim::Bundle& b, bool expect_ok = true);
  /// Writes config.json and runs `berth-shim run` in the foreground to completion.
  RunResult run_foreground(const shim::Bundle& b);
  /// Stops (SIGKILL), shuts down and reaps the shim; expects it to exit 0.
  void finish(ShimContainer& c);
  /// Polls `pred` every 20 ms until true or `timeout`; returns the last result.
  static bool eventually(const std::function<bool()>& pred,
                         std::chrono::milliseconds timeout = std::chrono::seconds(10));

  std::unique_ptr<RootfsFixture> fx;
  std::vector<std::unique_ptr<ShimContainer>> shims;
  std::vector<std::string> ids;

 private:
  std::string write_bundle(const shim::Bundle& b);
};

}  // namespace berth::testing
