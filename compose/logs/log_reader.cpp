// json-file log reading with Docker's `logs` semantics (daemon/logger/jsonfilelog/read.go):
// --tail counts messages from the end (found by reading the file backwards in blocks, so a
// huge log costs only its tail), --since skips older messages, --until ends the stream at the
// first newer one. Following waits on inotify IN_MODIFY; the poll timeout doubles as the
// fallback (file not created yet, inotify exhausted) and as the check for the writer's exit.
#include "compose/logs/log_reader.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <time.h>

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

bool LogReader::open_if_present() {
  if (m_fd) return true;
  UniqueFd fd(::open(m_path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) {
    if (errno == ENOENT) return false;
    throw_errno("open log `" + m_path + "`");
  }
  m_fd = std::move(fd);
  return true;
}

void LogReader::seek_tail(size_t n) {
  struct stat st {};
  if (::fstat(m_fd.get(), &st) != 0) throw_errno("stat log `" + m_path + "`");
  off_t end = st.st_size;
  // Scan backwards for the last '\n' (a trailing line still being written is not counted),
  // then for n more; the message after the n-th one back is where reading starts.
  constexpr off_t kBlock = 64 * 1024;
  auto find_start = [&]() -> off_t {
    std::string block;
    off_t pos = end;
    bool seen_last = false;
    size_t found = 0;
    while (pos > 0) {
      size_t len = static_cast<size_t>(std::min(pos, kBlock));
      block.resize(len);
      ssize_t got = ::pread(m_fd.get(), block.data(), len, pos - static_cast<off_t>(len));
      if (got < 0 && errno == EINTR) continue;
      if (got < 0) throw_errno("read log `" + m_path + "`");
      pos -= static_cast<off_t>(len);
      for (size_t i = static_cast<size_t>(got); i-- > 0;) {
        if (block[i] != '\n') continue;
        if (seen_last ? ++found == n : (seen_last = true, n == 0)) return pos + static_cast<off_t>(i) + 1;
      }
    }
    return 0;
  };
  off_t start = find_start();
  if (::lseek(m_fd.get(), start, SEEK_SET) < 0) throw_errno("seek log `" + m_path + "`");
}

bool LogReader::deliver_line(std::string_view line, const Sink& sink) {
  auto e = parse_log_line(line);
  if (!e) return true;  // malformed (e.g. a line cut by a crash): skipped
  if (m_filter.since_ns && e->time_ns < *m_filter.since_ns) return true;
  if (m_filter.until_ns && e->time_ns > *m_filter.until_ns) return false;
  sink(*e);
  return true;
}

bool LogReader::read_available(const Sink& sink) {
  if (m_done) return false;
  if (!open_if_present()) return true;
  if (!m_started) {
    m_started = true;
    if (m_filter.tail) seek_tail(*m_filter.tail);
  }
  char buf[64 * 1024];
  for (;;) {
    ssize_t n = ::read(m_fd.get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw_errno("read log `" + m_path + "`");
    if (n == 0) return true;
    std::string_view data(buf, static_cast<size_t>(n));
    while (!data.empty()) {
      size_t nl = data.find('\n');
      if (nl == std::string_view::npos) {
        m_pending.append(data);
        break;
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
      if (!more) {
        m_done = true;
        return false;
      }
    }
  }
}

void LogReader::follow(const Sink& sink, const std::function<bool()>& finished, const std::atomic<bool>& stop) {
  UniqueFd inotify(::inotify_init1(IN_CLOEXEC | IN_NONBLOCK));
  bool watching = false;
  while (!stop.load()) {
    if (!read_available(sink)) return;
    if (!watching && inotify && m_fd) watching = ::inotify_add_watch(inotify.get(), m_path.c_str(), IN_MODIFY) >= 0;
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
