// The event journal end to end: `events --since/--until` replays what berth and the shims
// recorded (lifecycle in order, with docker's attributes, and a die from a container's own exit
// while no berth ran), `down` removes the journal; a container the kernel OOM-kills ends with
// OOMKilled true, exit code 137 and an `oom` event.
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "common/event_journal.hpp"
#include "engine_fixture.hpp"
#include "support/text.hpp"

namespace berth::test {
namespace {

using namespace std::chrono_literals;

class Events : public EngineFixture {
 protected:
  void SetUp() override {
    if (auto missing = engine_e2e_missing(); !missing.empty()) GTEST_SKIP() << missing;
    EngineFixture::SetUp();
  }
  /// A Unix timestamp with nanoseconds, as `--since` takes it.
  static std::string unix_now() {
    const int64_t ns = journal::now_ns();
    char buf[64];
    std::snprintf(buf, sizeof buf, "%lld.%09lld", static_cast<long long>(ns / 1'000'000'000),
                  static_cast<long long>(ns % 1'000'000'000));
    return buf;
  }
  static std::vector<nlohmann::json> json_lines(const std::string& text) {
    std::vector<nlohmann::json> out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) out.push_back(nlohmann::json::parse(line));
    return out;
  }
  /// The actions of `service`'s events, in order.
  static std::vector<std::string> actions_of(const std::vector<nlohmann::json>& events, const std::string& service) {
    std::vector<std::string> out;
    for (const auto& e : events)
      if (e.value("service", "") == service) out.push_back(e.value("action", ""));
    return out;
  }
  nlohmann::json ps_json_of(const std::string& name) {
    auto ps = berth({"ps", "-a", "--format", "json"});
    EXPECT_EQ(ps.exit_code, 0) << ps.err;
    for (const auto& j : json_lines(ps.out))
      if (j.value("Name", "") == name) return j;
    return {};
  }
  bool wait_state(const std::string& name, const std::string& want, std::chrono::seconds limit) {
    for (auto end = std::chrono::steady_clock::now() + limit; std::chrono::steady_clock::now() < end;) {
      if (states()[name] == want) return true;
      std::this_thread::sleep_for(200ms);
    }
    return false;
  }
};

TEST_F(Events, SinceUntilReplaysTheJournalInOrder) {
  write_compose(R"(services:
  box:
    image: busybox:e2e
    network_mode: none
    command: [sleep, "300"]
  quick:
    image: busybox:e2e
    network_mode: none
    command: [sh, -c, "sleep 2; exit 3"]
)");
  const std::string t0 = unix_now();
  ASSERT_EQ(berth({"up", "-d"}).exit_code, 0);
  ASSERT_EQ(berth({"stop", "-t", "1", "box"}).exit_code, 0);
  ASSERT_EQ(berth({"start", "box"}).exit_code, 0);
  ASSERT_EQ(berth({"exec", "-T", "box", "sh", "-c", "exit 4"}).exit_code, 4);
  ASSERT_EQ(berth({"restart", "-t", "1", "box"}).exit_code, 0);
  // `quick` exits by itself: only its shim is there to record it.
  ASSERT_TRUE(wait_state(project() + "-quick-1", "exited", 20s)) << states()[project() + "-quick-1"];
  const std::string t1 = unix_now();
  std::this_thread::sleep_for(200ms);
  ASSERT_EQ(berth({"pause", "box"}).exit_code, 0);  // after --until: not replayed

  auto r = berth_bounded(30, {"events", "--json", "--since", t0, "--until", t1});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto events = json_lines(r.out);
  EXPECT_EQ(actions_of(events, "box"),
            (std::vector<std::string>{"create", "start", "kill", "kill", "die", "stop", "start",
                                      "exec_create: sh -c exit 4", "exec_start: sh -c exit 4", "exec_die", "kill",
                                      "kill", "die", "stop", "start", "restart"}))
      << r.out;
  EXPECT_EQ(actions_of(events, "quick"), (std::vector<std::string>{"create", "start", "die"})) << r.out;
  const auto ids = container_ids();
  std::string last_time;
  for (const auto& e : events) {
    const std::string service = e.value("service", "");
    const std::string name = project() + "-" + service + "-1";
    EXPECT_EQ(e.value("type", ""), "container");
    EXPECT_EQ(e.value("id", ""), ids.at(name));
    EXPECT_EQ(e["attributes"].value("name", ""), name) << e;
    EXPECT_EQ(e["attributes"].value("image", ""), "busybox:e2e") << e;
    const std::string time = e.value("time", "");  // RFC3339NanoFixed: sorts as text
    EXPECT_GE(time, last_time);
    last_time = time;
    const std::string action = e.value("action", "");
    if (action == "die") EXPECT_EQ(e["attributes"].value("exitCode", ""), service == "quick" ? "3" : "137") << e;
    if (action == "exec_die") EXPECT_EQ(e["attributes"].value("exitCode", ""), "4") << e;
    if (action.rfind("exec_", 0) == 0) EXPECT_FALSE(e["attributes"].value("execID", "").empty()) << e;
    if (action == "kill")
      EXPECT_TRUE(e["attributes"].value("signal", "") == "15" || e["attributes"].value("signal", "") == "9") << e;
  }

  // A service filter, relative --since, the text form.
  auto text = berth_bounded(30, {"events", "--since", "10m", "--until", t1, "quick"});
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_TRUE(contains(text.out, " container die " + ids.at(project() + "-quick-1") + " (")) << text.out;
  EXPECT_TRUE(contains(text.out, "exitCode=3, image=busybox:e2e, name=" + project() + "-quick-1)\n")) << text.out;
  EXPECT_FALSE(contains(text.out, "-box-1")) << text.out;
  auto bad = berth_bounded(30, {"events", "--since", "yesterday"});
  EXPECT_NE(bad.exit_code, 0);
  EXPECT_TRUE(contains(bad.err, "failed to parse value as time or duration: \"yesterday\"")) << bad.err;

  // Without --until: the replay, then live events until Ctrl+C (here: --until a moment ahead).
  const std::string soon = std::to_string(std::time(nullptr) + 4);
  std::thread later([&] {
    std::this_thread::sleep_for(1500ms);
    run_command(bounded_argv(30, {"unpause", "box"}), dir(), berth_env());  // not berth(): no shared state
  });
  auto live = berth_bounded(30, {"events", "--json", "--since", t1, "--until", soon, "box"});
  later.join();
  ASSERT_EQ(live.exit_code, 0) << live.err;
  EXPECT_EQ(actions_of(json_lines(live.out), "box"), (std::vector<std::string>{"pause", "unpause"})) << live.out;

  const std::string journal = root() + "/projects/" + project() + "/events.log";
  EXPECT_TRUE(std::filesystem::exists(journal));
  ASSERT_EQ(berth({"down", "-t", "1"}).exit_code, 0);
  EXPECT_FALSE(std::filesystem::exists(journal));
  EXPECT_FALSE(std::filesystem::exists(journal + ".1"));
}

TEST_F(Events, OomKilledContainer) {
  // The shell itself doubles a string until the 16 MiB limit is hit: PID 1 is what the kernel
  // kills, so the exit code is 137 (not a failed child's).
  write_compose(R"(services:
  hog:
    image: busybox:e2e
    network_mode: none
    mem_limit: 16m
    command: [sh, -c, "x=aaaaaaaaaaaaaaaa; while true; do x=$$x$$x; done"]
)");
  const std::string t0 = unix_now();
  ASSERT_EQ(berth({"up", "-d"}).exit_code, 0);
  const std::string name = project() + "-hog-1";
  ASSERT_TRUE(wait_state(name, "exited", 60s)) << states()[name];
  auto j = ps_json_of(name);
  EXPECT_EQ(j.value("ExitCode", -1), 137) << j;
  EXPECT_EQ(j.value("OOMKilled", false), true) << j;
  auto r = berth_bounded(30, {"events", "--json", "--since", t0, "--until", unix_now()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto actions = actions_of(json_lines(r.out), "hog");
  EXPECT_EQ(actions, (std::vector<std::string>{"create", "start", "oom", "die"})) << r.out;
  ASSERT_EQ(berth({"down"}).exit_code, 0);
}

}  // namespace
}  // namespace berth::test
