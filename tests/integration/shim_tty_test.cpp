// berth-shim's terminals with real containers: what a `tty: true` container writes reaches its
// json-file log byte for byte (nothing before its first byte, with and without berth-init, across
// restarts, and with a client attached from a terminal that holds a pending EOF), the container's
// pty takes the size of a `resize`, and an `exec` with a tty starts with the size the client asked
// for and follows the client's later TIOCSWINSZ on the master, as `docker exec -it` does. Each
// test checks in TearDown that no mount, cgroup or process is left.
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include <chrono>
#include <string>

#include "compose/interactive/stdio_pump.hpp"
#include "shim_harness.hpp"

namespace berth::testing {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

using ShimTty = ShimTest;

/// Reads `fd` (a pty master) until EOF/EIO, or until `until` appears; 10 s guard.
std::string read_pty(int fd, const std::string& until = "") {
  std::string out;
  char buf[4096];
  for (;;) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 10000) <= 0) break;
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n <= 0) break;  // EIO: the last holder of the slave is gone
    out.append(buf, static_cast<size_t>(n));
    if (!until.empty() && out.find(until) != std::string::npos) break;
  }
  return out;
}

void set_size(int fd, unsigned short rows, unsigned short cols) {
  winsize ws{};
  ws.ws_row = rows;
  ws.ws_col = cols;
  ASSERT_EQ(::ioctl(fd, TIOCSWINSZ, &ws), 0);
}

/// All of a container's logged output, concatenated (a tty has the one stream, stdout).
std::string logged(const ShimContainer& c) {
  std::string all;
  for (const auto& l : c.log_lines()) {
    EXPECT_EQ(l["stream"], "stdout");
    all += l["log"].get<std::string>();
  }
  return all;
}

TEST_F(ShimTty, LogStartsWithTheContainersFirstByte) {
  // printf, not echo: the first byte written is 'A', and nothing else is written before it.
  auto plain = bundle({"sh", "-c", "printf 'A1\\n'; printf 'A2\\n'"});
  plain.terminal = true;
  auto with_init = bundle({"sh", "-c", "printf 'B1\\n'"});
  with_init.terminal = true;
  with_init.annotations["org.berth.init"] = "true";
  auto restarted = bundle({"sh", "-c", "printf 'C1\\n'; exit 1"});
  restarted.terminal = true;
  restarted.annotations["org.berth.restart"] = "on-failure:1";

  ShimContainer& p = start(plain);
  ShimContainer& i = start(with_init);
  ShimContainer& r = start(restarted);
  EXPECT_EQ(p.call({{"op", "wait"}}).body["exit_code"], 0);
  EXPECT_EQ(i.call({{"op", "wait"}}).body["exit_code"], 0);
  EXPECT_EQ(r.call({{"op", "wait"}}).body["exit_code"], 1);
  EXPECT_EQ(logged(p), "A1\r\nA2\r\n");
  EXPECT_EQ(logged(i), "B1\r\n");
  EXPECT_EQ(logged(r), "C1\r\nC1\r\n");  // both runs, each on a new pty
  ASSERT_FALSE(p.log_lines().empty());
  EXPECT_EQ(p.log_lines()[0]["log"], "A1\r\n");
}

