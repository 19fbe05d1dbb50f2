// berth::journal: records that parse back, a torn record skipped without losing the next one,
// rotation bounding the files, concurrent appenders never interleaving, a reader following
// appends across a rotation.
#include "common/event_journal.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <set>

#include "support/files.hpp"
#include "support/temp_dir.hpp"

namespace {

using berth::journal::Event;

Event journal_event(int writer, int n) {
  Event e;
  e.time_ns = 1'700'000'000'000'000'000 + n;
  e.action = "start";
  e.id = std::string(64, 'a');
  e.service = "w" + std::to_string(writer);
  e.attributes = {{"name", "p-web-1"}, {"image", "busybox"}, {"seq", std::to_string(n)}};
  return e;
}

off_t journal_file_size(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 ? st.st_size : -1;
}

}  // namespace

TEST(EventJournal, RecordRoundTripsAndStartsWithTheMarker) {
  Event e = journal_event(1, 7);
  e.oneoff = true;
  e.action = "health_status: healthy";
  const std::string line = berth::journal::encode(e);
  EXPECT_EQ(line.rfind(R"({"time":1700000000000000007,"action":"health_status: healthy",)", 0), 0u) << line;
  ASSERT_EQ(line.back(), '\n');
  auto back = berth::journal::decode(std::string_view(line).substr(0, line.size() - 1));
  ASSERT_TRUE(back);
  EXPECT_EQ(back->time_ns, e.time_ns);
  EXPECT_EQ(back->action, e.action);
  EXPECT_EQ(back->id, e.id);
  EXPECT_EQ(back->service, "w1");
  EXPECT_TRUE(back->oneoff);
  EXPECT_EQ(back->attributes, e.attributes);
  EXPECT_FALSE(berth::journal::decode(""));
  EXPECT_FALSE(berth::journal::decode(R"({"time":"x","action":"start"})"));
  EXPECT_FALSE(berth::journal::decode(R"({"action":"start"})"));
}

TEST(EventJournal, OversizedRecordsStayWithinPipeBuf) {
  Event e = journal_event(1, 1);
  e.action = "exec_create: " + std::string(10000, 'x');
  for (int i = 0; i < 100; ++i) e.attributes["label" + std::to_string(i)] = std::string(1000, 'v');
  const std::string line = berth::journal::encode(e);
  EXPECT_LE(line.size(), berth::journal::kMaxRecord);
  auto back = berth::journal::decode(std::string_view(line).substr(0, line.size() - 1));
  ASSERT_TRUE(back);
  EXPECT_EQ(back->attributes.at("name"), "p-web-1");
  EXPECT_EQ(back->attributes.at("image"), "busybox");
}

TEST(EventJournal, TornRecordIsSkippedAndTheNextOneKept) {
  berth::test::TempDir dir;
  const std::string path = dir / "events.log";
  berth::journal::append(path, journal_event(1, 1));
  // A writer killed in the middle of its record: half a line, no newline.
  const std::string torn = berth::journal::encode(journal_event(1, 2));
  berth::test::write_bytes(path, berth::test::read_bytes(path) + torn.substr(0, torn.size() / 2));

  berth::journal::Reader reader(path);
  auto first = reader.poll();
  ASSERT_EQ(first.size(), 1u);
  EXPECT_EQ(first[0].attributes.at("seq"), "1");

  berth::journal::append(path, journal_event(1, 3));  // glued to the torn half on the same line
  auto next = reader.poll();
  ASSERT_EQ(next.size(), 1u);
  EXPECT_EQ(next[0].attributes.at("seq"), "3");

  berth::journal::Reader fresh(path);
  auto all = fresh.poll();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[1].attributes.at("seq"), "3");
}

