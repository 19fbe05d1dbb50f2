// json-file logging, byte-compatible with moby's daemon/logger (copier.go splits the stream,
// jsonfilelog/jsonlog/jsonlogbytes.go escapes, time.RFC3339Nano stamps). Timestamps are taken
// when a message is cut from the stream, as Docker does. The supervisor feeds StreamLog from
// its event loop and hands the lines to log_writer's thread, which writes them with LogFile
// (rotating as log_rotation.hpp says), so a slow or full disk never stops the container.
#include "runtime-shim/logs.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <stdexcept>

#include "common/sys_error.hpp"

namespace berth::shim {

timespec realtime_now() {
  timespec t{};
  ::clock_gettime(CLOCK_REALTIME, &t);
  return t;
}

std::string format_rfc3339_nano(const timespec& t) {
  // The date and time part changes once a second; logging formats it per line.
  thread_local time_t cached_sec = -1;
  thread_local std::string cached;
  if (t.tv_sec != cached_sec) {
    tm utc{};
    time_t secs = t.tv_sec;
    ::gmtime_r(&secs, &utc);
    char buf[64];
    int n = std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d", utc.tm_year + 1900, utc.tm_mon + 1,
                          utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec);
    cached.assign(buf, static_cast<size_t>(n));
    cached_sec = t.tv_sec;
  }
  std::string out = cached;
  if (long ns = t.tv_nsec; ns > 0) {
    char frac[10];
    for (int i = 8; i >= 0; --i, ns /= 10) frac[i] = static_cast<char>('0' + ns % 10);
    size_t len = 9;
    while (frac[len - 1] == '0') --len;
    out += '.';
    out.append(frac, len);
  }
  out += 'Z';
  return out;
}

namespace {

/// Go's utf8.DecodeRune validity: returns the sequence length, or 0 when invalid (overlong
/// forms, surrogates and values above U+10FFFF are invalid, as in Go).
size_t utf8_sequence(std::string_view s, size_t i, char32_t& rune) {
  auto b = [&](size_t k) { return static_cast<unsigned char>(s[i + k]); };
  unsigned char c = b(0);
  size_t len;
  unsigned char lo = 0x80, hi = 0xBF;
  if (c >= 0xC2 && c <= 0xDF) {
    len = 2;
  } else if (c >= 0xE0 && c <= 0xEF) {
    len = 3;
    if (c == 0xE0) lo = 0xA0;
    if (c == 0xED) hi = 0x9F;
  } else if (c >= 0xF0 && c <= 0xF4) {
    len = 4;
    if (c == 0xF0) lo = 0x90;
    if (c == 0xF4) hi = 0x8F;
  } else {
    return 0;
  }
  if (i + len > s.size()) return 0;
  if (b(1) < lo || b(1) > hi) return 0;
  for (size_t k = 2; k < len; ++k)
    if (b(k) < 0x80 || b(k) > 0xBF) return 0;
  rune = c & (len == 2 ? 0x1F : len == 3 ? 0x0F : 0x07);
  for (size_t k = 1; k < len; ++k) rune = (rune << 6) | (b(k) & 0x3F);
  return len;
}

}  // namespace

void append_docker_json_string(std::string& out, std::string_view s) {
  out += '"';
  append_docker_json_chars(out, s);
  out += '"';
}

void append_docker_json_chars(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  size_t start = 0;
  for (size_t i = 0; i < s.size();) {
    auto b = static_cast<unsigned char>(s[i]);
    if (b < 0x80) {
      if (b >= 0x20 && b != '\\' && b != '"' && b != '<' && b != '>' && b != '&') {
        ++i;
        continue;
      }
      out.append(s.substr(start, i - start));
      switch (b) {
        case '\\':
        case '"':
          out += '\\';
          out += static_cast<char>(b);
          break;
        case '\n':
          out += "\\n";
          break;
        case '\r':
          out += "\\r";
          break;
        default:
          out += "\\u00";
          out += kHex[b >> 4];
          out += kHex[b & 0xF];
      }
      start = ++i;
      continue;
    }
    char32_t rune = 0;
    size_t len = utf8_sequence(s, i, rune);
    if (len == 0) {
      out.append(s.substr(start, i - start));
      out += "\\ufffd";
      start = ++i;
      continue;
    }
    if (rune == 0x2028 || rune == 0x2029) {
      out.append(s.substr(start, i - start));
      out += "\\u202";
      out += kHex[rune & 0xF];
      i += len;
      start = i;
      continue;
    }
    i += len;
  }
  out.append(s.substr(start));
}

