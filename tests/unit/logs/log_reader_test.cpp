// The json-file reader against files written by berth-shim's own writer (StreamLog): --tail
// from the end, --since/--until, partial messages, malformed lines, and following a growing log.
#include "compose/logs/log_reader.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "compose/logs/log_files.hpp"

#include "runtime-shim/logs.hpp"
#include "support/temp_dir.hpp"

using namespace berth::logs;
namespace fs = std::filesystem;

namespace {

constexpr int64_t kSec = 1'000'000'000;

/// A temp dir with a log file written through the shim's StreamLog; line i is "line <i>" at
/// 1700000000 + i seconds.
struct LogFile {
  berth::test::TempDir tmp{"berth-logreader"};
  fs::path dir = tmp.path();
  fs::path path;
  int64_t clock = 1700000000;
  berth::shim::StreamLog out{"stdout", [this] { return timespec{clock, 5}; }};
  berth::shim::StreamLog err{"stderr", [this] { return timespec{clock, 5}; }};

  LogFile() { path = dir / "container.log"; }

  void append_raw(const std::string& text) {
    std::ofstream f(path, std::ios::app | std::ios::binary);
    f << text;
  }
  void write(berth::shim::StreamLog& s, std::string_view data) {
    std::string lines;
    s.feed(data, lines);
    append_raw(lines);
  }
  void numbered(int from, int to) {
    for (int i = from; i < to; ++i) {
      clock = 1700000000 + i;
      write(out, "line " + std::to_string(i) + "\n");
    }
  }
};

std::vector<std::string> read_all(const fs::path& path, LogFilter filter) {
  LogReader r(path, filter);
  std::vector<std::string> texts;
  r.read_available([&](const LogEntry& e) { texts.push_back(e.text); });
  return texts;
}

}  // namespace

TEST(LogReader, ParsesDockerLines) {
  auto e = parse_log_line(R"({"log":"a \u003cb\u003e \u0026\n","stream":"stderr","time":"2026-11-23T03:12:37.1234Z"})");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->text, "a <b> &\n");
  EXPECT_EQ(e->stream, "stderr");
  EXPECT_EQ(e->time_ns, 1795403557 * kSec + 123400000);
  EXPECT_FALSE(e->partial());
  EXPECT_TRUE(parse_log_line(R"({"log":"cut","stream":"stdout","time":"2026-11-23T03:12:37Z"})")->partial());
  EXPECT_FALSE(parse_log_line(R"({"log":"x\n","stream":"stdout","time":"2026-11-23T03:12)"));
  EXPECT_FALSE(parse_log_line(R"({"log":"x\n","stream":"stdout"})"));
  EXPECT_FALSE(parse_log_line(R"({"log":"x\n","time":"yesterday"})"));
  EXPECT_FALSE(parse_log_line("not json"));
  EXPECT_FALSE(parse_log_line("[1,2]"));
}

TEST(LogReader, RelativeTimes) {
  int64_t now = 1795403557 * kSec;
  EXPECT_EQ(parse_log_time("10m", now), now - 600 * kSec);
  EXPECT_EQ(parse_log_time("1h30m", now), now - 5400 * kSec);
  EXPECT_EQ(parse_log_time("1700000000", now), 1700000000 * kSec);
  EXPECT_EQ(parse_log_time("1700000000.25", now), 1700000000 * kSec + kSec / 4);
  EXPECT_EQ(parse_log_time("2026-11-23T03:12:37Z", now), now);
  EXPECT_FALSE(parse_log_time("", now));
  EXPECT_FALSE(parse_log_time("soon", now));
  EXPECT_FALSE(parse_log_time("10 minutes", now));
}

TEST(LogReader, FixedTimestamps) {
  EXPECT_EQ(format_time_fixed(1795403557 * kSec + 1234), "2026-11-23T03:12:37.000001234Z");
  EXPECT_EQ(format_time_fixed(1795403557 * kSec), "2026-11-23T03:12:37.000000000Z");
}

TEST(LogReader, ReadsEverythingInOrder) {
  LogFile f;
  f.numbered(0, 5);
  f.write(f.err, "oops\n");
  LogReader r(f.path, {});
  std::vector<LogEntry> got;
  EXPECT_TRUE(r.read_available([&](const LogEntry& e) { got.push_back(e); }));
  ASSERT_EQ(got.size(), 6u);
  EXPECT_EQ(got[0].text, "line 0\n");
  EXPECT_EQ(got[0].time_ns, 1700000000 * kSec + 5);
  EXPECT_EQ(got[5].text, "oops\n");
  EXPECT_EQ(got[5].stream, "stderr");
}

TEST(LogReader, MissingFileIsEmpty) { EXPECT_TRUE(read_all("/nonexistent/berth/container.log", {}).empty()); }

