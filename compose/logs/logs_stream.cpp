// Log streaming over the shim's files: <root>/containers/<id>/container.log for the text and
// state.json for "is it over" (the shim drains the container's pipes before it records
// "exited", so reading once more after seeing that gets every line). One thread per followed
// container keeps each reader simple (blocking poll on its own inotify fd); the printer's
// mutex keeps their lines whole.
#include "compose/logs/logs_stream.hpp"

#include <signal.h>
#include <sys/types.h>

#include <cerrno>
#include <chrono>
#include <iostream>

#include "common/shim_protocol.hpp"

namespace berth::logs {

namespace {

std::string log_path(const state::Paths& paths, const std::string& id) {
  return paths.bundle_dir(id) + "/container.log";
}

bool process_alive(int pid) { return pid > 0 && (::kill(pid, 0) == 0 || errno == EPERM); }

}  // namespace

std::string log_display_name(const std::string& project, const std::string& container_name) {
  std::string prefix = project + "-";
  if (container_name.size() > prefix.size() && container_name.compare(0, prefix.size(), prefix) == 0)
    return container_name.substr(prefix.size());
  return container_name;
}

bool container_output_finished(const state::Paths& paths, const std::string& id) {
  shim_protocol::State st;
  try {
    st = shim_protocol::read_state(paths.shim_state_dir(id));
  } catch (const std::exception&) {
    return true;  // no shim state: never started, or removed
  }
  if (st.status == "exited") return true;
  return !process_alive(st.shim_pid);
}

std::string container_log_driver(const state::Paths& paths, const std::string& id) {
  try {
    return shim_protocol::read_state(paths.shim_state_dir(id)).log_driver;
  } catch (const std::exception&) {
    return "json-file";
  }
}

std::string unreadable_log_warning(const std::string& container_name) {
  return "Can't retrieve logs for \"" + container_name + "\": configured logging driver does not support reading";
}

std::string dropped_lines_warning(const std::string& container_name, uint64_t dropped) {
  return "\"" + container_name + "\": " + std::to_string(dropped) + " log line" + (dropped == 1 ? " was" : "s were") +
         " dropped: its log could not be written (full disk, or the log writer fell behind)";
}

std::optional<int> container_exit_code(const state::Paths& paths, const std::string& id) {
  try {
    auto st = shim_protocol::read_state(paths.shim_state_dir(id));
    if (st.status == "exited") return st.exit_code;
  } catch (const std::exception&) {
  }
  return std::nullopt;
}

void print_logs(const state::Paths& paths, const std::vector<LogTarget>& targets, LogPrinter& printer,
                const LogFilter& filter) {
  std::vector<size_t> sources;
  for (const auto& t : targets) sources.push_back(printer.add(t.name));  // widths from every name first
  for (size_t i = 0; i < targets.size(); ++i) {
    LogReader reader(log_path(paths, targets[i].id), filter);
    reader.read_available([&](const LogEntry& e) { printer.write(sources[i], e); });
    printer.finish(sources[i]);
  }
}

LogFollower::LogFollower(const state::Paths& paths, LogPrinter& printer, LogFilter filter, OnEnd on_end)
    : m_paths(paths), m_printer(printer), m_filter(filter), m_on_end(std::move(on_end)) {}

LogFollower::~LogFollower() { stop(); }

size_t LogFollower::add(const LogTarget& target) { return add(target, m_filter); }

size_t LogFollower::add(const LogTarget& target, const LogFilter& filter) {
  std::lock_guard lock(m_mutex);
  if (auto it = m_sources.find(target.id); it != m_sources.end()) return it->second;
  size_t source = m_printer.add(target.name);
  m_sources[target.id] = source;
  ++m_active;
  m_threads.emplace_back([this, target, source, filter] {
    try {
      LogReader reader(log_path(m_paths, target.id), filter);
      reader.follow([&](const LogEntry& e) { m_printer.write(source, e); },
                    [&] { return container_output_finished(m_paths, target.id); }, m_stop);
    } catch (const std::exception& e) {
      std::cerr << "error: logs of " << target.name << ": " << e.what() << "\n";
    }
    m_printer.finish(source);
    if (!m_stop.load() && m_on_end) m_on_end(target, source);
    --m_active;
  });
  return source;
}

bool LogFollower::following(const std::string& id) const {
  std::lock_guard lock(m_mutex);
  return m_sources.count(id) != 0;
}

size_t LogFollower::active() const { return m_active.load(); }

void LogFollower::stop() {
  m_stop = true;
  std::vector<std::thread> threads;
  {
    std::lock_guard lock(m_mutex);
    threads.swap(m_threads);
  }
  for (auto& t : threads)
    if (t.joinable()) t.join();
}

void LogFollower::wait(const std::atomic<bool>& stop_flag) {
  while (m_active.load() > 0 && !stop_flag.load()) std::this_thread::sleep_for(std::chrono::milliseconds(50));
}

}  // namespace berth::logs
