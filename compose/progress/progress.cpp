// docker compose's progress writers, reduced to what the engine reports. The tty writer keeps
// one line per resource and redraws the whole block on each event (cursor up + erase), which
// is what docker compose's tty writer does on a timer; redrawing on events needs no thread.
#include "compose/progress/progress.hpp"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <ostream>
#include <set>

namespace berth::progress {

ProgressMode progress_mode(const std::string& flag, int fd) {
  if (flag == "plain") return ProgressMode::Plain;
  if (flag == "tty") return ProgressMode::Tty;
  if (flag == "json") return ProgressMode::Json;
  if (flag == "quiet") return ProgressMode::Quiet;
  return ::isatty(fd) ? ProgressMode::Tty : ProgressMode::Plain;
}

bool is_final_status(const std::string& status) {
  static const std::set<std::string> done = {"Created",       "Started",        "Healthy", "Stopped",
                                             "Removed",       "Running",        "Exited",  "Restarted",
                                             "Paused",        "Unpaused",       "Killed",  "Recreated",
                                             "Error",         "Unhealthy",      "Skipped", "Pulled",
                                             "Pull complete", "Already exists", "Pushed",  "Layer already exists"};
  return done.count(status) > 0;
}

Progress::Progress(ProgressMode mode, std::ostream& out, bool color)
    : m_mode(mode), m_out(out), m_color(color), m_start(std::chrono::steady_clock::now()) {}

Progress::~Progress() { finish(); }

void Progress::event(const std::string& kind, const std::string& name, const std::string& status,
                     const std::string& text) {
  if (m_mode == ProgressMode::Quiet) return;
  std::lock_guard lock(m_mutex);
  const std::string id = kind.empty() ? name : kind + " " + name;
  auto now = std::chrono::steady_clock::now();
  if (m_mode == ProgressMode::Plain) {
    // docker compose's plain writer: fmt.Fprintln(out, prefix, ID, Text, StatusText), so one space
    // between fields (and before the first, the empty prefix), always four operands.
    m_out << " " << id << " " << status << " " << text << "\n" << std::flush;
    return;
  }
  if (m_mode == ProgressMode::Json) {
    nlohmann::json j = {{"id", id}, {"status", status}};
    if (!text.empty()) j["text"] = text;
    if (status == "Error") j["error"] = true;
    m_out << j.dump() << "\n" << std::flush;
    return;
  }
  auto [it, added] = m_index.try_emplace(id, m_lines.size());
  if (added) m_lines.push_back(Line{id, "", "", false, false, now, now});
  Line& line = m_lines[it->second];
  if (line.done && !is_final_status(status)) line.start = now;  // a new step of the same resource
  line.status = status;
  line.text = text;
  line.done = is_final_status(status);
  line.failed = status == "Error" || status == "Unhealthy";
  line.end = now;
  redraw_locked();
}

void Progress::error(const std::string& kind, const std::string& name, const std::string& text) {
  event(kind, name, "Error", text);
}

void Progress::warning(const std::string& text) {
  if (m_mode == ProgressMode::Quiet) return;
  std::lock_guard lock(m_mutex);
  if (m_mode == ProgressMode::Json) {
    m_out << nlohmann::json({{"level", "warning"}, {"msg", text}}).dump() << "\n" << std::flush;
    return;
  }
  auto secs = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - m_start).count();
  char prefix[32];
  std::snprintf(prefix, sizeof prefix, "WARN[%04lld] ", static_cast<long long>(secs));
  if (m_mode == ProgressMode::Tty && m_drawn) {
    m_out << "\x1b[" << m_drawn << "F\x1b[J";  // print above the block, then redraw it below
    m_drawn = 0;
  }
  m_out << (m_color ? "\x1b[33m" : "") << prefix << (m_color ? "\x1b[0m" : "") << text << "\n";
  if (m_mode == ProgressMode::Tty && !m_lines.empty()) redraw_locked();
  m_out << std::flush;
}

void Progress::redraw_locked() {
  if (m_drawn) m_out << "\x1b[" << m_drawn << "F";
  size_t done = 0;
  for (const auto& l : m_lines) done += l.done;
  m_out << "\x1b[2K[+] Running " << done << "/" << m_lines.size() << "\n";
  for (const auto& l : m_lines) {
    double secs = std::chrono::duration<double>(l.end - l.start).count();
    char elapsed[32];
    std::snprintf(elapsed, sizeof elapsed, "%.1fs", secs);
    const char* mark = l.failed ? "\u2718" : l.done ? "\u2714" : "\u283f";
    std::string colour = !m_color ? "" : l.failed ? "\x1b[31m" : l.done ? "\x1b[32m" : "\x1b[34m";
    std::string text = l.id + "  " + l.status + (l.text.empty() ? "" : " " + l.text);
    m_out << "\x1b[2K " << colour << mark << (m_color ? "\x1b[0m" : "") << " " << text << "  " << elapsed << "\n";
  }
  m_drawn = m_lines.size() + 1;
  m_out << std::flush;
}

void Progress::finish() {
  std::lock_guard lock(m_mutex);
  if (m_finished) return;
  m_finished = true;
  if (m_mode == ProgressMode::Tty && !m_lines.empty()) redraw_locked();
}

}  // namespace berth::progress
