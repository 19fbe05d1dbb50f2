// The shim's wire protocol: State/Health/ExecRequest JSON round trips, the control socket
// server with the protocol client (in-order replies, deferred replies, fd passing, bad input,
// concurrent connections) and the event loop's timers and signals.
#include "common/shim_protocol.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <thread>

#include "runtime-shim/control_socket.hpp"
#include "runtime-shim/event_loop.hpp"
#include "support/temp_dir.hpp"

using namespace berth;
using namespace berth::shim_protocol;
using namespace std::chrono_literals;

namespace {

std::string temp_socket() {
  return std::filesystem::temp_directory_path() / ("berth-ctl-" + std::to_string(::getpid()) + ".sock");
}

}  // namespace

TEST(ShimProtocol, StateRoundTrip) {
  State s;
  s.id = "c1";
  s.shim_pid = 10;
  s.pid = 11;
  s.status = "running";
  s.exit_code = 137;
  s.oom_killed = true;
  s.started_at = "2026-11-23T03:12:37.1Z";
  s.restart_count = 2;
  s.cgroup_v1 = {"/sys/fs/cgroup/memory/berth/c1"};
  Health h;
  h.status = "healthy";
  h.failing_streak = 0;
  h.log.push_back({"a", "b", 0, "out"});
  s.health = h;
  nlohmann::json j = s;
  EXPECT_EQ(j["status"], "running");
  EXPECT_EQ(j["finished_at"], kZeroTime);
  EXPECT_EQ(j["health"]["log"][0]["output"], "out");
  EXPECT_FALSE(j.contains("error"));
  State back = j.get<State>();
  EXPECT_EQ(nlohmann::json(back), j);

  State no_health;
  EXPECT_FALSE(nlohmann::json(no_health).contains("health"));
  EXPECT_FALSE(nlohmann::json(no_health).get<State>().health.has_value());
}

TEST(ShimProtocol, ExecRequestRoundTrip) {
  ExecRequest r;
  r.args = {"sh", "-c", "exit 3"};
  r.env = {"A=1"};
  r.tty = true;
  nlohmann::json j = r;
  EXPECT_EQ(j["op"], "exec");
  auto back = j.get<ExecRequest>();
  EXPECT_EQ(back.args, r.args);
  EXPECT_TRUE(back.tty);
  EXPECT_FALSE(back.detach);
  // Only args is required.
  auto minimal = nlohmann::json::parse(R"({"op":"exec","args":["true"]})").get<ExecRequest>();
  EXPECT_EQ(minimal.args, std::vector<std::string>{"true"});
  EXPECT_THROW(nlohmann::json::parse(R"({"op":"exec"})").get<ExecRequest>(), nlohmann::json::exception);
}

