// json-file log reading with Docker's `logs` semantics (daemon/logger/jsonfilelog/read.go):
// --tail counts messages from the end (found by reading the file backwards in blocks, so a
// huge log costs only its tail; rotated files before it when the current one holds fewer),
// --since skips older messages, --until ends the stream at the first newer one. Following moves
// from a file rotated away to the next one by the first line of each (names shift at each
// rotation), so no line is lost or read twice as long as the reader keeps up with max-file. Following waits on inotify
// IN_MODIFY; the poll timeout doubles as the fallback (file not created yet, inotify exhausted) and as the check for
// the writer's exit.
#include "compose/logs/log_reader.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <time.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "common/sys_error.hpp"
#include "compose/gocompat/rfc3339.hpp"
#include "compose/gocompat/units.hpp"

namespace berth::logs {

namespace {

constexpr int64_t kNsPerSec = 1'000'000'000;

}  // namespace

std::optional<LogEntry> parse_log_line(std::string_view line) {
  auto j = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return std::nullopt;
  auto log = j.find("log");
  auto time = j.find("time");
  if (log == j.end() || !log->is_string() || time == j.end() || !time->is_string()) return std::nullopt;
  auto t = gocompat::parse_rfc3339_ns(time->get_ref<const std::string&>());
  if (!t) return std::nullopt;
  LogEntry e;
  e.text = log->get<std::string>();
  e.stream = j.value("stream", "stdout");
  e.time_ns = *t;
  return e;
}

std::optional<int64_t> parse_log_time(std::string_view text, int64_t now) {
  if (text.empty()) return std::nullopt;
  if (auto t = gocompat::parse_rfc3339_ns(text)) return t;
  // Unix timestamp: seconds[.fraction]
  int64_t secs = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), secs);
  if (ec == std::errc() && p != text.data()) {
    std::string_view rest(p, static_cast<size_t>(text.data() + text.size() - p));
    if (rest.empty()) return secs * kNsPerSec;
    if (rest[0] == '.' && rest.size() > 1 && rest.size() <= 10) {
      int64_t frac = 0, scale = 100'000'000;
      bool ok = true;
      for (char c : rest.substr(1)) {
        if (c < '0' || c > '9') ok = false;
        frac += (c - '0') * scale;
        scale /= 10;
      }
      if (ok) return secs * kNsPerSec + frac;
    }
  }
  if (auto d = gocompat::parse_duration_ns(text)) return now - *d;
  return std::nullopt;
}

std::string format_time_fixed(int64_t ns) {
  time_t secs = static_cast<time_t>(ns / kNsPerSec);
  int64_t frac = ns % kNsPerSec;
  if (frac < 0) {
    frac += kNsPerSec;
    --secs;
  }
  tm utc{};
  ::gmtime_r(&secs, &utc);
  char buf[64];
  int n = std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%09lldZ", utc.tm_year + 1900, utc.tm_mon + 1,
                        utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec, static_cast<long long>(frac));
  return std::string(buf, static_cast<size_t>(n));
}

int64_t now_ns() {
  timespec t{};
  ::clock_gettime(CLOCK_REALTIME, &t);
  return static_cast<int64_t>(t.tv_sec) * kNsPerSec + t.tv_nsec;
}

LogReader::LogReader(std::string path, LogFilter filter) : m_path(std::move(path)), m_filter(filter) {}

