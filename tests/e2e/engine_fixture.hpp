#pragma once
// Shared helpers for e2e tests of the engine: a temporary --root with a busybox image imported
// (`berth image import` of a busybox-static rootfs with its applet links), a unique project
// name, a compose file in a temp project dir, running `berth` there, and the leftover check
// every test ends with: no link, nft rule, mount, cgroup or process of this test's containers
// and networks may remain after `down`.
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "support/image_archive.hpp"
#include "support/run_command.hpp"

namespace berth::test {

class EngineFixture : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;

  /// Runs `berth --root R <args>` in the project dir with -p <project> after the verb's globals.
  CommandResult berth(std::vector<std::string> args, std::map<std::string, std::string> env = {});
  /// Like berth(), under timeout(1): a command that does not end within `seconds` is killed
  /// (exit 137) instead of hanging the suite; `input` is its stdin.
  CommandResult berth_bounded(int seconds, const std::vector<std::string>& args, const std::string& input = "");
  /// The argv of berth_bounded (for tests that run it themselves, e.g. on a pty).
  std::vector<std::string> bounded_argv(int seconds, const std::vector<std::string>& args) const;
  /// The environment berth runs with: PATH, BERTH_RUN, and the shim/dns binaries under test.
  std::map<std::string, std::string> berth_env() const;
  /// eth0's IPv4 address inside `service`'s container (or "(none: <output>)").
  std::string eth0_address(const std::string& service);
  /// Writes compose.yaml in the project dir.
  void write_compose(const std::string& text);
  /// The container ids recorded now in the project's state, by container name.
  std::map<std::string, std::string> container_ids();
  /// NAME → State of the project's containers, one-offs included (`ps -a --format json`).
  std::map<std::string, std::string> states();
  /// What is left of every container and network this test has seen (links, netns mounts,
  /// mounts under the root, cgroups, processes, nft rules); empty when all is clean.
  std::vector<std::string> leftovers();
  /// Remembers the ids in the state file (called after every berth command).
  void remember();

  const std::string& root() const { return m_root; }
  /// BERTH_RUN of this test: short (/run/bt<pid>x<n>), because unix socket paths under it
  /// (<run>/containers/<64 hex>/control.sock) must fit in 107 bytes.
  const std::string& run() const { return m_run; }
  const std::string& project() const { return m_project; }
  const std::string& dir() const { return m_project_dir; }
  /// The image name the fixture imported ("busybox:e2e").
  static constexpr const char* image = "busybox:e2e";

  std::unique_ptr<TempDir> m_tmp;
  std::string m_root, m_run, m_project, m_project_dir;
  std::set<std::string> m_container_ids, m_network_ids;
};

/// The address of busybox nslookup's answer ("Name: x" then "Address: a.b.c.d"); "" if none.
std::string nslookup_answer(const std::string& output);

/// Whether the plain progress lines ("Container X Creating", ...) of the containers `names`
/// interleave in `err`: under --parallel 1, each container's lines come in one run.
bool container_lines_interleave(const std::string& err, const std::vector<std::string>& names);

/// The entries of the fixture's busybox rootfs (/bin/busybox, a link per applet, /etc/passwd,
/// /etc/group, /tmp): tests that import an image of their own add theirs to it.
std::vector<TarEntry> busybox_rootfs_entries();

/// Why engine e2e tests cannot run here ("" when they can): not root, no busybox-static.
std::string engine_e2e_missing();

}  // namespace berth::test
