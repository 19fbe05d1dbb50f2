// `network_mode: service:a` end to end, as root: b runs in a's network namespace, follows a when
// `up` recreates it (b gets a new container and sees a's eth0 again, not a dead namespace), and
// keeps a's network across `restart a` and `stop a` + `start a` (a keeps its netns then); a
// "dead" a (its shim killed) is replaced by `up` and b follows. The
// fixture's TearDown runs `down` and checks that nothing of the test is left.
#include <signal.h>

#include <chrono>
#include <fstream>
#include <string>
#include <thread>

#include "engine_fixture.hpp"
#include "support/text.hpp"

using berth::test::EngineFixture;
using namespace std::chrono_literals;

namespace {

using berth::test::contains;

// b and c live in a's network namespace (c through b: a chain). MARK is what the test changes.
const char* kJoined = R"(services:
  a:
    image: busybox:e2e
    command: ["sleep", "300"]
    environment:
      MARK: one
    stop_grace_period: 1s
  b:
    image: busybox:e2e
    network_mode: service:a
    command: ["sleep", "300"]
    stop_grace_period: 1s
  c:
    image: busybox:e2e
    network_mode: service:b
    command: ["sleep", "300"]
    stop_grace_period: 1s
)";

}  // namespace

class NsJoin : public EngineFixture {
 protected:
  /// `ip -o -4 addr show dev eth0` inside a container of `service` ("" + the error on failure).
  std::string eth0(const std::string& service) {
    auto r = berth({"exec", "-T", service, "ip", "-o", "-4", "addr", "show", "dev", "eth0"});
    if (r.exit_code != 0) return "exit " + std::to_string(r.exit_code) + ": " + r.out + r.err;
    return r.out;
  }

  /// Asserts that b and c see exactly a's eth0 (one IPv4 address).
  void expect_shared_network() {
    const std::string a = eth0("a");
    EXPECT_TRUE(contains(a, "inet 10.")) << a;
    EXPECT_EQ(eth0("b"), a);
    EXPECT_EQ(eth0("c"), a);
  }

  std::string id(const std::string& service) { return container_ids()[project() + "-" + service + "-1"]; }
};

TEST_F(NsJoin, JoinersFollowARecreatedOwner) {
  write_compose(kJoined);
  auto up = berth({"up", "-d"});
  ASSERT_EQ(up.exit_code, 0) << up.err;
  // network_mode: service:a is an implicit dependency: a starts first, b before c.
  const std::string p = project();
  EXPECT_LT(up.err.find("Container " + p + "-a-1 Started"), up.err.find("Container " + p + "-b-1 Starting")) << up.err;
  EXPECT_LT(up.err.find("Container " + p + "-b-1 Started"), up.err.find("Container " + p + "-c-1 Starting")) << up.err;
  expect_shared_network();
  const std::string a1 = id("a"), b1 = id("b"), c1 = id("c");
  ASSERT_FALSE(a1.empty());

  std::string changed = kJoined;
  changed.replace(changed.find("MARK: one"), 9, "MARK: two");
  write_compose(changed);
  auto dry = berth({"--dry-run", "up", "-d"});
  ASSERT_EQ(dry.exit_code, 0) << dry.err;
  for (const char* s : {"a", "b", "c"})
    EXPECT_TRUE(contains(dry.err, "Container " + p + "-" + s + "-1 Recreate")) << dry.err;
  EXPECT_EQ(id("b"), b1);

  auto again = berth({"up", "-d"});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_NE(id("a"), a1);
  EXPECT_NE(id("b"), b1);
  EXPECT_NE(id("c"), c1);
  expect_shared_network();

  // Nothing changed: nobody is recreated.
  const std::string a2 = id("a"), b2 = id("b");
  auto noop = berth({"up", "-d"});
  ASSERT_EQ(noop.exit_code, 0) << noop.err;
  EXPECT_FALSE(contains(noop.err, "Recreate")) << noop.err;
  EXPECT_EQ(id("a"), a2);
  EXPECT_EQ(id("b"), b2);
}

