// The json-file writer against Docker's output: escaping (jsonlogbytes.go), RFC3339Nano
// timestamps, and how copier.go cuts a stream into lines and 16 KiB partial messages.
#include "runtime-shim/logs.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>

#include "common/atomic_file.hpp"
#include "support/temp_dir.hpp"

using namespace berth::shim;

namespace {

std::string escaped(std::string_view s) {
  std::string out;
  append_docker_json_string(out, s);
  return out;
}

timespec at(time_t sec, long nsec) { return timespec{sec, nsec}; }

/// A StreamLog whose clock ticks 1 ns per reading, from 1700000000.000000001.
struct Fixture {
  long ticks = 0;
  StreamLog log{"stdout", [this] { return at(1700000000, ++ticks); }};
  std::string out;
  std::vector<nlohmann::json> lines() const {
    std::vector<nlohmann::json> v;
    std::istringstream in(out);
    for (std::string l; std::getline(in, l);) v.push_back(nlohmann::json::parse(l));
    return v;
  }
};

}  // namespace

TEST(ShimLogs, TimestampsAreGoRfc3339Nano) {
  EXPECT_EQ(format_rfc3339_nano(at(1795403557, 123456789)), "2026-11-23T03:12:37.123456789Z");
  EXPECT_EQ(format_rfc3339_nano(at(1795403557, 123456000)), "2026-11-23T03:12:37.123456Z");
  EXPECT_EQ(format_rfc3339_nano(at(1795403557, 100000000)), "2026-11-23T03:12:37.1Z");
  EXPECT_EQ(format_rfc3339_nano(at(1795403557, 0)), "2026-11-23T03:12:37Z");
  EXPECT_EQ(format_rfc3339_nano(at(0, 1)), "1970-01-01T00:00:00.000000001Z");
}

TEST(ShimLogs, EscapesLikeDocker) {
  EXPECT_EQ(escaped("plain text"), "\"plain text\"");
  EXPECT_EQ(escaped("a\"b\\c\n\r"), R"("a\"b\\c\n\r")");
  EXPECT_EQ(escaped("\t\x01\x1f"), R"("\u0009\u0001\u001f")");
  EXPECT_EQ(escaped("<a href=\"x\">&</a>"), R"("\u003ca href=\"x\"\u003e\u0026\u003c/a\u003e")");
  EXPECT_EQ(escaped("\x7f"), "\"\x7f\"");
  EXPECT_EQ(escaped("héllo €𝄞"), "\"héllo €𝄞\"");  // valid UTF-8 stays as is
  EXPECT_EQ(escaped("\xff"
                    "a\xc3"),
            R"("\ufffda\ufffd")");                                          // invalid bytes, truncated sequence
  EXPECT_EQ(escaped("\xc0\xaf"), R"("\ufffd\ufffd")");                      // overlong '/'
  EXPECT_EQ(escaped("\xed\xa0\x80"), R"("\ufffd\ufffd\ufffd")");            // surrogate U+D800
  EXPECT_EQ(escaped("\xf4\x90\x80\x80"), R"("\ufffd\ufffd\ufffd\ufffd")");  // above U+10FFFF
  EXPECT_EQ(escaped("a\u2028b\u2029"), R"("a\u2028b\u2029")");
}

TEST(ShimLogs, EntryFormat) {
  std::string out;
  append_log_entry(out, "hello\n", "stderr", at(1795403557, 120000000));
  EXPECT_EQ(out, "{\"log\":\"hello\\n\",\"stream\":\"stderr\",\"time\":\"2026-11-23T03:12:37.12Z\"}\n");
}

TEST(ShimLogs, OneMessagePerLineAcrossReads) {
  Fixture f;
  f.log.feed("one\ntw", f.out);
  f.log.feed("o\n\nthree", f.out);
  f.log.feed("\n", f.out);
  auto v = f.lines();
  ASSERT_EQ(v.size(), 4u);
  EXPECT_EQ(v[0]["log"], "one\n");
  EXPECT_EQ(v[1]["log"], "two\n");
  EXPECT_EQ(v[2]["log"], "\n");
  EXPECT_EQ(v[3]["log"], "three\n");
  EXPECT_EQ(v[0]["stream"], "stdout");
  EXPECT_EQ(v[0]["time"], "2023-11-14T22:13:20.000000001Z");
  EXPECT_EQ(v[3]["time"], "2023-11-14T22:13:20.000000004Z");
}

TEST(ShimLogs, LongLinesAreCutAt16KiB) {
  Fixture f;
  std::string longline(40000, 'x');
  // Fed in odd-sized pieces: the cut does not depend on read sizes.
  std::string input = longline + "\nshort\n";
  for (size_t i = 0; i < input.size(); i += 1000) f.log.feed(std::string_view(input).substr(i, 1000), f.out);
  auto v = f.lines();
  ASSERT_EQ(v.size(), 4u);
  EXPECT_EQ(v[0]["log"].get<std::string>(), std::string(16384, 'x'));  // partial: no '\n'
  EXPECT_EQ(v[1]["log"].get<std::string>(), std::string(16384, 'x'));
  EXPECT_EQ(v[2]["log"].get<std::string>(), std::string(40000 - 2 * 16384, 'x') + "\n");
  EXPECT_EQ(v[3]["log"], "short\n");
  // Every piece of the long line carries the first piece's time.
  EXPECT_EQ(v[0]["time"], v[1]["time"]);
  EXPECT_EQ(v[0]["time"], v[2]["time"]);
  EXPECT_NE(v[2]["time"], v[3]["time"]);
}

TEST(ShimLogs, LineBoundariesAround16KiB) {
  Fixture f;
  f.log.feed(std::string(16383, 'a') + "\n", f.out);  // fits Docker's buffer with its '\n'
  f.log.feed(std::string(16384, 'b') + "\n", f.out);  // fills it: partial, then an empty last piece
  auto v = f.lines();
  ASSERT_EQ(v.size(), 3u);
  EXPECT_EQ(v[0]["log"].get<std::string>().size(), 16384u);
  EXPECT_EQ(v[1]["log"].get<std::string>(), std::string(16384, 'b'));
  EXPECT_EQ(v[2]["log"], "\n");
}

TEST(ShimLogs, EofFlushesAPartialLine) {
  Fixture f;
  f.log.feed("done\nno newline", f.out);
  f.log.finish(f.out);
  f.log.finish(f.out);  // idempotent
  auto v = f.lines();
  ASSERT_EQ(v.size(), 2u);
  EXPECT_EQ(v[1]["log"], "no newline");
}

TEST(ShimLogs, LogFileAppends) {
  berth::test::TempDir tmp("berth-log");
  std::string path = tmp / "container.log";
  {
    LogFile f(path);
    f.write("a\n");
  }
  {
    LogFile f(path);
    f.write("b\n");
  }
  EXPECT_EQ(berth::read_file(path), "a\nb\n");
  try {
    LogFile bad("/nonexistent-dir/x.log");
    FAIL();
  } catch (const std::exception& e) {
    EXPECT_STREQ(e.what(), "open log file `/nonexistent-dir/x.log`: No such file or directory");
  }
}
