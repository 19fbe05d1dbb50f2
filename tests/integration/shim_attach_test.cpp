// berth-shim's `attach` op with real containers: stdin handed over (stdin-once: the client's
// close is the container's EOF), output before the first attach replayed (attach-pending, also
// after the container exited), a terminal attach with its initial consoleSize, several clients
// at once, and a client that never reads being dropped without slowing the container down.
#include <poll.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "shim_harness.hpp"

namespace berth::testing {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

using ShimAttach = ShimTest;

/// The descriptor named `name` in an attach reply (-1 when absent).
int fd_named(const shim_protocol::Reply& r, const std::string& name) {
  const auto& names = r.body["fds"];
  for (size_t i = 0; i < names.size() && i < r.fds.size(); ++i)
    if (names[i] == name) return r.fds[i].get();
  return -1;
}

TEST_F(ShimAttach, StdinOnceGivesTheContainerEofAndEarlyOutputIsReplayed) {
  auto b = bundle({"sh", "-c", "echo before; sleep 0.3; cat; echo after >&2; exit 5"});
  b.annotations["org.berth.open-stdin"] = "true";
  b.annotations["org.berth.stdin-once"] = "true";
  b.annotations["org.berth.attach-pending"] = "true";
  ShimContainer& c = start(b);
  std::this_thread::sleep_for(100ms);  // "before" is written before anyone attaches
  auto r = c.call({{"op", "attach"}, {"stdin", true}});
  ASSERT_TRUE(r.ok()) << r.body;
  EXPECT_EQ(r.body["fds"], json({"stdin", "stdout", "stderr"}));
  EXPECT_EQ(r.body["tty"], false);
  ASSERT_EQ(::write(fd_named(r, "stdin"), "typed\n", 6), 6);
  r.fds[0].reset();  // our only copy of the write end: the container's cat ends
  EXPECT_EQ(read_to_eof(fd_named(r, "stdout")), "before\ntyped\n");
  EXPECT_EQ(read_to_eof(fd_named(r, "stderr")), "after\n");
  EXPECT_EQ(c.call({{"op", "wait"}}).body["exit_code"], 5);

  // The second client gets no stdin: the first one took it for good.
  auto again = bundle({"sh", "-c", "sleep 0.3; echo live"});
  again.annotations["org.berth.open-stdin"] = "true";
  again.annotations["org.berth.stdin-once"] = "true";
  ShimContainer& d = start(again);
  auto first = d.call({{"op", "attach"}, {"stdin", true}});
  auto second = d.call({{"op", "attach"}, {"stdin", true}});
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_EQ(second.body["fds"], json({"stdout", "stderr"}));
  EXPECT_EQ(read_to_eof(fd_named(second, "stdout")), "live\n");  // both see live output
  EXPECT_EQ(read_to_eof(fd_named(first, "stdout")), "live\n");
}

TEST_F(ShimAttach, FirstAttachAfterTheExitStillGetsTheOutput) {
  auto b = bundle({"sh", "-c", "echo fast; echo oops >&2; exit 3"});
  b.annotations["org.berth.attach-pending"] = "true";
  ShimContainer& c = start(b);
  EXPECT_EQ(c.call({{"op", "wait"}}).body["exit_code"], 3);
  auto r = c.call({{"op", "attach"}, {"stdin", true}});
  ASSERT_TRUE(r.ok()) << r.body;
  EXPECT_EQ(r.body["fds"], json({"stdout", "stderr"}));  // no stdin: it has exited
  EXPECT_EQ(read_to_eof(fd_named(r, "stdout")), "fast\n");
  EXPECT_EQ(read_to_eof(fd_named(r, "stderr")), "oops\n");
  auto late = c.call({{"op", "attach"}});
  EXPECT_FALSE(late.ok());  // replayed once; now it is simply not running
  EXPECT_NE(late.error().find("is not running"), std::string::npos) << late.error();

  auto plain = bundle({"true"});  // without attach-pending nothing is kept
  ShimContainer& p = start(plain);
  EXPECT_EQ(p.call({{"op", "wait"}}).body["exit_code"], 0);
  EXPECT_FALSE(p.call({{"op", "attach"}}).ok());
}

TEST_F(ShimAttach, TerminalTakesKeystrokesAndStartsWithTheConsoleSize) {
  auto b = bundle({"sh"});
  b.terminal = true;
  b.console_size = std::pair<unsigned short, unsigned short>{30, 100};
  ShimContainer& c = start(b);
  auto r = c.call({{"op", "attach"}, {"stdin", true}});
  ASSERT_TRUE(r.ok()) << r.body;
  EXPECT_EQ(r.body["fds"], json({"stdin", "stdout"}));
  EXPECT_EQ(r.body["tty"], true);
  const std::string keys = "stty size; exit 6\n";
  ASSERT_EQ(::write(fd_named(r, "stdin"), keys.data(), keys.size()), static_cast<ssize_t>(keys.size()));
  std::string out = read_to_eof(fd_named(r, "stdout"));
  EXPECT_NE(out.find("30 100\r\n"), std::string::npos) << out;
  EXPECT_EQ(c.call({{"op", "wait"}}).body["exit_code"], 6);
}

TEST_F(ShimAttach, ContainerWithoutOpenStdinGivesOutputOnly) {
  auto b = bundle({"sh", "-c", "sleep 0.3; echo hello; read x || echo stdin-is-empty"});
  ShimContainer& c = start(b);
  auto r = c.call({{"op", "attach"}, {"stdin", true}});
  ASSERT_TRUE(r.ok()) << r.body;
  EXPECT_EQ(r.body["fds"], json({"stdout", "stderr"}));
  EXPECT_EQ(read_to_eof(fd_named(r, "stdout")), "hello\nstdin-is-empty\n");
}

TEST_F(ShimAttach, AClientThatNeverReadsIsDroppedAndTheContainerRunsOn) {
  // 12 MB of output: far more than a pipe and the 4 MiB a client may fall behind. Written 1 MB
  // every 0.1 s, so the reading client keeps up even on a loaded machine (at full speed a reader
  // thread that is not scheduled for a moment falls 4 MiB behind and is dropped too, by design).
  auto b = bundle({"sh", "-c",
                   "sleep 0.3; for i in 1 2 3 4 5 6 7 8 9 10 11 12; do head -c 1000000 /dev/zero | tr '\\0' x; "
                   "sleep 0.1; done; echo; echo end"});
  ShimContainer& c = start(b);
  auto idle = c.call({{"op", "attach"}});
  auto reader = c.call({{"op", "attach"}});
  ASSERT_TRUE(idle.ok() && reader.ok());
  std::string got;
  std::thread t([&] { got = read_to_eof(fd_named(reader, "stdout")); });
  auto exited = c.call({{"op", "wait"}});  // does not wait for the idle client
  t.join();
  EXPECT_EQ(exited.body["exit_code"], 0);
  EXPECT_EQ(got.size(), 12000000u + 5u);
  EXPECT_EQ(got.substr(got.size() - 5), "\nend\n");
  std::string idle_out = read_to_eof(fd_named(idle, "stdout"));  // what fit before the drop, then EOF
  EXPECT_LT(idle_out.size(), 12000000u);
}

}  // namespace
}  // namespace berth::testing
