// `berth stats [SERVICE]` (docker compose stats): the containers' CPU, memory, network, block I/O
// and pids as docker's stats formatter prints them (--format table | table TEMPLATE | json |
// TEMPLATE). CPU % needs two readings, so the first row comes a second after the first reading,
// as the daemon's first streamed sample does. With --no-stream one table is printed and the command
// ends. Otherwise it streams until no container is left to show (docker's RunStats loop): on a
// terminal the table is redrawn each second in place; to a pipe or file each second's table follows
// the last (docker writes its clear-screen codes there too; Berth leaves them out of a pipe).
#include <unistd.h>

#include <chrono>
#include <iostream>
#include <memory>
#include <thread>

#include "compose/cli/commands.hpp"
#include "compose/engine/container_stats.hpp"

namespace berth::cli {

namespace {

struct StatsFlags {
  bool all = false, no_stream = false, no_trunc = false;
  std::string format;
  std::string service;
};

std::string stats_text(const std::vector<engine::StatsEntry>& entries, const StatsFlags& f) {
  std::vector<gocompat::TemplateFields> rows;
  for (const auto& e : entries) rows.push_back(engine::stats_fields(e, f.no_trunc));
  return gocompat::format_rows(f.format, engine::kStatsTableFormat, engine::stats_header(), rows,
                               "*container.statsContext");
}

/// One frame of the live view, as docker draws it: cursor home, each line then erase-to-end-of-
/// line, then erase below (fewer containers than the frame before).
std::string stats_frame(const std::string& text) {
  std::string out = "\033[H";
  for (size_t pos = 0; pos < text.size();) {
    size_t nl = text.find('\n', pos);
    out += text.substr(pos, nl - pos) + "\033[K\n";
    pos = nl == std::string::npos ? text.size() : nl + 1;
  }
  return out + "\033[J";
}

void run_stats(const GlobalOptions& g, const StatsFlags& f) {
  engine::Session session = engine::open_session(session_options(g, {}, false, false));
  engine::StatsMonitor monitor(*session.engine, f.service, f.all);
  const bool terminal = ::isatty(STDOUT_FILENO) == 1;
  monitor.next();  // the first reading: CPU % is its change over the next second
  if (terminal && !f.no_stream) std::cout << "\033[2J" << std::flush;
  for (;;) {
    std::this_thread::sleep_for(std::chrono::seconds(1));
    std::vector<engine::StatsEntry> entries = monitor.next();
    if (entries.empty() && !f.all) return;  // nothing (left) to show: docker's loop ends too
    const std::string text = stats_text(entries, f);
    std::cout << (terminal && !f.no_stream ? stats_frame(text) : text) << std::flush;
    if (f.no_stream) return;
  }
}

}  // namespace

void register_stats(CLI::App& app, const GlobalOptions& g, CommandResult&) {
  auto f = std::make_shared<StatsFlags>();
  auto* cmd = app.add_subcommand("stats", "Display a live stream of container(s) resource usage statistics");
  cmd->add_flag("-a,--all", f->all, "Show all containers (default shows just running)");
  cmd->add_option(
      "--format", f->format,
      "Format output: table (default), table TEMPLATE, json, or a Go TEMPLATE ({{.Name}}, {{.CPUPerc}}, ...)");
  cmd->add_flag("--no-stream", f->no_stream, "Disable streaming stats and only pull the first result");
  cmd->add_flag("--no-trunc", f->no_trunc, "Do not truncate output");
  cmd->add_option("service", f->service, "Service whose containers to show (default: all)");
  cmd->callback([&g, f] { run_stats(g, *f); });
}

}  // namespace berth::cli
