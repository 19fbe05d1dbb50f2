// The crash matrix (issue 16): `berth` killed with SIGKILL after the k-th progress event of `up`
// (and of `down`), for every k, on a project with two networks, a named volume, a published
// port, a healthcheck dependency and a scaled service. After each kill the next `up` converges
// to what a clean `up` makes, and `down -v` leaves no link, netns, nft rule, mount, cgroup,
// process, volume, network registry file (leases) or state file. `--progress json` gives the
// sync points: one JSON line per event on stderr. Then shims and berth-dns killed with SIGKILL at
// random moments of `up` and after it (the seed is printed): the next `up` converges all the same.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <future>
#include <nlohmann/json.hpp>
#include <random>
#include <thread>

#include "common/unique_fd.hpp"
#include "e2e/engine_fixture.hpp"
#include "support/text.hpp"

namespace fs = std::filesystem;

namespace berth::test {
namespace {

constexpr const char* kProject = R"(services:
  db:
    image: busybox:e2e
    command: ["sh", "-c", "touch /tmp/ready; trap 'exit 0' TERM; sleep 1000 & wait"]
    healthcheck: {test: ["CMD", "test", "-f", "/tmp/ready"], interval: 1s, start_interval: 100ms, start_period: 5s}
    volumes: ["data:/data"]
    networks: [back]
    stop_grace_period: 1s
  web:
    image: busybox:e2e
    command: ["sh", "-c", "trap 'exit 0' TERM; httpd -f -p 8080 -h /etc & wait"]
    ports: ["127.0.0.1::8080"]
    depends_on: {db: {condition: service_healthy}}
    networks: [front, back]
    scale: 2
    stop_grace_period: 1s
networks:
  front:
  back:
volumes:
  data:
)";

class CrashMatrix : public EngineFixture {
 protected:
  void SetUp() override {
    EngineFixture::SetUp();
    if (!HasFailure() && !IsSkipped()) write_compose(kProject);
  }

  /// Runs `berth <args>` with `--progress json`; kills it with SIGKILL right after the
  /// `kill_after`-th event line (never when 0). Returns how many events it printed.
  int run_events(const std::vector<std::string>& args, int kill_after) {
    std::vector<std::string> argv = {BERTH_BINARY, "--root", root(), "-p", project(), "--progress", "json"};
    argv.insert(argv.end(), args.begin(), args.end());
    std::vector<char*> cargv;
    for (auto& a : argv) cargv.push_back(a.data());
    cargv.push_back(nullptr);
    std::vector<std::string> env_text;
    for (const auto& [k, v] : berth_env()) env_text.push_back(k + "=" + v);
    std::vector<char*> cenv;
    for (auto& e : env_text) cenv.push_back(e.data());
    cenv.push_back(nullptr);
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) return -1;
    UniqueFd rd(fds[0]), wr(fds[1]);
    const pid_t pid = ::fork();
    if (pid == 0) {
      if (::chdir(dir().c_str()) != 0) ::_exit(126);
      ::dup2(wr.get(), 2);
      const int null = ::open("/dev/null", O_RDWR);
      ::dup2(null, 0);
      ::dup2(null, 1);
      ::execve(cargv[0], cargv.data(), cenv.data());
      ::_exit(127);
    }
    wr.reset();
    int events = 0;
    std::string pending;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    bool killed = false;
    while (std::chrono::steady_clock::now() < deadline) {
      pollfd p{rd.get(), POLLIN, 0};
      if (::poll(&p, 1, 200) <= 0) continue;
      char buf[4096];
      const ssize_t n = ::read(rd.get(), buf, sizeof buf);
      if (n <= 0) break;
      pending.append(buf, static_cast<size_t>(n));
      for (auto nl = pending.find('\n'); nl != std::string::npos; nl = pending.find('\n')) {
        const auto line = nlohmann::json::parse(pending.substr(0, nl), nullptr, false);
        pending.erase(0, nl + 1);
        if (line.is_object() && line.contains("id") && line.contains("status")) ++events;
        if (kill_after > 0 && events == kill_after && !killed) {
          ::kill(pid, SIGKILL);
          killed = true;
        }
      }
      if (killed) break;
    }
    if (!killed) ::kill(pid, SIGKILL);  // bounded: a hung berth is a failure below, not a hung test
    int status = 0;
    ::waitpid(pid, &status, 0);
    remember();
    if (!killed && !(WIFEXITED(status) && WEXITSTATUS(status) == 0)) {
      ADD_FAILURE() << "berth " << args.front() << " did not finish cleanly";
      return -1;
    }
    return events;
  }

  /// Name → State, with db's health (`healthy` once its check passes).
  std::map<std::string, std::string> end_state() {
    std::map<std::string, std::string> out;
    for (const auto& line : split_lines(berth({"ps", "-a", "--format", "json"}).out)) {
      const auto j = nlohmann::json::parse(line, nullptr, false);
      if (j.is_object()) out[j.value("Name", "")] = j.value("State", "") + "/" + j.value("Health", "");
    }
    return out;
  }