TEST(EventJournal, RotationBoundsTheFilesAndKeepsTheLatest) {
  berth::test::TempDir dir;
  const std::string path = dir / "events.log";
  const off_t limit = 8192;
  for (int i = 0; i < 500; ++i) berth::journal::append(path, journal_event(1, i), limit);
  const off_t record = static_cast<off_t>(berth::journal::encode(journal_event(1, 499)).size());  // the longest
  EXPECT_LT(journal_file_size(path), limit + record);
  EXPECT_GE(journal_file_size(path + ".1"), limit);
  EXPECT_LT(journal_file_size(path + ".1"), limit + record);

  auto events = berth::journal::Reader(path).poll();
  ASSERT_FALSE(events.empty());
  EXPECT_LT(events.size(), 500u);
  EXPECT_EQ(events.back().attributes.at("seq"), "499");
  for (size_t i = 1; i < events.size(); ++i)  // contiguous: nothing lost between the two files
    EXPECT_EQ(std::stoi(events[i].attributes.at("seq")), std::stoi(events[i - 1].attributes.at("seq")) + 1);

  berth::journal::remove(path);
  EXPECT_EQ(journal_file_size(path), -1);
  EXPECT_EQ(journal_file_size(path + ".1"), -1);
  berth::journal::remove(path);  // nothing there: fine
}

TEST(EventJournal, ReaderFollowsAppendsAcrossRotation) {
  berth::test::TempDir dir;
  const std::string path = dir / "events.log";
  berth::journal::Reader reader(path);
  EXPECT_TRUE(reader.poll().empty());  // no file yet
  std::vector<int> seen;
  const off_t limit = 4096;
  for (int i = 0; i < 200; ++i) {
    berth::journal::append(path, journal_event(1, i), limit);
    if (i % 7 == 0)
      for (const auto& e : reader.poll()) seen.push_back(std::stoi(e.attributes.at("seq")));
  }
  for (const auto& e : reader.poll()) seen.push_back(std::stoi(e.attributes.at("seq")));
  ASSERT_EQ(seen.size(), 200u);
  for (int i = 0; i < 200; ++i) EXPECT_EQ(seen[static_cast<size_t>(i)], i);
}

TEST(EventJournal, ConcurrentAppendersNeverInterleave) {
  berth::test::TempDir dir;
  for (const off_t limit : {berth::journal::kRotateBytes, off_t{16384}}) {
    const std::string path = dir / ("events-" + std::to_string(limit) + ".log");
    constexpr int kWriters = 4, kEach = 400;
    std::vector<pid_t> pids;
    for (int w = 0; w < kWriters; ++w) {
      pid_t pid = ::fork();
      ASSERT_GE(pid, 0);
      if (pid == 0) {
        for (int i = 0; i < kEach; ++i) berth::journal::append(path, journal_event(w, i), limit);
        ::_exit(0);
      }
      pids.push_back(pid);
    }
    for (pid_t pid : pids) {
      int status = 0;
      ASSERT_EQ(::waitpid(pid, &status, 0), pid);
      ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    }
    // Every line of both files is one whole record; each writer's records are in its order.
    size_t lines = 0;
    for (const std::string& p : {path + ".1", path}) {
      std::string text = journal_file_size(p) >= 0 ? berth::test::read_bytes(p) : "";
      for (size_t at = 0, nl; (nl = text.find('\n', at)) != std::string::npos; at = nl + 1, ++lines)
        EXPECT_TRUE(berth::journal::decode(std::string_view(text).substr(at, nl - at))) << text.substr(at, nl - at);
    }
    auto events = berth::journal::Reader(path).poll();
    EXPECT_EQ(events.size(), lines);
    std::map<std::string, int> last;
    for (const auto& e : events) {
      int seq = std::stoi(e.attributes.at("seq"));
      auto it = last.find(e.service);
      if (it != last.end()) EXPECT_GT(seq, it->second) << e.service;
      last[e.service] = seq;
    }
    if (limit == berth::journal::kRotateBytes) {
      EXPECT_EQ(events.size(), static_cast<size_t>(kWriters * kEach));
    } else {
      EXPECT_LT(journal_file_size(path), limit + 4096);
      for (const auto& [service, seq] : last) EXPECT_EQ(seq, kEach - 1) << service;  // the newest are kept
    }
  }
}