bool LogReader::open_current() {
  UniqueFd fd(::open(m_path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) {
    if (errno == ENOENT) return false;
    throw_errno("open log `" + m_path + "`");
  }
  m_src = Source{};
  m_src.fd = std::move(fd);
  m_pending.clear();
  return true;
}

void LogReader::open_rotated(const RotatedLog& log) {
  UniqueFd fd(::open(log.path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) throw_errno("open log `" + log.path + "`");
  m_src = Source{};
  m_src.gz = log.gz;
  if (log.gz) m_src.data = read_gz_log(fd.get(), log.path);
  m_src.fd = std::move(fd);
  m_pending.clear();
}

bool LogReader::source_is_current() const {
  struct stat a {
  }, b{};
  if (m_src.gz || ::fstat(m_src.fd.get(), &a) != 0) return false;
  if (::stat(m_path.c_str(), &b) != 0) return false;
  return a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

std::string LogReader::source_first_line() {
  if (m_src.first_line.empty()) {
    if (m_src.gz) {
      size_t nl = m_src.data.find('\n');
      if (nl != std::string::npos) m_src.first_line = m_src.data.substr(0, nl);
    } else {
      m_src.first_line = first_log_line(m_src.fd.get(), m_path);
    }
  }
  return m_src.first_line;
}

size_t LogReader::tail_in_current(size_t n, size_t& found) {
  struct stat st {};
  if (::fstat(m_src.fd.get(), &st) != 0) throw_errno("stat log `" + m_path + "`");
  // Scan backwards for the last '\n' (a trailing line still being written is not counted),
  // then for n more; the message after the n-th one back is where reading starts.
  constexpr off_t kBlock = 64 * 1024;
  std::string block;
  off_t pos = st.st_size;
  bool seen_last = false;
  found = 0;
  while (pos > 0) {
    size_t len = static_cast<size_t>(std::min(pos, kBlock));
    block.resize(len);
    ssize_t got = ::pread(m_src.fd.get(), block.data(), len, pos - static_cast<off_t>(len));
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) throw_errno("read log `" + m_path + "`");
    pos -= static_cast<off_t>(len);
    for (size_t i = static_cast<size_t>(got); i-- > 0;) {
      if (block[i] != '\n') continue;
      if (!seen_last) {
        seen_last = true;
        if (n == 0) return static_cast<size_t>(pos) + i + 1;
      } else if (++found == n) {
        return static_cast<size_t>(pos) + i + 1;
      }
    }
  }
  if (seen_last) ++found;  // the first message of the file
  return 0;
}

void LogReader::start() {
  std::vector<RotatedLog> rotated = rotated_logs(m_path);  // newest first
  if (!m_filter.tail) {
    if (!rotated.empty())
      open_rotated(rotated.back());
    else
      open_current();
    return;
  }
  size_t need = *m_filter.tail;
  if (open_current()) {
    size_t found = 0;
    size_t offset = tail_in_current(need, found);
    if (found >= need || rotated.empty()) {
      if (::lseek(m_src.fd.get(), static_cast<off_t>(offset), SEEK_SET) < 0) throw_errno("seek log `" + m_path + "`");
      return;
    }
    need -= found;
  } else if (rotated.empty()) {
    return;
  }
  // Older messages: from the rotated files, newest first, each read whole (they are bounded by
  // max-size) until the rest of the N are found.
  for (size_t i = 0; i < rotated.size(); ++i) {
    open_rotated(rotated[i]);
    std::string data;
    if (m_src.gz) {
      data = std::move(m_src.data);
    } else {
      struct stat st {};
      if (::fstat(m_src.fd.get(), &st) != 0) throw_errno("stat log `" + rotated[i].path + "`");
      data.resize(static_cast<size_t>(st.st_size));
      ssize_t got = ::pread(m_src.fd.get(), data.data(), data.size(), 0);
      if (got < 0) throw_errno("read log `" + rotated[i].path + "`");
      data.resize(static_cast<size_t>(got));
    }
    size_t lines = static_cast<size_t>(std::count(data.begin(), data.end(), '\n'));
    if (lines >= need || i + 1 == rotated.size()) {
      size_t start = 0;
      for (size_t skip = lines > need ? lines - need : 0; skip > 0; --skip) start = data.find('\n', start) + 1;
      m_src.gz = true;  // read from memory from here on (the same bytes the file holds)
      m_src.data = std::move(data);
      m_src.data_pos = start;
      return;
    }
    need -= lines;
  }
}

bool LogReader::deliver_line(std::string_view line, const Sink& sink) {
  auto e = parse_log_line(line);
  if (!e) return true;  // malformed (e.g. a line cut by a crash or a full disk): skipped
  if (m_filter.since_ns && e->time_ns < *m_filter.since_ns) return true;
  if (m_filter.until_ns && e->time_ns > *m_filter.until_ns) return false;
  sink(*e);
  return true;
}

bool LogReader::deliver_data(std::string_view data, const Sink& sink) {
  while (!data.empty()) {
    size_t nl = data.find('\n');
    if (nl == std::string_view::npos) {
      m_pending.append(data);
      return true;
    }
    bool more;
    if (m_pending.empty()) {
      more = deliver_line(data.substr(0, nl), sink);
    } else {
      m_pending.append(data.substr(0, nl));
      more = deliver_line(m_pending, sink);
      m_pending.clear();
    }
    data.remove_prefix(nl + 1);
    if (!more) return false;
  }
  return true;
}

bool LogReader::read_source(const Sink& sink) {
  if (m_src.gz) {
    std::string_view rest = std::string_view(m_src.data).substr(m_src.data_pos);
    m_src.data_pos = m_src.data.size();
    return deliver_data(rest, sink);
  }
  char buf[64 * 1024];
  for (;;) {
    ssize_t n = ::read(m_src.fd.get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw_errno("read log `" + m_path + "`");
    if (n == 0) return true;
    if (!deliver_data(std::string_view(buf, static_cast<size_t>(n)), sink)) return false;
  }
}

bool LogReader::advance() {
  // The source was rotated away (renamed to <log>.1, compressed, or unlinked) and drained. The
  // next file is the one after it in age, found by its first line (names shift at every
  // rotation, inodes change with gzip). A candidate that vanishes or is half-written while it is
  // looked at means a rotation or compression is running: look again rather than guess.
  const std::string mine = source_first_line();
  auto first_line_of = [](const RotatedLog& log, std::string& out) {
    try {
      UniqueFd fd(::open(log.path.c_str(), O_RDONLY | O_CLOEXEC));
      if (!fd) return false;
      out = log.gz ? first_gz_log_line(fd.get(), log.path) : first_log_line(fd.get(), log.path);
      return true;
    } catch (const std::exception&) {
      return false;
    }
  };
  for (int attempt = 0; attempt < 200; ++attempt) {
    if (attempt > 0) ::poll(nullptr, 0, 1);
    std::vector<RotatedLog> rotated = rotated_logs(m_path);  // newest first
    size_t k = rotated.size();                               // where the source is now; none = all are newer
    bool raced = false;
    for (size_t i = 0; i < rotated.size() && !mine.empty(); ++i) {
      std::string first;
      if (!first_line_of(rotated[i], first)) {
        raced = true;
        continue;
      }
      if (first == mine) {
        k = i;
        break;
      }
    }
    if (k == rotated.size() && raced) continue;
    if (k > 0) {
      try {
        open_rotated(rotated[k - 1]);
      } catch (const std::exception&) {
        continue;  // renamed meanwhile
      }
      return true;
    }
    // The source is <log>.1 now: the current file follows it, unless it was rotated in the
    // meantime (then <log>.1 is no longer the source: look again).
    Source previous = std::move(m_src);
    if (!open_current()) {
      m_src = std::move(previous);
      return false;  // not created yet
    }
    std::vector<RotatedLog> again = rotated_logs(m_path);
    std::string first;
    if (!again.empty() && (!first_line_of(again[0], first) || first != mine)) {
      m_src = std::move(previous);
      continue;
    }
    return true;
  }
  return false;
}

bool LogReader::read_available(const Sink& sink) {
  if (m_done) return false;
  if (!m_started) {
    m_started = true;
    start();
  }
  for (;;) {
    if (m_src.fd && !read_source(sink)) {
      m_done = true;
      return false;
    }
    if (!m_src.fd) {
      if (!open_current()) return true;
      continue;
    }
    if (source_is_current()) return true;
    // Rotated away: what was written between the read above and the rename is read now (the
    // shim renames only after its last write to the file).
    if (!read_source(sink)) {
      m_done = true;
      return false;
    }
    if (!advance()) return true;
  }
}

void LogReader::follow(const Sink& sink, const std::function<bool()>& finished, const std::atomic<bool>& stop) {
  UniqueFd inotify(::inotify_init1(IN_CLOEXEC | IN_NONBLOCK));
  bool watching = false;
  const size_t slash = m_path.rfind('/');
  const std::string dir = slash == std::string::npos ? "." : slash == 0 ? "/" : m_path.substr(0, slash);
  while (!stop.load()) {
    // The directory is watched (before reading, so no change falls between the read and the
    // wait): a write modifies the file (IN_MODIFY), its creation and a rotation add one
    // (IN_CREATE, IN_MOVED_TO).
    if (!watching && inotify)
      watching = ::inotify_add_watch(inotify.get(), dir.c_str(), IN_MODIFY | IN_CREATE | IN_MOVED_TO) >= 0;
    if (!read_available(sink)) return;
    // Checked before waiting: whatever the writer wrote before it was seen gone is read below.
    if (finished()) {
      read_available(sink);
      return;
    }
    if (watching) {
      pollfd p{inotify.get(), POLLIN, 0};
      if (::poll(&p, 1, 200) > 0) {
        char events[4096];
        while (::read(inotify.get(), events, sizeof events) > 0) {
        }
      }
    } else {
      ::poll(nullptr, 0, 100);
    }
  }
}

}  // namespace berth::logs
