// `berth up -d` / `down` and the lifecycle commands end to end, as root, with the busybox image
// the fixture imports into a temporary root. Every test ends (fixture TearDown) with `down -v`
// and the leftover check: no link, netns, mount, cgroup, process or nft rule of its own remains.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "common/unique_fd.hpp"
#include "engine_fixture.hpp"
#include "support/text.hpp"

using berth::test::EngineFixture;
namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

using berth::test::contains;

size_t position(const std::string& text, const std::string& part) {
  auto at = text.find(part);
  return at == std::string::npos ? SIZE_MAX : at;
}

// Three services without networking: db becomes healthy after a moment, api waits for that,
// web only for api to have started.
const char* kThreeServices = R"(services:
  db:
    image: busybox:e2e
    network_mode: none
    command: ["sh", "-c", "sleep 1; touch /tmp/ready; exec sleep 300"]
    healthcheck:
      test: ["CMD", "test", "-f", "/tmp/ready"]
      interval: 300ms
      timeout: 2s
      retries: 20
    stop_grace_period: 1s
  api:
    image: busybox:e2e
    network_mode: none
    command: ["sleep", "300"]
    depends_on:
      db:
        condition: service_healthy
    stop_grace_period: 1s
  web:
    image: busybox:e2e
    network_mode: none
    command: ["sleep", "300"]
    environment:
      MODE: one
    depends_on: [api]
    stop_grace_period: 1s
)";

}  // namespace

class Lifecycle : public EngineFixture {};

TEST_F(Lifecycle, UpHealthyOrderPsLsAndCommands) {
  write_compose(kThreeServices);
  auto up = berth({"up", "-d"});
  ASSERT_EQ(up.exit_code, 0) << up.err;
  const std::string p = project();
  EXPECT_LT(position(up.err, "Container " + p + "-db-1 Healthy"),
            position(up.err, "Container " + p + "-api-1 Starting"))
      << up.err;
  EXPECT_LT(position(up.err, "Container " + p + "-api-1 Started"),
            position(up.err, "Container " + p + "-web-1 Starting"))
      << up.err;

  auto ps = berth({"ps"});
  ASSERT_EQ(ps.exit_code, 0) << ps.err;
  EXPECT_EQ(ps.out.rfind("NAME", 0), 0u) << ps.out;
  EXPECT_TRUE(contains(ps.out, "SERVICE")) << ps.out;
  EXPECT_TRUE(contains(ps.out, p + "-db-1")) << ps.out;
  EXPECT_TRUE(contains(ps.out, "(healthy)")) << ps.out;
  EXPECT_TRUE(contains(ps.out, "\"sleep 300\"")) << ps.out;
  auto ls = berth({"ls"});
  EXPECT_TRUE(contains(ls.out, p)) << ls.out;
  EXPECT_TRUE(contains(ls.out, "running(3)")) << ls.out;
  auto ids = berth({"ps", "-q"});
  EXPECT_EQ(std::count(ids.out.begin(), ids.out.end(), '\n'), 3) << ids.out;
  auto js = berth({"ps", "--format", "json"});
  auto first = nlohmann::json::parse(js.out.substr(0, js.out.find('\n')));
  EXPECT_EQ(first["State"], "running");
  EXPECT_EQ(first["Project"], p);

  auto stop = berth({"stop", "web"});
  ASSERT_EQ(stop.exit_code, 0) << stop.err;
  auto all = berth({"ps", "-a"});
  EXPECT_TRUE(contains(all.out, "Exited (")) << all.out;
  EXPECT_FALSE(contains(berth({"ps"}).out, p + "-web-1"));
  auto start = berth({"start", "web"});
  ASSERT_EQ(start.exit_code, 0) << start.err;
  EXPECT_TRUE(contains(berth({"ps"}).out, p + "-web-1"));

  auto pause = berth({"pause", "api"});
  ASSERT_EQ(pause.exit_code, 0) << pause.err;
  EXPECT_TRUE(contains(berth({"ps"}).out, "(Paused)"));
  auto unpause = berth({"unpause", "api"});
  ASSERT_EQ(unpause.exit_code, 0) << unpause.err;
  EXPECT_FALSE(contains(berth({"ps"}).out, "(Paused)"));

  auto ids_before = container_ids();
  auto restart = berth({"restart", "-t", "1", "api"});
  ASSERT_EQ(restart.exit_code, 0) << restart.err;
  EXPECT_TRUE(contains(restart.err, "Container " + p + "-api-1 Started")) << restart.err;
  EXPECT_EQ(container_ids(), ids_before);

  auto kill = berth({"kill", "-s", "KILL", "web"});
  ASSERT_EQ(kill.exit_code, 0) << kill.err;
  std::this_thread::sleep_for(200ms);
  EXPECT_TRUE(contains(berth({"ps", "-a", "web"}).out, "Exited (137)"));
  auto rm = berth({"rm", "-f", "web"});
  ASSERT_EQ(rm.exit_code, 0) << rm.err;
  EXPECT_EQ(container_ids().count(p + "-web-1"), 0u);
  EXPECT_EQ(container_ids().size(), 2u);
}