TEST(LogReader, TailCountsFromTheEnd) {
  LogFile f;
  f.numbered(0, 10);
  EXPECT_EQ(read_all(f.path, {.tail = 3}), (std::vector<std::string>{"line 7\n", "line 8\n", "line 9\n"}));
  EXPECT_TRUE(read_all(f.path, {.tail = 0}).empty());
  EXPECT_EQ(read_all(f.path, {.tail = 10}).size(), 10u);
  EXPECT_EQ(read_all(f.path, {.tail = 1000}).size(), 10u);
  // A line still being written at the end is not one of the N.
  f.append_raw(R"({"log":"half)");
  EXPECT_EQ(read_all(f.path, {.tail = 1}), (std::vector<std::string>{"line 9\n"}));
}

TEST(LogReader, TailAcrossManyBlocks) {
  LogFile f;
  std::string big(1000, 'x');
  for (int i = 0; i < 300; ++i) f.write(f.out, big + std::to_string(i) + "\n");  // ~300 KB
  auto got = read_all(f.path, {.tail = 150});
  ASSERT_EQ(got.size(), 150u);
  EXPECT_EQ(got.front(), big + "150\n");
  EXPECT_EQ(got.back(), big + "299\n");
}

TEST(LogReader, SinceAndUntil) {
  LogFile f;
  f.numbered(0, 10);
  int64_t base = 1700000000 * kSec;
  EXPECT_EQ(read_all(f.path, {.since_ns = base + 8 * kSec}), (std::vector<std::string>{"line 8\n", "line 9\n"}));
  EXPECT_EQ(read_all(f.path, {.until_ns = base + 1 * kSec + 5}), (std::vector<std::string>{"line 0\n", "line 1\n"}));
  EXPECT_EQ(read_all(f.path, {.since_ns = base + 4 * kSec, .until_ns = base + 5 * kSec + 5}),
            (std::vector<std::string>{"line 4\n", "line 5\n"}));
  EXPECT_EQ(read_all(f.path, {.tail = 3, .since_ns = base + 8 * kSec}),
            (std::vector<std::string>{"line 8\n", "line 9\n"}));
  // After --until has been passed the reader is done.
  LogReader r(f.path, {.until_ns = base + 5});
  int n = 0;
  EXPECT_FALSE(r.read_available([&](const LogEntry&) { ++n; }));
  EXPECT_EQ(n, 1);
  EXPECT_FALSE(r.read_available([&](const LogEntry&) { ++n; }));
}

TEST(LogReader, PartialMessagesAndMalformedLines) {
  LogFile f;
  std::string longline(berth::shim::kLogLineMax + 100, 'y');
  f.write(f.out, longline + "\n");
  f.append_raw("{\"log\":\"garbage\n");  // a line cut by a crash
  f.append_raw("\n");
  f.append_raw("{\"log\":\"no time\\n\",\"stream\":\"stdout\"}\n");
  f.write(f.out, "after\n");
  f.write(f.err, "unterminated");
  std::string tail;
  f.err.finish(tail);
  f.append_raw(tail);

  LogReader r(f.path, {});
  std::vector<LogEntry> got;
  r.read_available([&](const LogEntry& e) { got.push_back(e); });
  ASSERT_EQ(got.size(), 4u);
  EXPECT_TRUE(got[0].partial());
  EXPECT_EQ(got[0].text.size(), berth::shim::kLogLineMax);
  EXPECT_EQ(got[1].text, std::string(100, 'y') + "\n");
  EXPECT_EQ(got[0].time_ns, got[1].time_ns);
  EXPECT_EQ(got[2].text, "after\n");
  EXPECT_EQ(got[3].text, "unterminated");
  EXPECT_TRUE(got[3].partial());
}

TEST(LogReader, DeliversALineOnlyOnceItIsComplete) {
  LogFile f;
  f.numbered(0, 1);
  std::string line;
  f.clock = 1700000001;
  f.out.feed("line 1\n", line);
  f.append_raw(line.substr(0, 10));
  LogReader r(f.path, {});
  std::vector<std::string> got;
  auto sink = [&](const LogEntry& e) { got.push_back(e.text); };
  r.read_available(sink);
  EXPECT_EQ(got, std::vector<std::string>{"line 0\n"});
  f.append_raw(line.substr(10));
  r.read_available(sink);
  EXPECT_EQ(got, (std::vector<std::string>{"line 0\n", "line 1\n"}));
}

