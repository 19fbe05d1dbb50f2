#include "compose/progress/json_message.hpp"

#include <sys/ioctl.h>

#include <algorithm>
#include <ostream>

#include "compose/gocompat/units.hpp"

namespace berth::progress {

std::string json_progress_text(std::uint64_t current, std::uint64_t total, int width) {
  if (current == 0 && total == 0) return "";
  const std::string now = gocompat::human_size(current, 4);                                           // units.HumanSize
  auto padded = [](std::string s) { return s.size() < 8 ? std::string(8 - s.size(), ' ') + s : s; };  // %8v
  if (total == 0) return padded(now);
  const int half_percent =
      std::min(50, static_cast<int>(static_cast<double>(current) / static_cast<double>(total) * 100) / 2);
  std::string bar;
  if (width > 110) bar = "[" + std::string(half_percent, '=') + ">" + std::string(50 - half_percent, ' ') + "] ";
  return bar + (current > total ? padded(now) : padded(now) + "/" + gocompat::human_size(total, 4));
}

void JsonMessageDisplay::show(const std::string& id, const std::string& status, std::uint64_t current,
                              std::uint64_t total) {
  const std::string bar = json_progress_text(current, total, m_width);
  std::lock_guard lock(m_mutex);
  if (id.empty()) {
    m_lines.clear();  // a message that is no layer's ends the block of layer lines
    m_out << status << "\n" << std::flush;
    return;
  }
  if (!m_terminal) {
    if (bar.empty()) m_out << id << ": " << status << "\n" << std::flush;  // bars are for terminals only
    return;
  }
  auto [it, added] = m_lines.try_emplace(id, m_lines.size());
  if (added) m_out << "\n";
  const std::size_t up = m_lines.size() - it->second;
  m_out << "\x1b[" << up << "A"
        << "\x1b[2K\r" << id << ": " << status << " " << bar << "\r"
        << "\x1b[" << up << "B" << std::flush;
}

int terminal_width(int fd) {
  winsize ws{};
  if (::ioctl(fd, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) return ws.ws_col;
  return 200;
}

}  // namespace berth::progress