void append_log_entry(std::string& out, std::string_view log, std::string_view stream, const timespec& t,
                      bool newline) {
  out += "{\"log\":\"";
  append_docker_json_chars(out, log);
  if (newline) out += "\\n";
  out += "\",\"stream\":";
  append_docker_json_string(out, stream);
  out += ",\"time\":\"";
  out += format_rfc3339_nano(t);
  out += "\"}\n";
}

void StreamLog::emit(std::string_view text, bool newline, std::string& out) {
  timespec t;
  if (m_in_partial) {
    t = m_partial_time;  // later pieces of a long line keep the first piece's time
  } else {
    t = m_clock();
    if (!newline) m_partial_time = t;
  }
  m_in_partial = !newline;
  append_log_entry(out, text, m_stream, t, newline);
}

void StreamLog::feed(std::string_view data, std::string& out) {
  while (!data.empty()) {
    size_t room = kLogLineMax - m_pending.size();  // never 0: a full buffer is flushed at once
    std::string_view window = data.substr(0, room);
    size_t nl = window.find('\n');
    if (nl != std::string_view::npos) {
      if (m_pending.empty()) {
        emit(window.substr(0, nl), true, out);
      } else {
        m_pending.append(window.substr(0, nl));
        emit(m_pending, true, out);
        m_pending.clear();
      }
      data.remove_prefix(nl + 1);
      continue;
    }
    if (window.size() == kLogLineMax) {  // a whole buffer without '\n', straight from the input
      emit(window, false, out);
    } else {
      m_pending.append(window);
      if (m_pending.size() == kLogLineMax) {
        emit(m_pending, false, out);
        m_pending.clear();
      }
    }
    data.remove_prefix(window.size());
  }
}

void StreamLog::finish(std::string& out) {
  if (!m_pending.empty()) emit(m_pending, false, out);
  m_pending.clear();
  m_in_partial = false;
}

LogFile::LogFile(const std::string& path, LogRotation rotation, Warn warn)
    : m_path(path), m_rotation(rotation), m_warn(std::move(warn)) {
  open_current(O_APPEND);
  struct stat st {};
  if (::fstat(m_fd.get(), &st) != 0) throw_errno("stat log file `" + path + "`");
  m_size = st.st_size;
}

LogFile::~LogFile() {
  if (m_compressor.joinable()) m_compressor.join();
}

void LogFile::open_current(int flags) {
  m_fd = UniqueFd(::open(m_path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC | flags, 0640));
  if (!m_fd) throw_errno("open log file `" + m_path + "`");
}

void LogFile::write_all(std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::write(m_fd.get(), data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      throw_errno("write log file `" + m_path + "`");
    }
    m_size += n;
    m_mid_line = data[static_cast<size_t>(n) - 1] != '\n';
    data.remove_prefix(static_cast<size_t>(n));
  }
}

void LogFile::rotate() {
  // Docker's rotateMu: a rotation waits for the previous file's compression.
  if (m_compressor.joinable()) m_compressor.join();
  m_fd.reset();
  std::string failed;
  try {
    shift_rotated_logs(m_path, m_rotation.max_file, m_rotation.compress);
    // Readers may be in the current file, so it is moved away (not truncated).
    std::string to = m_path + ".1";
    if (m_rotation.max_file < 2 ? ::unlink(m_path.c_str()) != 0 : ::rename(m_path.c_str(), to.c_str()) != 0)
      if (errno != ENOENT) throw_errno("rotate log file `" + m_path + "`");
  } catch (const std::exception& e) {
    failed = e.what();
  }
  // As Docker: a new, empty file even when the renames failed.
  open_current(O_TRUNC);
  m_size = 0;
  m_mid_line = false;
  if (!failed.empty()) throw std::runtime_error(failed);
  if (m_rotation.compress && m_rotation.max_file >= 2)
    m_compressor = std::thread([path = m_path + ".1", warn = m_warn] {
      try {
        compress_log_file(path);
      } catch (const std::exception& e) {
        if (warn) warn(e.what());
      }
    });
}

void LogFile::write(std::string_view data) {
  if (!m_fd) open_current(O_APPEND);
  if (m_mid_line) write_all("\n");
  while (!data.empty()) {
    if (m_rotation.max_size >= 0 && m_size >= m_rotation.max_size) rotate();
    size_t take = data.size();
    if (m_rotation.max_size >= 0) {
      // Up to and including the line that brings the file to max-size.
      auto need = static_cast<size_t>(m_rotation.max_size - m_size);
      if (need <= data.size()) {
        size_t nl = data.find('\n', need - 1);
        take = nl == std::string_view::npos ? data.size() : nl + 1;
      }
    }
    write_all(data.substr(0, take));
    data.remove_prefix(take);
  }
}

}  // namespace berth::shim
