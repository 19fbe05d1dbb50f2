// berth-shim's rotating log (runtime-shim/log_rotation.*, LogFile, AsyncLogWriter) against
// Docker's json-file behaviour: rotation before the write that finds the file at or past
// max-size, max-file counting the current file, <log>.N names, gzip of rotated files, drops.
#include "runtime-shim/log_rotation.hpp"

#include <gtest/gtest.h>
#include <sys/mount.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <filesystem>
#include <mutex>

#include "runtime-shim/log_writer.hpp"
#include "runtime-shim/logs.hpp"
#include "support/files.hpp"
#include "support/temp_dir.hpp"

using namespace berth::shim;
namespace fs = std::filesystem;

namespace {

/// "NNNN\n" lines of exactly `width` bytes, numbered from..to-1.
std::string rotation_lines(int from, int to, size_t width = 10) {
  std::string out;
  for (int i = from; i < to; ++i) {
    std::string n = std::to_string(i);
    out += std::string(width - 1 - n.size(), '0') + n + "\n";
  }
  return out;
}

std::vector<std::string> log_names(const fs::path& dir) {
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(dir)) names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

std::string gunzip_file(const fs::path& p) {
  gzFile gz = ::gzopen(p.c_str(), "rb");
  std::string out;
  char buf[4096];
  for (int n; gz && (n = ::gzread(gz, buf, sizeof buf)) > 0;) out.append(buf, static_cast<size_t>(n));
  if (gz) ::gzclose(gz);
  return out;
}

}  // namespace

TEST(LogRotation, RotatesBeforeTheWriteThatFindsTheFileFull) {
  berth::test::TempDir tmp("berth-logrot");
  std::string path = tmp / "c.log";
  LogFile f(path, {.max_size = 50, .max_file = 3, .compress = false});
  f.write(rotation_lines(0, 5));  // exactly 50 bytes: full, but no rotation until the next write
  EXPECT_EQ(log_names(tmp.path()), (std::vector<std::string>{"c.log"}));
  f.write(rotation_lines(5, 6));
  EXPECT_EQ(log_names(tmp.path()), (std::vector<std::string>{"c.log", "c.log.1"}));
  EXPECT_EQ(berth::test::read_bytes(path + ".1"), rotation_lines(0, 5));
  EXPECT_EQ(berth::test::read_bytes(path), rotation_lines(5, 6));
  // One write spanning several files is cut at line boundaries; max-file 3 = c.log + 2 rotated.
  f.write(rotation_lines(6, 30));
  EXPECT_EQ(log_names(tmp.path()), (std::vector<std::string>{"c.log", "c.log.1", "c.log.2"}));
  EXPECT_EQ(berth::test::read_bytes(path + ".2"), rotation_lines(15, 20));
  EXPECT_EQ(berth::test::read_bytes(path + ".1"), rotation_lines(20, 25));
  EXPECT_EQ(berth::test::read_bytes(path), rotation_lines(25, 30));
}

TEST(LogRotation, AFileExceedsMaxSizeByAtMostOneLine) {
  berth::test::TempDir tmp("berth-logrot");
  std::string path = tmp / "c.log";
  LogFile f(path, {.max_size = 25, .max_file = 2, .compress = false});
  f.write(rotation_lines(0, 3));  // 30 bytes: the third line crosses 25 and stays
  f.write(rotation_lines(3, 4));
  EXPECT_EQ(berth::test::read_bytes(path + ".1"), rotation_lines(0, 3));
  EXPECT_EQ(berth::test::read_bytes(path), rotation_lines(3, 4));
}

TEST(LogRotation, MaxFileOneKeepsOnlyTheCurrentFile) {
  berth::test::TempDir tmp("berth-logrot");
  std::string path = tmp / "c.log";
  LogFile f(path, {.max_size = 20, .max_file = 1, .compress = false});
  f.write(rotation_lines(0, 7));
  EXPECT_EQ(log_names(tmp.path()), (std::vector<std::string>{"c.log"}));
  EXPECT_EQ(berth::test::read_bytes(path), rotation_lines(6, 7));
}

TEST(LogRotation, NoMaxSizeNeverRotatesAndReopeningAppends) {
  berth::test::TempDir tmp("berth-logrot");
  std::string path = tmp / "c.log";
  {
    LogFile f(path);
    f.write(rotation_lines(0, 100));
  }
  LogFile f(path, {.max_size = 1000, .max_file = 2, .compress = false});
  EXPECT_EQ(f.size(), 1000);  // picks up the size of what is there
  f.write(rotation_lines(100, 101));
  EXPECT_EQ(berth::test::read_bytes(path + ".1"), rotation_lines(0, 100));
}

TEST(LogRotation, CompressesRotatedFilesAsDocker) {
  berth::test::TempDir tmp("berth-logrot");
  std::string path = tmp / "c.log";
  {
    LogFile f(path, {.max_size = 50, .max_file = 4, .compress = true});
    f.write(rotation_lines(0, 5));
    f.write(rotation_lines(5, 10));
    f.write(rotation_lines(10, 15));
    f.write(rotation_lines(15, 20));
    f.write(rotation_lines(20, 25));
  }  // the destructor waits for the last compression
  EXPECT_EQ(log_names(tmp.path()), (std::vector<std::string>{"c.log", "c.log.1.gz", "c.log.2.gz", "c.log.3.gz"}));
  EXPECT_EQ(gunzip_file(path + ".3.gz"), rotation_lines(5, 10));
  EXPECT_EQ(gunzip_file(path + ".2.gz"), rotation_lines(10, 15));
  EXPECT_EQ(gunzip_file(path + ".1.gz"), rotation_lines(15, 20));
  EXPECT_EQ(berth::test::read_bytes(path), rotation_lines(20, 25));
}