  static std::vector<std::string> split_lines(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);)
      if (!line.empty()) out.push_back(line);
    return out;
  }

  /// Nothing of the project left: the fixture's kernel-level check plus Berth's own files.
  std::vector<std::string> all_leftovers() {
    // A process `down` has ended may still be exiting: give it up to 3 s, then it is a leak.
    std::vector<std::string> out = leftovers();
    for (int i = 0; i < 30 && !out.empty(); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      out = leftovers();
    }
    std::error_code ec;
    if (fs::exists(root() + "/projects/" + project() + "/state.json")) out.push_back("state file");
    if (fs::exists(run() + "/projects/" + project(), ec)) out.push_back("run dir of the project");
    for (const char* dir : {"/volumes", "/networks"})
      if (fs::exists(root() + dir, ec) && !fs::is_empty(root() + dir, ec))
        out.push_back(std::string(dir) + " not empty");
    return out;
  }
};

TEST_F(CrashMatrix, KillNineAfterEveryEventOfUpThenUpConvergesAndDownLeavesNothing) {
  const int n = run_events({"up", "-d", "--wait"}, 0);
  ASSERT_GT(n, 10) << "too few progress events to make a matrix";
  const auto clean = end_state();
  ASSERT_EQ(clean.size(), 3u);
  ASSERT_EQ(berth({"down", "-v"}).exit_code, 0);
  ASSERT_EQ(all_leftovers(), std::vector<std::string>{});
  for (int k = 1; k < n; ++k) {
    SCOPED_TRACE("killed after event " + std::to_string(k) + " of " + std::to_string(n));
    run_events({"up", "-d", "--wait"}, k);
    auto up = berth_bounded(60, {"up", "-d", "--wait"});
    EXPECT_EQ(up.exit_code, 0) << up.err;
    EXPECT_EQ(end_state(), clean);
    auto down = berth_bounded(60, {"down", "-v"});
    EXPECT_EQ(down.exit_code, 0) << down.err;
    EXPECT_EQ(all_leftovers(), std::vector<std::string>{});
    if (HasFailure()) break;  // one broken step is enough to read
  }
}

TEST_F(CrashMatrix, KillNineAfterEveryEventOfDownThenDownLeavesNothing) {
  ASSERT_EQ(run_events({"up", "-d", "--wait"}, 0) > 0, true);
  const int n = run_events({"down", "-v"}, 0);
  ASSERT_GT(n, 5) << "too few progress events to make a matrix";
  ASSERT_EQ(all_leftovers(), std::vector<std::string>{});
  for (int k = 1; k < n; ++k) {
    SCOPED_TRACE("killed after event " + std::to_string(k) + " of " + std::to_string(n));
    ASSERT_GT(run_events({"up", "-d", "--wait"}, 0), 0);
    run_events({"down", "-v"}, k);
    auto down = berth_bounded(60, {"down", "-v"});
    EXPECT_EQ(down.exit_code, 0) << down.err;
    EXPECT_EQ(all_leftovers(), std::vector<std::string>{});
    if (HasFailure()) break;
  }
}

TEST_F(CrashMatrix, KillNineOfShimsAndBerthDnsAtRandomMomentsThenUpConverges) {
  ASSERT_GT(run_events({"up", "-d", "--wait"}, 0), 0);
  const auto clean = end_state();
  ASSERT_EQ(clean.size(), 3u);
  ASSERT_EQ(berth({"down", "-v"}).exit_code, 0);
  const unsigned seed = std::random_device{}();
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937 random(seed);
  // The pid files of what runs now: every shim, and the project's berth-dns.
  auto victims = [&] {
    std::vector<std::string> out;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(run() + "/containers", ec))
      out.push_back((e.path() / "shim.pid").string());
    out.push_back(run() + "/projects/" + project() + "/dns.pid");
    return out;
  };
  int hits = 0;
  for (int round = 1; round <= 6; ++round) {
    // A kill during `up` (0 to 2.5 s in: creating, starting, waiting for health) or after it.
    const int delay_ms = std::uniform_int_distribution<int>(0, 2500)(random);
    SCOPED_TRACE("round " + std::to_string(round) + ", kill " + std::to_string(delay_ms) + " ms into up");
    auto up = std::async(std::launch::async, [&] { return berth_bounded(60, {"up", "-d", "--wait"}); });
    std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms));
    const auto files = victims();
    const std::string victim = files[std::uniform_int_distribution<size_t>(0, files.size() - 1)(random)];
    int pid = 0;
    std::ifstream(victim) >> pid;
    if (pid > 0 && ::kill(pid, SIGKILL) == 0) ++hits;
    up.get();  // it may fail: a container's shim died under it
    auto again = berth_bounded(60, {"up", "-d", "--wait"});
    EXPECT_EQ(again.exit_code, 0) << "after killing " << victim << " (" << pid << "): " << again.err;
    EXPECT_EQ(end_state(), clean) << "after killing " << victim;
    if (HasFailure()) break;
  }
  EXPECT_GE(hits, 3) << "most rounds should find their victim running";
  auto down = berth_bounded(60, {"down", "-v"});
  EXPECT_EQ(down.exit_code, 0) << down.err;
  EXPECT_EQ(all_leftovers(), std::vector<std::string>{});
}

}  // namespace
}  // namespace berth::test