TEST_F(Lifecycle, RecreatesOnlyWhatChangedAndNoopUpChangesNothing) {
  write_compose(kThreeServices);
  ASSERT_EQ(berth({"up", "-d"}).exit_code, 0);
  auto before = container_ids();
  auto noop = berth({"up", "-d"});
  ASSERT_EQ(noop.exit_code, 0) << noop.err;
  EXPECT_FALSE(contains(noop.err, "Creat")) << noop.err;
  EXPECT_FALSE(contains(noop.err, "Recreate")) << noop.err;
  EXPECT_EQ(container_ids(), before);

  std::string changed = kThreeServices;
  changed.replace(changed.find("MODE: one"), 9, "MODE: two");
  write_compose(changed);
  auto dry = berth({"--dry-run", "up", "-d"});
  EXPECT_TRUE(contains(dry.err, "Container " + project() + "-web-1 Recreate")) << dry.err;
  EXPECT_EQ(container_ids(), before);
  auto up = berth({"up", "-d"});
  ASSERT_EQ(up.exit_code, 0) << up.err;
  auto after = container_ids();
  const std::string p = project();
  EXPECT_NE(after[p + "-web-1"], before[p + "-web-1"]);
  EXPECT_EQ(after[p + "-db-1"], before[p + "-db-1"]);
  EXPECT_EQ(after[p + "-api-1"], before[p + "-api-1"]);
  EXPECT_TRUE(contains(berth({"ps"}).out, p + "-web-1"));
}

TEST_F(Lifecycle, OrphansAreWarnedThenRemoved) {
  write_compose(R"(services:
  a:
    image: busybox:e2e
    network_mode: none
    command: ["sleep", "300"]
  b:
    image: busybox:e2e
    network_mode: none
    command: ["sleep", "300"]
)");
  ASSERT_EQ(berth({"up", "-d"}).exit_code, 0);
  write_compose(R"(services:
  a:
    image: busybox:e2e
    network_mode: none
    command: ["sleep", "300"]
)");
  auto up = berth({"up", "-d"});
  ASSERT_EQ(up.exit_code, 0) << up.err;
  EXPECT_TRUE(contains(up.err, "Found orphan containers ([" + project() + "-b-1])")) << up.err;
  EXPECT_EQ(container_ids().size(), 2u);
  auto clean = berth({"up", "-d", "--remove-orphans"});
  ASSERT_EQ(clean.exit_code, 0) << clean.err;
  EXPECT_EQ(container_ids().size(), 1u);
}