TEST_F(NsJoin, OwnerRestartAndStopStartKeepTheJoinersNetwork) {
  write_compose(kJoined);
  auto up = berth({"up", "-d"});
  ASSERT_EQ(up.exit_code, 0) << up.err;
  expect_shared_network();
  const auto before = container_ids();

  auto restart = berth({"restart", "-t", "1", "a"});
  ASSERT_EQ(restart.exit_code, 0) << restart.err;
  EXPECT_EQ(container_ids(), before);
  expect_shared_network();

  auto stop = berth({"stop", "-t", "1", "a"});
  ASSERT_EQ(stop.exit_code, 0) << stop.err;
  // b keeps the namespace (a's netns is a bind mount that outlives a's process).
  auto b_alone = eth0("b");
  EXPECT_TRUE(contains(b_alone, "inet 10.")) << b_alone;
  auto start = berth({"start", "a"});
  ASSERT_EQ(start.exit_code, 0) << start.err;
  EXPECT_EQ(container_ids(), before);
  expect_shared_network();
  EXPECT_EQ(eth0("b"), b_alone);

  // A later `up` finds nothing to do: a started again is not a new namespace.
  auto noop = berth({"up", "-d"});
  ASSERT_EQ(noop.exit_code, 0) << noop.err;
  EXPECT_FALSE(contains(noop.err, "Recreate")) << noop.err;
  EXPECT_EQ(container_ids(), before);
}

TEST_F(NsJoin, NoStartRecreatesJoinersWithoutStartingThem) {
  write_compose(kJoined);
  ASSERT_EQ(berth({"up", "-d"}).exit_code, 0);
  const std::string b1 = id("b");
  std::string changed = kJoined;
  changed.replace(changed.find("MARK: one"), 9, "MARK: two");
  write_compose(changed);
  auto create = berth({"up", "--no-start"});
  ASSERT_EQ(create.exit_code, 0) << create.err;
  EXPECT_NE(id("b"), b1);
  auto ps = berth({"ps", "-a", "--format", "json"});
  EXPECT_FALSE(contains(ps.out, "\"running\"")) << ps.out;
  auto start = berth({"start"});
  ASSERT_EQ(start.exit_code, 0) << start.err;
  std::this_thread::sleep_for(100ms);
  expect_shared_network();
}

TEST_F(NsJoin, DeadOwnerIsReplacedAndJoinersFollow) {
  write_compose(kJoined);
  ASSERT_EQ(berth({"up", "-d"}).exit_code, 0);
  const std::string a1 = id("a"), b1 = id("b"), c1 = id("c");
  int shim = 0;
  std::ifstream(run() + "/containers/" + a1 + "/shim.pid") >> shim;
  ASSERT_GT(shim, 0);
  ASSERT_EQ(::kill(shim, SIGKILL), 0);
  std::this_thread::sleep_for(100ms);
  auto ps = berth({"ps", "-a", "a"});
  EXPECT_TRUE(contains(ps.out, "Dead")) << ps.out;
  auto up = berth({"up", "-d"});
  ASSERT_EQ(up.exit_code, 0) << up.err;
  EXPECT_NE(id("a"), a1);
  EXPECT_NE(id("b"), b1);
  EXPECT_NE(id("c"), c1);
  expect_shared_network();
}

TEST_F(NsJoin, StaleJoinersAreRepairedByTheNextUp) {
  write_compose(kJoined);
  ASSERT_EQ(berth({"up", "-d"}).exit_code, 0);
  const std::string b1 = id("b");
  std::string changed = kJoined;
  changed.replace(changed.find("MARK: one"), 9, "MARK: two");
  write_compose(changed);
  // Only a is recreated: b (not selected) keeps running in a's old, now orphaned namespace.
  ASSERT_EQ(berth({"up", "-d", "--no-deps", "a"}).exit_code, 0);
  EXPECT_EQ(id("b"), b1);
  EXPECT_FALSE(contains(eth0("b"), "inet 10.")) << eth0("b");
  // The next full `up` sees that b's namespace is none of a's and recreates b (and c after it).
  auto up = berth({"up", "-d"});
  ASSERT_EQ(up.exit_code, 0) << up.err;
  EXPECT_NE(id("b"), b1);
  expect_shared_network();
  auto noop = berth({"--dry-run", "up", "-d"});
  EXPECT_FALSE(contains(noop.err, "Recreate")) << noop.err;
}
