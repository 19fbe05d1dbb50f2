// docker compose v2's log prefixes: "web-1  | ", padded to the longest name + 1, colours from
// the rainbow in registration order, the watch logger's " ⦿ ", --no-log-prefix, -t, partial
// pieces joined into one line.
#include "compose/logs/log_printer.hpp"

#include <gtest/gtest.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdlib>
#include <thread>

#include "common/unique_fd.hpp"

using namespace berth::logs;
using berth::UniqueFd;

namespace {

/// An in-memory file standing in for stdout/stderr.
struct Capture {
  UniqueFd fd{::memfd_create("berth-log-printer", MFD_CLOEXEC)};
  std::string text() const {
    std::string out;
    char buf[4096];
    for (off_t off = 0;;) {
      ssize_t n = ::pread(fd.get(), buf, sizeof buf, off);
      if (n <= 0) break;
      out.append(buf, static_cast<size_t>(n));
      off += n;
    }
    return out;
  }
};

LogEntry entry(std::string text, std::string stream = "stdout", int64_t t = 1795403557'000000000) {
  return LogEntry{std::move(text), std::move(stream), t};
}

}  // namespace

TEST(LogPrinter, PrefixesArePaddedToTheLongestNamePlusOne) {
  Capture out, err;
  LogPrinter p(out.fd.get(), err.fd.get(), {});
  size_t web = p.add("web-1");
  EXPECT_EQ(p.prefix(web), "web-1  | ");
  size_t db = p.add("database-1");
  EXPECT_EQ(p.prefix(web), "web-1       | ");
  EXPECT_EQ(p.prefix(db), "database-1  | ");
  p.write(web, entry("hello\n"));
  p.write(db, entry("ready\n"));
  p.write(db, entry("warning\n", "stderr"));
  EXPECT_EQ(out.text(), "web-1       | hello\ndatabase-1  | ready\n");
  EXPECT_EQ(err.text(), "database-1  | warning\n");
}

TEST(LogPrinter, ColoursFollowTheRainbow) {
  Capture out, err;
  LogPrinter p(out.fd.get(), err.fd.get(), {.color = true});
  size_t a = p.add("a-1");
  size_t b = p.add("b-1");
  EXPECT_EQ(p.prefix(a), "\033[36ma-1  | \033[0m");
  EXPECT_EQ(p.prefix(b), "\033[33mb-1  | \033[0m");
  p.write(a, entry("x\n"));
  p.status(b, "b-1 exited with code 0");
  EXPECT_EQ(out.text(), "\033[36ma-1  | \033[0mx\n\033[33mb-1 exited with code 0\033[0m\n");
  EXPECT_EQ(palette_color(5), "36;1");
  EXPECT_EQ(palette_color(10), "36");
}

TEST(LogPrinter, TheWatchLoggerPadsLikeComposesAndTakesNoRainbowColour) {
  Capture out, err;
  LogPrinter p(out.fd.get(), err.fd.get(), {.color = true});
  size_t watch = p.add_watch();
  size_t a = p.add("a-1");
  // "#watch" counts in the width (7); its prefix is that many blanks and " ⦿ " in green 92.
  EXPECT_EQ(p.prefix(a), "\033[36ma-1     | \033[0m");
  EXPECT_EQ(p.prefix(watch), "\033[92m        \u29bf \033[0m");
  p.line(watch, "Watch enabled");
  EXPECT_EQ(out.text(), "\033[92m        \u29bf \033[0mWatch enabled\n");
  LogPrinter plain(out.fd.get(), err.fd.get(), {.prefix = false});
  EXPECT_EQ(plain.prefix(plain.add_watch()), "");
}

TEST(LogPrinter, ColourDecision) {
  ::unsetenv("NO_COLOR");
  EXPECT_TRUE(use_color(false, "always", -1));
  EXPECT_FALSE(use_color(true, "always", -1));
  EXPECT_FALSE(use_color(false, "never", -1));
  Capture file;
  EXPECT_FALSE(use_color(false, "auto", file.fd.get()));  // not a terminal
  ::setenv("NO_COLOR", "", 1);
  EXPECT_FALSE(use_color(false, "always", -1));
  ::unsetenv("NO_COLOR");
}

TEST(LogPrinter, NoPrefixAndTimestamps) {
  Capture out, err;
  LogPrinter p(out.fd.get(), err.fd.get(), {.color = true, .prefix = false, .timestamps = true});
  size_t web = p.add("web-1");
  p.write(web, entry("hello\n", "stdout", 1795403557'000001234));
  EXPECT_EQ(out.text(), "2026-11-23T03:12:37.000001234Z hello\n");
}

TEST(LogPrinter, PartialPiecesAreJoinedPerStream) {
  Capture out, err;
  LogPrinter p(out.fd.get(), err.fd.get(), {.timestamps = true});
  size_t web = p.add("web-1");
  p.write(web, entry("first ", "stdout", 1795403557'000000001));
  p.write(web, entry("err\n", "stderr", 1795403557'000000002));
  p.write(web, entry("second ", "stdout", 1795403557'000000001));
  p.write(web, entry("third\n", "stdout", 1795403557'000000001));
  p.write(web, entry("dangling", "stdout", 1795403557'000000003));
  EXPECT_EQ(out.text(), "web-1  | 2026-11-23T03:12:37.000000001Z first second third\n");
  p.finish(web);
  EXPECT_EQ(out.text(),
            "web-1  | 2026-11-23T03:12:37.000000001Z first second third\n"
            "web-1  | 2026-11-23T03:12:37.000000003Z dangling\n");
  EXPECT_EQ(err.text(), "web-1  | 2026-11-23T03:12:37.000000002Z err\n");
}

TEST(LogPrinter, ConcurrentWritersNeverInterleaveLines) {
  Capture out, err;
  LogPrinter p(out.fd.get(), err.fd.get(), {});
  size_t a = p.add("a-1"), b = p.add("b-1");
  auto run = [&](size_t src, char c) {
    for (int i = 0; i < 500; ++i) {
      p.write(src, entry(std::string(50, c)));  // two partial pieces per line
      p.write(src, entry(std::string(50, c) + "\n"));
    }
  };
  std::thread t1(run, a, 'a'), t2(run, b, 'b');
  t1.join();
  t2.join();
  std::string text = out.text();
  size_t lines = 0;
  for (size_t pos = 0; pos < text.size();) {
    size_t nl = text.find('\n', pos);
    ASSERT_NE(nl, std::string::npos);
    std::string line = text.substr(pos, nl - pos);
    char c = line[0];
    EXPECT_EQ(line, std::string(1, c) + "-1  | " + std::string(100, c));
    pos = nl + 1;
    ++lines;
  }
  EXPECT_EQ(lines, 1000u);
}