TEST_F(Lifecycle, DownAfterKillingBerthMidUp) {
  std::string compose = "services:\n";
  for (int i = 0; i < 6; ++i)
    compose += "  s" + std::to_string(i) +
               ":\n    image: busybox:e2e\n    network_mode: none\n    command: [\"sleep\", \"300\"]\n";
  write_compose(compose);
  std::vector<std::string> argv = {BERTH_BINARY, "--root", root(), "-p", project(), "--progress", "quiet", "up", "-d"};
  std::vector<char*> cargv;
  for (auto& a : argv) cargv.push_back(a.data());
  cargv.push_back(nullptr);
  pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    if (::chdir(dir().c_str()) != 0) ::_exit(126);
#ifdef BERTH_SHIM
    ::setenv("BERTH_SHIM", BERTH_SHIM, 1);
#endif
    ::setenv("BERTH_RUN", run().c_str(), 1);
    ::execv(cargv[0], cargv.data());
    ::_exit(127);
  }
  // Kill it once it has recorded something (intent is written before anything is made).
  for (int i = 0; i < 400 && container_ids().empty(); ++i) std::this_thread::sleep_for(5ms);
  std::this_thread::sleep_for(30ms);
  ::kill(pid, SIGKILL);
  ::waitpid(pid, nullptr, 0);
  remember();
  EXPECT_FALSE(container_ids().empty());
  auto down = berth({"down"});
  EXPECT_EQ(down.exit_code, 0) << down.err;
  EXPECT_TRUE(container_ids().empty());
  EXPECT_EQ(leftovers(), std::vector<std::string>{});
}

TEST_F(Lifecycle, DownAfterKillingAShim) {
  write_compose(R"(services:
  a:
    image: busybox:e2e
    network_mode: none
    command: ["sleep", "300"]
)");
  ASSERT_EQ(berth({"up", "-d"}).exit_code, 0);
  auto ids = container_ids();
  ASSERT_EQ(ids.size(), 1u);
  std::string id = ids.begin()->second;
  int shim = 0;
  std::ifstream(run() + "/containers/" + id + "/shim.pid") >> shim;
  ASSERT_GT(shim, 0);
  ASSERT_EQ(::kill(shim, SIGKILL), 0);
  std::this_thread::sleep_for(100ms);
  auto ps = berth({"ps", "-a"});
  EXPECT_TRUE(contains(ps.out, "Dead")) << ps.out;
  auto down = berth({"down"});
  EXPECT_EQ(down.exit_code, 0) << down.err;
  EXPECT_EQ(leftovers(), std::vector<std::string>{});
}