TEST(ShimProtocol, ControlServerAndClient) {
  shim::EventLoop loop;
  std::string path = temp_socket();
  shim::ControlServer::Respond deferred;
  int pipe_fds[2];
  ASSERT_EQ(::pipe2(pipe_fds, O_CLOEXEC), 0);
  UniqueFd pipe_read(pipe_fds[0]), pipe_write(pipe_fds[1]);
  {
    shim::ControlServer server(loop, path, [&](const nlohmann::json& req, const shim::ControlServer::Respond& respond) {
      std::string op = req.value("op", "");
      if (op == "echo") return respond({{"ok", true}, {"echo", req["v"]}}, {});
      if (op == "defer") {
        deferred = respond;
        return;
      }
      if (op == "release") {
        respond({{"ok", true}}, {});
        deferred({{"ok", true}, {"late", true}}, {});
        return;
      }
      if (op == "fds") {
        std::vector<UniqueFd> fds;
        fds.emplace_back(::dup(pipe_write.get()));
        return respond({{"ok", true}, {"fds", {"w"}}}, std::move(fds));
      }
      if (op == "throw") throw std::runtime_error("boom");
      if (op == "quit") {
        respond({{"ok", true}}, {});
        loop.stop();
        return;
      }
      respond({{"ok", false}, {"error", "unknown op " + op}}, {});
    });
    EXPECT_TRUE(std::filesystem::is_socket(path));

    std::string failure;
    std::thread client([&] {
      try {
        auto a = Client::connect(path);
        auto b = Client::connect(path);
        EXPECT_EQ(a.call({{"op", "echo"}, {"v", "héllo"}}).body["echo"], "héllo");
        // Bad input gets an error reply and the connection stays usable.
        ASSERT_EQ(::send(a.fd(), "not json\n", 9, MSG_NOSIGNAL), 9);
        std::string line;
        for (char ch; ::recv(a.fd(), &ch, 1, 0) == 1 && ch != '\n';) line += ch;
        EXPECT_NE(line.find("invalid request"), std::string::npos) << line;
        auto err = a.call({{"op", "throw"}});
        EXPECT_FALSE(err.ok());
        EXPECT_EQ(err.error(), "boom");
        // A deferred reply on `b` does not block `a`; `b` answers once released.
        std::thread waiter([&] { EXPECT_EQ(b.call({{"op", "defer"}}).body["late"], true); });
        std::this_thread::sleep_for(50ms);
        EXPECT_TRUE(a.call({{"op", "release"}}).ok());
        waiter.join();
        // File descriptors travel with the reply.
        auto r = a.call({{"op", "fds"}});
        ASSERT_EQ(r.fds.size(), 1u);
        ASSERT_EQ(::write(r.fds[0].get(), "x", 1), 1);
        char c = 0;
        EXPECT_EQ(::read(pipe_read.get(), &c, 1), 1);
        EXPECT_EQ(c, 'x');
        EXPECT_TRUE(a.call({{"op", "quit"}}).ok());
      } catch (const std::exception& e) {
        failure = e.what();
      }
    });
    loop.run();
    client.join();
    EXPECT_EQ(failure, "");
  }
  EXPECT_FALSE(std::filesystem::exists(path));  // removed with the server
  EXPECT_THROW(Client::connect(path), SysError);
}

TEST(ShimProtocol, EventLoopTimersAndSignals) {
  shim::EventLoop loop;
  std::vector<int> order;
  loop.after(30ms, [&] { order.push_back(3); });
  auto cancelled = loop.after(10ms, [&] { order.push_back(99); });
  loop.after(5ms, [&] { order.push_back(1); });
  loop.cancel(cancelled);
  int got_signal = 0;
  shim::SignalPipe signals(loop, {SIGUSR1}, [&](int s) {
    got_signal = s;
    order.push_back(2);
  });
  loop.after(15ms, [] { ::kill(::getpid(), SIGUSR1); });
  loop.after(50ms, [&] { loop.stop(); });
  auto start = shim::monotonic_now();
  loop.run();
  EXPECT_GE(shim::monotonic_now() - start, 50ms);
  EXPECT_EQ(order, (std::vector<int>{1, 2, 3}));
  EXPECT_EQ(got_signal, SIGUSR1);
}

// A state dir under a deep root gives a socket path longer than sun_path; server and client
// reach it through /proc/self/fd/<dir>/ instead.
TEST(ShimProtocol, SocketPathLongerThanSunPath) {
  berth::test::TempDir tmp("berth-long");
  const std::string& dir = tmp.path();
  std::string deep = dir + "/" + std::string(60, 'a') + "/" + std::string(64, 'b');
  std::filesystem::create_directories(deep);
  std::string path = deep + "/control.sock";
  ASSERT_GT(path.size(), sizeof(sockaddr_un::sun_path));
  shim::EventLoop loop;
  {
    shim::ControlServer server(loop, path, [&](const nlohmann::json&, const shim::ControlServer::Respond& respond) {
      respond({{"ok", true}}, {});
      loop.stop();
    });
    EXPECT_TRUE(std::filesystem::is_socket(path));
    std::string failure;
    std::thread client([&] {
      try {
        auto c = Client::connect(path);
        if (!c.call({{"op", "status"}}).ok()) failure = "not ok";
      } catch (const std::exception& e) {
        failure = e.what();
        loop.stop();
      }
    });
    loop.run();
    client.join();
    EXPECT_EQ(failure, "");
  }
}
