// stdio_pump without a container: Docker's --detach-keys syntax, and the copy loops over plain
// pipes (EOF handling, the input side closed at our EOF, detach keys held back and matched).
#include <fcntl.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <stdexcept>
#include <thread>

#include "compose/interactive/stdio_pump.hpp"

namespace berth::engine {
namespace {

std::pair<UniqueFd, UniqueFd> make_pipe() {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe");
  return {UniqueFd(fds[0]), UniqueFd(fds[1])};
}

std::string read_all(int fd) {
  std::string out;
  char buf[4096];
  for (ssize_t n; (n = ::read(fd, buf, sizeof buf)) > 0;) out.append(buf, static_cast<size_t>(n));
  return out;
}

TEST(StdioPump, ParsesDockersDetachKeys) {
  EXPECT_EQ(interactive::parse_detach_keys("ctrl-p,ctrl-q"), std::string("\x10\x11"));
  EXPECT_EQ(interactive::parse_detach_keys("ctrl-a"), std::string("\x01"));
  EXPECT_EQ(interactive::parse_detach_keys("ctrl-@,ctrl-[,ctrl-\\,ctrl-_"), std::string("\0\x1b\x1c\x1f", 4));
  EXPECT_EQ(interactive::parse_detach_keys("a,b"), "ab");
  EXPECT_THROW(interactive::parse_detach_keys("ctrl-1"), std::invalid_argument);
  EXPECT_THROW(interactive::parse_detach_keys("alt-x"), std::invalid_argument);
  EXPECT_THROW(interactive::parse_detach_keys("a,,b"), std::invalid_argument);
}

TEST(StdioPump, PipesCopyBothWaysAndCloseTheInputAtOurEof) {
  auto [our_in_r, our_in_w] = make_pipe();    // our stdin
  auto [our_out_r, our_out_w] = make_pipe();  // our stdout
  auto [proc_in_r, proc_in_w] = make_pipe();  // the process's stdin
  auto [proc_out_r, proc_out_w] = make_pipe();
  UniqueFd none;
  ASSERT_EQ(::write(our_in_w.get(), "typed", 5), 5);
  our_in_w.reset();
  std::string reached;
  std::thread process([&, r = proc_in_r.get(), w = proc_out_w.get()] {
    reached = read_all(r);  // ends only when the pump closed its end at our EOF
    [[maybe_unused]] ssize_t n = ::write(w, "output", 6);
  });
  interactive::StdioPumpOptions o;
  o.in_fd = our_in_r.get();
  o.out_fd = our_out_w.get();
  std::thread closer([&] {
    process.join();
    proc_out_w.reset();  // the process exits: its output ends
  });
  interactive::pump_pipes(proc_in_w, proc_out_r, none, o);
  closer.join();
  EXPECT_FALSE(proc_in_w);
  EXPECT_EQ(reached, "typed");
  our_out_w.reset();
  EXPECT_EQ(read_all(our_out_r.get()), "output");
}

TEST(StdioPump, DetachKeysAreHeldBackAndEndTheTerminalCopy) {
  auto [our_in_r, our_in_w] = make_pipe();
  auto [our_out_r, our_out_w] = make_pipe();
  auto [keys_r, keys_w] = make_pipe();  // stands in for the pty master (written to)
  auto [term_r, term_w] = make_pipe();  // the container's output (stays open: it runs on)
  // A broken prefix (Ctrl+P then x) goes through whole; Ctrl+P Ctrl+Q detaches and is not sent.
  const std::string typed = std::string("ab\x10x") + "cd\x10\x11" + "never";
  ASSERT_EQ(::write(our_in_w.get(), typed.data(), typed.size()), static_cast<ssize_t>(typed.size()));
  interactive::StdioPumpOptions o;
  o.in_fd = our_in_r.get();
  o.out_fd = our_out_w.get();
  o.detach_keys = interactive::parse_detach_keys("ctrl-p,ctrl-q");
  EXPECT_FALSE(interactive::pump_terminal(keys_w.get(), term_r.get(), o));
  keys_w.reset();
  EXPECT_EQ(read_all(keys_r.get()), std::string("ab\x10x") + "cd");
}

}  // namespace
}  // namespace berth::engine
