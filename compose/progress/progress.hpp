#pragma once
// Progress output like docker compose v2, on stderr: one event per resource state change
// ("Container appdb-db-1  Starting"). Modes (--progress):
//   plain  one line per event: " Container appdb-db-1  Started"
//   tty    a block redrawn in place with ANSI cursor moves: "[+] Running 2/3" and one line
//          per resource with its latest state and elapsed time (colour unless NO_COLOR)
//   json   one JSON object per event: {"id":"Container appdb-db-1","status":"Started",...}
//   quiet  nothing
//   auto   tty when the stream is a terminal, else plain
// Thread-safe: the executor reports from several threads.
#include <chrono>
#include <iosfwd>
#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace berth::progress {

enum class ProgressMode { Plain, Tty, Json, Quiet };

/// The mode for a --progress value ("auto" looks at whether `fd` is a terminal).
ProgressMode progress_mode(const std::string& flag, int fd = 2);

class Progress {
 public:
  /// Writes to `out`; `color` adds ANSI colours in tty mode (off with NO_COLOR or --ansi never).
  explicit Progress(ProgressMode mode, std::ostream& out, bool color = false);
  ~Progress();
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  /// A resource changed state. `kind` is "Network", "Volume" or "Container" ("" for a service's
  /// image and its layers while pulling); `status` a docker compose word (Creating, Created,
  /// Starting, Started, Waiting, Healthy, Stopping, Pulling, Pulled, ...).
  void event(const std::string& kind, const std::string& name, const std::string& status, const std::string& text = "");
  /// A warning line, printed at once in every mode but quiet ("WARN[0000] ...").
  void warning(const std::string& text);
  /// A failed resource ("Error"), with its message.
  void error(const std::string& kind, const std::string& name, const std::string& text);
  /// Ends the tty block (final redraw); called by the destructor too.
  void finish();

  ProgressMode mode() const { return m_mode; }

 private:
  struct Line {
    std::string id, status, text;
    bool done = false, failed = false;
    std::chrono::steady_clock::time_point start, end;
  };
  void redraw_locked();
  ProgressMode m_mode;
  std::ostream& m_out;
  bool m_color;
  std::mutex m_mutex;
  std::vector<Line> m_lines;
  std::map<std::string, size_t> m_index;
  size_t m_drawn = 0;  ///< lines of the last tty block, to move the cursor back over
  bool m_finished = false;
  std::chrono::steady_clock::time_point m_start;
};

/// True for statuses that end a resource's step (Created, Started, Healthy, Stopped, ...).
bool is_final_status(const std::string& status);

}  // namespace berth::progress
