// See event_journal.hpp for the format and the rules writers follow. The reader never trusts a
// line: a record is what parses as an object carrying the marker's "time" and an "action".
// Rotation is detected by the reader when the path names another inode than the file it has
// open: it reads the old one to its end first (a writer that opened it before the rename may
// still append there for a moment), then starts on the new one.
#include "common/event_journal.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <ctime>
#include <nlohmann/json.hpp>

#include "common/file_lock.hpp"
#include "common/sys_error.hpp"

namespace berth::journal {

namespace {

constexpr std::string_view kMarker = R"({"time":)";
constexpr size_t kMaxAction = 1024, kMaxValue = 512, kMaxKey = 128, kMaxAttributes = 32;

std::string cut(const std::string& s, size_t n) { return s.size() <= n ? s : s.substr(0, n); }

std::string dump(const nlohmann::ordered_json& j) {
  // Cut strings may end inside a UTF-8 sequence: replaced, never an exception.
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

nlohmann::ordered_json to_record(const Event& e, const std::map<std::string, std::string>& attributes) {
  nlohmann::ordered_json j;
  j["time"] = e.time_ns;
  j["action"] = cut(e.action, kMaxAction);
  j["id"] = cut(e.id, kMaxKey);
  j["service"] = cut(e.service, kMaxKey);
  if (e.oneoff) j["oneoff"] = true;
  nlohmann::ordered_json attrs = nlohmann::ordered_json::object();
  for (const auto& [k, v] : attributes) attrs[cut(k, kMaxKey)] = cut(v, kMaxValue);
  j["attributes"] = attrs;
  return j;
}

}  // namespace

std::string encode(const Event& e) {
  std::map<std::string, std::string> attributes;
  for (const char* key : {"name", "image"})  // what identifies the container comes first
    if (auto it = e.attributes.find(key); it != e.attributes.end()) attributes.emplace(key, it->second);
  for (const auto& [k, v] : e.attributes) {
    if (attributes.size() == kMaxAttributes) break;
    attributes.emplace(k, v);
  }
  std::string line = dump(to_record(e, attributes));
  // Still too long (many long labels): keep what identifies the container.
  if (line.size() + 1 > kMaxRecord) {
    std::erase_if(attributes, [](const auto& kv) { return kv.first != "name" && kv.first != "image"; });
    line = dump(to_record(e, attributes));
  }
  return line + "\n";
}

std::optional<Event> decode(std::string_view line) {
  size_t at = line.rfind(kMarker);
  if (at == std::string_view::npos) return std::nullopt;
  auto j = nlohmann::json::parse(line.substr(at), nullptr, false);
  if (!j.is_object() || !j.contains("time") || !j["time"].is_number_integer() || !j.contains("action") ||
      !j["action"].is_string())
    return std::nullopt;
  Event e;
  e.time_ns = j["time"].get<int64_t>();
  e.action = j["action"].get<std::string>();
  if (auto it = j.find("id"); it != j.end() && it->is_string()) e.id = it->get<std::string>();
  if (auto it = j.find("service"); it != j.end() && it->is_string()) e.service = it->get<std::string>();
  if (auto it = j.find("oneoff"); it != j.end() && it->is_boolean()) e.oneoff = it->get<bool>();
  if (auto it = j.find("attributes"); it != j.end() && it->is_object())
    for (const auto& [k, v] : it->items())
      if (v.is_string()) e.attributes[k] = v.get<std::string>();
  return e;
}

void append(const std::string& path, const Event& e, off_t rotate_at) {
  const std::string record = encode(e);
  UniqueFd fd(::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600));
  if (!fd) throw_errno("open event journal `" + path + "`");
  ssize_t n;
  do {
    n = ::write(fd.get(), record.data(), record.size());
  } while (n < 0 && errno == EINTR);
  if (n < 0) throw_errno("append to event journal `" + path + "`");
  if (static_cast<size_t>(n) < record.size()) {
    // A full disk took part of it: end the line so the next record starts on its own (the
    // reader skips the torn one either way).
    [[maybe_unused]] ssize_t nl = ::write(fd.get(), "\n", 1);
    throw SysError("append to event journal `" + path + "`: short write", ENOSPC);
  }
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0 || st.st_size < rotate_at) return;
  // Rotate once: the writer holding the flock renames, if the path still names this file.
  if (!try_lock_fd(fd.get(), LOCK_EX, path)) return;
  struct stat cur {};
  if (::stat(path.c_str(), &cur) != 0 || cur.st_ino != st.st_ino || cur.st_dev != st.st_dev) return;
  const std::string old = path + ".1";
  if (::rename(path.c_str(), old.c_str()) != 0) throw_errno("rotate event journal `" + path + "` to `" + old + "`");
}

void remove(const std::string& path) {
  for (const std::string& p : {path + ".1", path})
    if (::unlink(p.c_str()) != 0 && errno != ENOENT) throw_errno("remove event journal `" + p + "`");
}

int64_t now_ns() {
  timespec t{};
  ::clock_gettime(CLOCK_REALTIME, &t);
  return static_cast<int64_t>(t.tv_sec) * 1'000'000'000 + t.tv_nsec;
}

Reader::Reader(std::string path) : m_path(std::move(path)) {}

bool Reader::open_current() {
  UniqueFd fd(::open(m_path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
  if (!fd) {
    if (errno == ENOENT) return false;
    throw_errno("open event journal `" + m_path + "`");
  }
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) throw_errno("stat event journal `" + m_path + "`");
  m_fd = std::move(fd);
  m_ino = st.st_ino;
  m_pending.clear();
  return true;
}

void Reader::take_lines(std::vector<Event>& out) {
  size_t start = 0;
  for (size_t nl; (nl = m_pending.find('\n', start)) != std::string::npos; start = nl + 1)
    if (auto e = decode(std::string_view(m_pending).substr(start, nl - start))) out.push_back(std::move(*e));
  m_pending.erase(0, start);
}

void Reader::read_available(std::vector<Event>& out) {
  char buf[65536];
  for (;;) {
    ssize_t n = ::read(m_fd.get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw_errno("read event journal `" + m_path + "`");
    if (n == 0) break;
    m_pending.append(buf, static_cast<size_t>(n));
    take_lines(out);
  }
}

std::vector<Event> Reader::poll() {
  std::vector<Event> out;
  if (!m_started) {
    m_started = true;
    // The current file first (held open), then the rotated one unless a rotation between the two
    // made the rotated one the file we hold.
    open_current();
    const std::string old_path = m_path + ".1";
    UniqueFd old(::open(old_path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
    struct stat st {};
    if (old && ::fstat(old.get(), &st) == 0 && (!m_fd || st.st_ino != m_ino)) {
      Reader whole(old_path);
      whole.m_fd = std::move(old);
      whole.read_available(out);
    }
  }
  if (!m_fd && !open_current()) return out;
  read_available(out);
  struct stat st {};
  if (::stat(m_path.c_str(), &st) == 0 && st.st_ino != m_ino) {  // rotated (or removed and made anew)
    read_available(out);                                         // what was appended before the rename
    if (open_current()) read_available(out);
  }
  return out;
}

}  // namespace berth::journal
