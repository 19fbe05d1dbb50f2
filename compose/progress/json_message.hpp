#pragma once
// docker's CLI display of a pull or push (docker/docker pkg/jsonmessage: JSONMessage.Display and
// DisplayJSONMessagesStream), for `image pull` and `image push`. Every layer event is a progress
// message: on a terminal each layer keeps one line, rewritten in place ("\x1b[2K\r<id>: <status>
// <bar>\r" between cursor moves) with the bar "[=====>      ]  12.3MB/161MB" while bytes move; an
// event without a layer id ("Digest: ...") is printed below and starts a new block. Without a
// terminal, lines that would carry a bar are left out and the others printed one per event.
#include <cstdint>
#include <iosfwd>
#include <map>
#include <mutex>
#include <string>

namespace berth::progress {

/// JSONProgress.String() without the time-left box (the daemon never sets Start for pulls):
/// "" when nothing is known, the current size alone without a total (or when it exceeds it), and
/// the "[==>  ] " box only for terminals wider than 110 columns.
std::string json_progress_text(std::uint64_t current, std::uint64_t total, int width);

class JsonMessageDisplay {
 public:
  /// `width`: the terminal's columns (docker takes 200 when it cannot tell).
  JsonMessageDisplay(std::ostream& out, bool terminal, int width = 200)
      : m_out(out), m_terminal(terminal), m_width(width) {}

  /// One event: `id` is a layer's short id ("" for image-wide lines), `current`/`total` its bytes.
  /// Thread-safe: a pull reports from its download and unpack threads.
  void show(const std::string& id, const std::string& status, std::uint64_t current = 0, std::uint64_t total = 0);

 private:
  std::ostream& m_out;
  bool m_terminal;
  int m_width;
  std::mutex m_mutex;
  std::map<std::string, std::size_t> m_lines;  ///< layer id → its line in the current block
};

/// The columns of the terminal on `fd`, 200 when it is none or cannot tell (as docker's width()).
int terminal_width(int fd);

}  // namespace berth::progress