TEST(LogRotation, ShiftAndCompressHelpers) {
  berth::test::TempDir tmp("berth-logrot");
  std::string p = tmp / "x.log";
  berth::test::write_bytes(p + ".1", "one");
  berth::test::write_bytes(p + ".2", "two");
  shift_rotated_logs(p, 3, false);  // .2 (the oldest allowed) goes, .1 becomes .2
  EXPECT_EQ(log_names(tmp.path()), (std::vector<std::string>{"x.log.2"}));
  EXPECT_EQ(berth::test::read_bytes(p + ".2"), "one");
  shift_rotated_logs(p, 1, false);  // nothing to shift with one file
  EXPECT_EQ(log_names(tmp.path()), (std::vector<std::string>{"x.log.2"}));
  compress_log_file(p + ".2");
  EXPECT_EQ(log_names(tmp.path()), (std::vector<std::string>{"x.log.2.gz"}));
  EXPECT_EQ(gunzip_file(p + ".2.gz"), "one");
  EXPECT_NO_THROW(compress_log_file(p + ".9"));  // gone already: nothing to do
}

TEST(LogWriter, WritesInOrderAndFlushes) {
  berth::test::TempDir tmp("berth-logwriter");
  std::string path = tmp / "c.log";
  AsyncLogWriter w(std::make_unique<LogFile>(path, LogRotation{.max_size = 100, .max_file = 3, .compress = false}),
                   1 << 20, {});
  for (int i = 0; i < 25; ++i) w.write(rotation_lines(i, i + 1));
  w.flush();
  EXPECT_EQ(w.dropped(), 0u);
  EXPECT_EQ(berth::test::read_bytes(path + ".1") + berth::test::read_bytes(path), rotation_lines(10, 25));
}

TEST(LogWriter, DropsAndReportsWhenTheFileCannotBeWritten) {
  if (::access("/dev/full", W_OK) != 0) GTEST_SKIP() << "/dev/full is not writable here";
  berth::test::TempDir tmp("berth-logwriter");
  // /dev/full: every write fails with ENOSPC, as on a full disk.
  fs::create_symlink("/dev/full", tmp / "c.log");
  std::vector<std::string> warnings;
  std::mutex m;
  {
    AsyncLogWriter w(std::make_unique<LogFile>(tmp / "c.log"), 1 << 20, [&](const std::string& s) {
      std::lock_guard lock(m);
      warnings.push_back(s);
    });
    w.write(rotation_lines(0, 3));
    w.flush();
    w.write(rotation_lines(3, 5));
    w.flush();
    EXPECT_EQ(w.dropped(), 5u);
  }
  ASSERT_EQ(warnings.size(), 1u);  // once per failure streak
  EXPECT_NE(warnings[0].find("No space left on device"), std::string::npos) << warnings[0];
}

TEST(LogWriter, ReportsDroppedLinesOnceWritingWorksAgain) {
  berth::test::TempDir tmp("berth-logwriter");
  std::string path = tmp / "c.log";
  {
    // A queue of 10 bytes: while the first batch waits, more is dropped.
    AsyncLogWriter w(std::make_unique<LogFile>(path), 10, {});
    for (int i = 0; i < 200; ++i) w.write(rotation_lines(i, i + 1));
    w.flush();
    uint64_t dropped = w.dropped();
    w.write(rotation_lines(200, 201));
    w.flush();
    std::string text = berth::test::read_bytes(path);
    size_t lines = static_cast<size_t>(std::count(text.begin(), text.end(), '\n'));
    if (dropped == 0) {
      EXPECT_EQ(lines, 201u);
    } else {
      EXPECT_NE(text.find("berth-shim: " + std::to_string(dropped) + " log lines dropped (the log writer fell behind"),
                std::string::npos)
          << text;
      EXPECT_EQ(lines, 201u - dropped + 1);  // the report is one more line
    }
  }
}

TEST(LogWriter, AFullFileSystemDropsLinesAndTheReportFollowsOnceThereIsRoom) {
  if (::geteuid() != 0) GTEST_SKIP() << "mounting a tmpfs needs root";
  berth::test::TempDir tmp("berth-logwriter");
  std::string dir = tmp / "small";
  fs::create_directories(dir);
  if (::mount("tmpfs", dir.c_str(), "tmpfs", 0, "size=64k") != 0)
    GTEST_SKIP() << "mount tmpfs: " << std::strerror(errno);
  std::string path = dir + "/c.log";
  {
    AsyncLogWriter w(std::make_unique<LogFile>(path), 1 << 20, {});
    for (int i = 0; i < 10000; ++i) w.write(rotation_lines(i, i + 1, 40));  // 400 kB into 64 kB
    w.flush();
    EXPECT_GT(w.dropped(), 8000u);
    ASSERT_EQ(::mount("tmpfs", dir.c_str(), "tmpfs", MS_REMOUNT, "size=1m"), 0) << std::strerror(errno);
    w.write(rotation_lines(99999, 100000, 40));
    w.flush();
    std::string text = berth::test::read_bytes(path);
    size_t report = text.rfind("log lines dropped");
    EXPECT_NE(report, std::string::npos);
    EXPECT_NE(text.find("No space left on device", report), std::string::npos) << text.substr(text.size() - 300);
    EXPECT_EQ(text.substr(text.size() - 40), rotation_lines(99999, 100000, 40));
  }
  ::umount2(dir.c_str(), MNT_DETACH);
}