TEST(LogReader, FollowReadsGrowthUntilTheWriterFinishes) {
  LogFile f;
  f.numbered(0, 2);
  std::atomic<bool> writer_done{false}, stop{false}, tail_read{false};
  std::thread writer([&] {
    // The tail is taken from what the file holds when the reader first reads it: write more only after that.
    while (!tail_read.load()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    for (int i = 2; i < 20; ++i) {
      f.numbered(i, i + 1);
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    writer_done = true;
  });
  LogReader r(f.path, {.tail = 1});
  std::vector<std::string> got;
  r.follow(
      [&](const LogEntry& e) {
        got.push_back(e.text);
        tail_read = true;
      },
      [&] { return writer_done.load(); }, stop);
  writer.join();
  ASSERT_EQ(got.size(), 19u);
  EXPECT_EQ(got.front(), "line 1\n");
  EXPECT_EQ(got.back(), "line 19\n");
}

TEST(LogReader, FollowStopsOnRequestAndWaitsForTheFile) {
  LogFile f;  // no file yet
  std::atomic<bool> stop{false};
  std::vector<std::string> got;
  std::thread t([&] {
    LogReader r(f.path, {});
    r.follow([&](const LogEntry& e) { got.push_back(e.text); }, [] { return false; }, stop);
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(150));
  f.numbered(0, 3);
  for (int i = 0; i < 100 && got.size() < 3; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  stop = true;
  t.join();
  EXPECT_EQ(got.size(), 3u);
}

namespace {

/// Entries "n <i>" written through the shim's rotating LogFile, each at 1700000000 + i s.
void write_rotating(berth::shim::LogFile& file, int from, int to) {
  for (int i = from; i < to; ++i) {
    std::string lines;
    berth::shim::append_log_entry(lines, "n " + std::to_string(i), "stdout", timespec{1700000000 + i, 0}, true);
    file.write(lines);
  }
}

std::vector<std::string> numbered_texts(int from, int to) {
  std::vector<std::string> out;
  for (int i = from; i < to; ++i) out.push_back("n " + std::to_string(i) + "\n");
  return out;
}

}  // namespace

class LogReaderRotated : public ::testing::TestWithParam<bool> {};

TEST_P(LogReaderRotated, ReadsRotatedFilesOldestFirstWithTailAndSince) {
  const bool compress = GetParam();
  berth::test::TempDir tmp("berth-logrotread");
  std::string path = tmp / "container.log";
  {
    // Each entry is ~70 bytes: 3 per 200-byte file; 4 files keep the last ~12 entries.
    berth::shim::LogFile file(path, {.max_size = 200, .max_file = 4, .compress = compress});
    write_rotating(file, 0, 40);
  }
  std::vector<RotatedLog> rotated = rotated_logs(path);
  ASSERT_EQ(rotated.size(), 3u);
  EXPECT_EQ(rotated[0].index, 1);
  EXPECT_EQ(rotated[0].gz, compress);
  std::vector<std::string> all = read_all(path, {});
  ASSERT_FALSE(all.empty());
  int first = std::stoi(all.front().substr(2));
  EXPECT_GT(first, 20);
  EXPECT_EQ(all, numbered_texts(first, 40));
  EXPECT_EQ(read_all(path, {.tail = 2}), numbered_texts(38, 40));
  EXPECT_EQ(read_all(path, {.tail = 7}), numbered_texts(33, 40));  // spans the current and rotated files
  EXPECT_EQ(read_all(path, {.tail = 1000}), all);
  EXPECT_EQ(read_all(path, {.since_ns = (1700000000 + 35) * kSec}), numbered_texts(35, 40));
  EXPECT_EQ(read_all(path, {.until_ns = (1700000000 + first + 1) * kSec}), numbered_texts(first, first + 2));
}

TEST_P(LogReaderRotated, FollowSeesEveryLineOnceAcrossRotations) {
  const bool compress = GetParam();
  berth::test::TempDir tmp("berth-logrotfollow");
  std::string path = tmp / "container.log";
  constexpr int kLines = 3000;
  std::atomic<bool> done{false}, stop{false};
  std::thread writer([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));  // the reader is watching by then
    // ~57 entries a file, 5 files: the reader must not fall ~280 entries (~28 ms) behind.
    berth::shim::LogFile file(path, {.max_size = 4000, .max_file = 5, .compress = compress});
    for (int i = 0; i < kLines; i += 10) {
      write_rotating(file, i, i + 10);
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    done = true;
  });
  std::vector<std::string> got;
  LogReader r(path, {});
  r.follow([&](const LogEntry& e) { got.push_back(e.text); }, [&] { return done.load(); }, stop);
  writer.join();
  std::vector<std::string> want = numbered_texts(0, kLines);
  size_t k = 0;
  while (k < got.size() && k < want.size() && got[k] == want[k]) ++k;
  EXPECT_EQ(k, want.size()) << "got " << got.size() << " lines; line " << k << " is "
                            << (k < got.size() ? got[k] : "missing") << ", expected " << want[k % want.size()];
  EXPECT_EQ(got.size(), want.size());
}

INSTANTIATE_TEST_SUITE_P(Compress, LogReaderRotated, ::testing::Bool());
