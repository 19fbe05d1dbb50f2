#pragma once
// A project's container event journal: the events Docker's daemon would emit (create, start,
// kill, die, oom, stop, pause, unpause, destroy, health_status, exec_*), appended by whoever
// causes them (berth for create/destroy, the container's berth-shim for the rest, so a container
// that dies with no berth running is recorded too) and read back by `berth events` (--since,
// --until, then followed live).
//
// File: <root>/projects/<project>/events.log, one JSON object per line, always starting with
// the marker {"time": — {"time":<ns>,"action":"die","id":"<64 hex>","service":"web",
// "oneoff":true (only when true),"attributes":{"exitCode":"0","image":"busybox","name":"p-web-1"}}.
//
// Concurrent writers: each record is one write(2) of at most kMaxRecord (PIPE_BUF) bytes on an
// O_APPEND descriptor, so records never interleave. A writer killed mid-write, or a short write
// on a full disk, leaves a torn record: the reader skips it (a line that does not parse is
// re-read from its last {"time": marker, so the record appended after a torn one is kept).
// Bounded: once the file reaches kRotateBytes the writer that noticed renames it to
// events.log.1 (replacing the older one) under a flock on the file itself, so at most two
// files of ~1 MiB (some 4,000 events) are kept — Docker keeps the last 256 events in memory.
// `down` removes both files.
#include <sys/types.h>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/unique_fd.hpp"

namespace berth::journal {

/// PIPE_BUF: the most one record may take (a single write of it is never interleaved).
inline constexpr size_t kMaxRecord = 4096;
/// Size at which the journal is rotated to <path>.1.
inline constexpr off_t kRotateBytes = 1024 * 1024;

/// One container event.
struct Event {
  int64_t time_ns = 0;
  std::string action;  ///< "start", "die", "health_status: healthy", "exec_create: sh -c x", ...
  std::string id;
  std::string service;
  bool oneoff = false;                            ///< a `run` container (docker compose skips them)
  std::map<std::string, std::string> attributes;  ///< name, image, exitCode, signal, execID, ...
};

/// The journal file's name inside a project's directory.
inline constexpr const char* kFileName = "events.log";

/// The record line for `e` (ending in '\n'); strings are cut so it fits in kMaxRecord.
std::string encode(const Event& e);

/// Parses one line (without '\n'); a torn record glued to the start of the next one is skipped by
/// parsing from the last {"time": marker. nullopt when no well-formed record is there.
std::optional<Event> decode(std::string_view line);

/// Appends `e` to the journal at `path` (created 0600 if its directory exists) in one write, then
/// rotates the file when it has reached `rotate_at` bytes. Throws SysError naming the path.
void append(const std::string& path, const Event& e, off_t rotate_at = kRotateBytes);

/// Removes the journal and its rotated file (missing ones are fine); throws SysError otherwise.
void remove(const std::string& path);

/// Current CLOCK_REALTIME in nanoseconds.
int64_t now_ns();

/// Reads a journal from its oldest record on, then what is appended later (poll again), across
/// rotations. Records are delivered in the order they were written.
class Reader {
 public:
  explicit Reader(std::string path);

  /// The records that became complete since the last call (the first call: <path>.1, then the
  /// whole current file).
  std::vector<Event> poll();

 private:
  void read_available(std::vector<Event>& out);
  void take_lines(std::vector<Event>& out);
  bool open_current();

  std::string m_path;
  UniqueFd m_fd;
  ino_t m_ino = 0;
  std::string m_pending;  ///< bytes after the last complete line
  bool m_started = false;
};

}  // namespace berth::journal