TEST_F(ShimTty, AttachFromATerminalWithAPendingEofAddsNoByte) {
  // The client's own terminal, as script(1) leaves it when its input ends: a VEOF (^D) typed in
  // canonical mode and not read yet. The line discipline keeps it as a '\0' marking end-of-file;
  // a client that switches the terminal to raw mode without taking it first reads that '\0' as
  // a keystroke and types it into the container's pty, whose echo then starts the log.
  int local_master = -1, local_slave = -1;
  ASSERT_EQ(::openpty(&local_master, &local_slave, nullptr, nullptr, nullptr), 0);
  UniqueFd lm(local_master), ls(local_slave);
  termios t{};
  ASSERT_EQ(::tcgetattr(ls.get(), &t), 0);
  ASSERT_TRUE(t.c_lflag & ICANON);
  ASSERT_EQ(::write(lm.get(), &t.c_cc[VEOF], 1), 1);

  auto b = bundle({"sh", "-c", "sleep 0.5; echo first"});
  b.terminal = true;
  ShimContainer& c = start(b);
  auto r = c.call({{"op", "attach"}, {"stdin", true}});
  ASSERT_TRUE(r.ok()) << r.body;
  ASSERT_EQ(r.body["fds"], json({"stdin", "stdout"}));
  interactive::StdioPumpOptions o;
  o.in_fd = o.out_fd = o.err_fd = ls.get();
  interactive::pump_terminal(r.fds[0].get(), r.fds[1].get(), o);  // until the container's output ends

  EXPECT_EQ(c.call({{"op", "wait"}}).body["exit_code"], 0);
  EXPECT_EQ(logged(c), "first\r\n");
  termios after{};
  ASSERT_EQ(::tcgetattr(ls.get(), &after), 0);
  EXPECT_TRUE(after.c_lflag & ICANON);  // the client put our terminal back
}

TEST_F(ShimTty, ContainerPtyTakesTheSizeOfAResize) {
  // Polls until a size is set (busybox stty prints an error for 0x0, but exits 0), so the
  // resize may come at any time.
  auto b = bundle({"sh", "-c", "until stty size 2>&1 | grep -q '^[1-9]'; do sleep 0.05; done; stty size"});
  b.terminal = true;
  ShimContainer& c = start(b);
  ASSERT_TRUE(c.call({{"op", "resize"}, {"rows", 30}, {"cols", 100}}).ok());
  EXPECT_EQ(c.call({{"op", "wait"}}).body["exit_code"], 0);
  EXPECT_EQ(logged(c), "30 100\r\n");
}

TEST_F(ShimTty, ExecTtyStartsWithTheClientsSize) {
  auto b = bundle({"sleep", "1000"});
  ShimContainer& c = start(b);
  // `stty size` runs at once: only a size applied before the process starts can be seen (the
  // client's TIOCSWINSZ below comes after the reply, i.e. after the exec).
  auto r = c.call({{"op", "exec"}, {"args", {"stty", "size"}}, {"tty", true}, {"console_size", {30, 100}}});
  ASSERT_TRUE(r.ok()) << r.body;
  ASSERT_EQ(r.fds.size(), 1u);
  set_size(r.fds[0].get(), 30, 100);
  EXPECT_EQ(read_pty(r.fds[0].get()), "30 100\r\n");
  EXPECT_EQ(c.call({{"op", "exec-wait"}, {"exec_id", r.body["exec_id"]}}).body["exit_code"], 0);
}

TEST_F(ShimTty, ExecTtyFollowsTheClientsResize) {
  auto b = bundle({"sleep", "1000"});
  b.terminal = true;  // the exec's pty is its own, not the container's
  ShimContainer& c = start(b);
  auto r = c.call({{"op", "exec"},
                   {"args", {"sh", "-c", "stty size; read x; stty size; tty; ls -1 /dev/pts"}},
                   {"tty", true},
                   {"console_size", {24, 80}}});
  ASSERT_TRUE(r.ok()) << r.body;
  ASSERT_EQ(r.fds.size(), 1u);
  const int master = r.fds[0].get();
  std::string out = read_pty(master, "24 80\r\n");
  set_size(master, 30, 100);  // what `berth exec` does on SIGWINCH
  ASSERT_EQ(::write(master, "\n", 1), 1);
  out += read_pty(master);
  // The input line is echoed; the pty is /dev/pts/N of the container's own devpts.
  EXPECT_EQ(out.substr(0, out.find("/dev/pts/")), "24 80\r\n\r\n30 100\r\n") << out;
  EXPECT_NE(out.find("/dev/pts/0\r\n0\r\nptmx\r\n"), std::string::npos) << out;
  EXPECT_EQ(c.call({{"op", "exec-wait"}, {"exec_id", r.body["exec_id"]}}).body["exit_code"], 0);
}

}  // namespace
}  // namespace berth::testing