TEST_F(Lifecycle, BadInputFailsBeforeCreatingAnything) {
  write_compose(R"(services:
  a:
    image: busybox:e2e
    depends_on: [b]
  b:
    image: busybox:e2e
    depends_on: [a]
)");
  auto cycle = berth({"up", "-d"});
  EXPECT_EQ(cycle.exit_code, 1);
  EXPECT_TRUE(contains(cycle.err, "cycle")) << cycle.err;

  write_compose(R"(services:
  a:
    image: busybox:e2e
    network_mode: none
  b:
    image: nosuchimage:1
    pull_policy: never
    network_mode: none
)");
  auto missing = berth({"up", "-d"});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_TRUE(contains(missing.err, "service \"b\": no such image: nosuchimage:1")) << missing.err;

  // A port bound on the host by this test.
  berth::UniqueFd sock(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_ANY);
  ASSERT_EQ(::bind(sock.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  socklen_t len = sizeof addr;
  ::getsockname(sock.get(), reinterpret_cast<sockaddr*>(&addr), &len);
  ASSERT_EQ(::listen(sock.get(), 1), 0);
  std::string port = std::to_string(ntohs(addr.sin_port));
  write_compose("services:\n  a:\n    image: busybox:e2e\n    command: [\"sleep\", \"300\"]\n    ports: [\"" + port +
                ":80\"]\n");
  auto taken = berth({"up", "-d"});
  EXPECT_EQ(taken.exit_code, 1);
  EXPECT_TRUE(contains(taken.err, "Bind for 0.0.0.0:" + port + " failed: port is already allocated")) << taken.err;

  EXPECT_TRUE(container_ids().empty());
  EXPECT_FALSE(fs::exists(root() + "/projects/" + project() + "/state.json"));
  EXPECT_FALSE(fs::exists(root() + "/containers") && !fs::is_empty(root() + "/containers"));
}

TEST_F(Lifecycle, NetworkedServicesResolveEachOtherAndPublishPorts) {
  // A free port for the published one (the race with other processes is accepted in tests).
  uint16_t port = 0;
  {
    berth::UniqueFd s(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(::bind(s.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    socklen_t len = sizeof addr;
    ::getsockname(s.get(), reinterpret_cast<sockaddr*>(&addr), &len);
    port = ntohs(addr.sin_port);
  }
  write_compose(R"(services:
  web:
    image: busybox:e2e
    command: ["sh", "-c", "mkdir -p /www; echo hello-berth > /www/index.html; trap 'exit 0' TERM; httpd -f -p 8080 -h /www & wait"]
    ports: ["127.0.0.1:)" +
                std::to_string(port) + R"(:8080"]
    stop_grace_period: 1s
  client:
    image: busybox:e2e
    command: ["sh", "-c", "for i in 1 2 3 4 5 6 7 8 9 10; do timeout 2 wget -q -O /tmp/out http://web:8080/index.html && grep -q hello-berth /tmp/out && exit 0; sleep 0.3; done; exit 1"]
    depends_on: [web]
)");
  auto up = berth({"up", "-d"});
  ASSERT_EQ(up.exit_code, 0) << up.err;
  EXPECT_TRUE(contains(up.err, "Network " + project() + "_default Created")) << up.err;
  // The client exits 0 once it fetched the page from `web` by name.
  std::string ps;
  for (int i = 0; i < 100; ++i) {
    ps = berth({"ps", "-a", "client"}).out;
    if (contains(ps, "Exited")) break;
    std::this_thread::sleep_for(100ms);
  }
  EXPECT_TRUE(contains(ps, "Exited (0)")) << ps;
  auto web = berth({"ps", "web"});
  EXPECT_TRUE(contains(web.out, "127.0.0.1:" + std::to_string(port) + "->8080/tcp")) << web.out;
  // The published port answers on the host's loopback (kernel DNAT, no proxy).
  auto fetch = berth::test::run_command({"/bin/busybox", "timeout", "5", "wget", "-q", "-O", "-",
                                         "http://127.0.0.1:" + std::to_string(port) + "/index.html"},
                                        "/", {});
  EXPECT_EQ(fetch.out, "hello-berth\n") << fetch.err;
}

TEST_F(Lifecycle, CreateThenStartScaleAndAttachedExitCode) {
  write_compose(R"(services:
  one:
    image: busybox:e2e
    network_mode: none
    command: ["sh", "-c", "sleep 0.3; exit 3"]
  two:
    image: busybox:e2e
    network_mode: none
    command: ["sleep", "300"]
)");
  auto create = berth({"create"});
  ASSERT_EQ(create.exit_code, 0) << create.err;
  EXPECT_TRUE(contains(berth({"ps", "-a"}).out, "Created"));
  EXPECT_TRUE(berth({"ps", "-q"}).out.empty());  // nothing runs yet
  auto start = berth({"start", "two"});
  ASSERT_EQ(start.exit_code, 0) << start.err;
  EXPECT_TRUE(contains(berth({"ps"}).out, project() + "-two-1"));

  auto scale = berth({"up", "-d", "--scale", "two=3", "two"});
  ASSERT_EQ(scale.exit_code, 0) << scale.err;
  EXPECT_EQ(container_ids().count(project() + "-two-3"), 1u);
  auto down_scale = berth({"up", "-d", "--scale", "two=1", "-t", "1", "two"});
  ASSERT_EQ(down_scale.exit_code, 0) << down_scale.err;
  EXPECT_EQ(container_ids().count(project() + "-two-2"), 0u);
  EXPECT_EQ(container_ids().count(project() + "-two-1"), 1u);

  // Attached: returns the exit code of `one` and stops the rest.
  auto attached = berth({"up", "--exit-code-from", "one", "-t", "1"});
  EXPECT_EQ(attached.exit_code, 3) << attached.err;
  EXPECT_TRUE(contains(attached.err, "Aborting on container exit...")) << attached.err;
  EXPECT_TRUE(berth({"ps", "-q"}).out.empty());
}
