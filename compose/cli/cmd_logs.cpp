// `berth logs [SERVICE...]`: the containers' json-file logs with docker compose's prefixes;
// -f follows until every container has exited or Ctrl+C.
#include <unistd.h>

#include <chrono>
#include <memory>
#include <set>
#include <thread>

#include "compose/cli/commands.hpp"
#include "compose/engine/exec_target.hpp"
#include "compose/engine/session.hpp"
#include "compose/interactive/attach_signals.hpp"
#include "compose/logs/logs_stream.hpp"

namespace berth::cli {

namespace {

struct LogsOptions {
  bool follow = false, timestamps = false, no_color = false, no_prefix = false;
  std::string tail = "all", since, until;
  int index = 0;
  std::vector<std::string> services;
};

logs::LogFilter make_filter(const LogsOptions& o) {
  logs::LogFilter f;
  if (o.tail != "all" && !o.tail.empty()) {
    try {
      size_t used = 0;
      long n = std::stol(o.tail, &used);
      if (used != o.tail.size()) throw std::invalid_argument(o.tail);
      if (n >= 0) f.tail = static_cast<size_t>(n);  // docker: a negative tail means all
    } catch (const std::logic_error&) {
      throw std::runtime_error("invalid value for --tail: \"" + o.tail + "\": expected a number or \"all\"");
    }
  }
  int64_t now = logs::now_ns();
  if (!o.since.empty()) {
    f.since_ns = logs::parse_log_time(o.since, now);
    if (!f.since_ns) throw std::runtime_error("invalid value for \"since\": \"" + o.since + "\"");
  }
  if (!o.until.empty()) {
    f.until_ns = logs::parse_log_time(o.until, now);
    if (!f.until_ns) throw std::runtime_error("invalid value for \"until\": \"" + o.until + "\"");
  }
  return f;
}

int run_logs(const GlobalOptions& g, const LogsOptions& o) {
  logs::LogFilter filter = make_filter(o);
  engine::SessionOptions so = session_options(g, o.services, false, false);
  engine::Session session = engine::open_session(so);
  engine::Engine& eng = *session.engine;

  // A container logging with driver `none` has nothing to read: docker compose warns and goes on.
  auto readable = [&](const state::ContainerRecord& r) {
    if (logs::container_log_driver(eng.paths(), r.id) != "none") return true;
    session.progress->warning(logs::unreadable_log_warning(r.name));
    return false;
  };
  std::vector<logs::LogTarget> targets;
  std::vector<std::string> drop_warnings;  // lines the shims could not write: said after the logs
  for (const auto& c : engine::select_containers(eng, o.services, o.index))
    if (c.record.status != "creating" && readable(c.record)) {
      targets.push_back({c.record.id, logs::log_display_name(eng.project(), c.record.name)});
      if (c.status.log_lines_dropped > 0)
        drop_warnings.push_back(logs::dropped_lines_warning(c.record.name, c.status.log_lines_dropped));
    }

  logs::PrinterOptions po;
  po.color = logs::use_color(o.no_color, g.ansi, STDOUT_FILENO);
  po.prefix = !o.no_prefix;
  po.timestamps = o.timestamps;
  logs::LogPrinter printer(STDOUT_FILENO, STDERR_FILENO, po);
  if (!o.follow) {
    logs::print_logs(eng.paths(), targets, printer, filter);
    for (const auto& w : drop_warnings) session.progress->warning(w);
    return 0;
  }
  for (const auto& w : drop_warnings) session.progress->warning(w);
  interactive::InterruptWatch interrupts;
  logs::LogFollower follower(eng.paths(), printer, filter);
  std::set<std::string> added;
  for (const auto& t : targets) {
    follower.add(t);
    added.insert(t.id);
  }
  // Containers created meanwhile (scale up, a recreate, `up` from another terminal) are followed
  // too, from their first line, as docker compose's logs -f does; it ends when nothing is left
  // to follow.
  logs::LogFilter from_start = filter;
  from_start.tail.reset();
  while (interrupts.count() == 0) {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    eng.store().load();
    for (const auto& c : engine::select_containers(eng, o.services, o.index))
      if (c.record.status != "creating" && c.record.status != "created" && added.insert(c.record.id).second &&
          readable(c.record))
        follower.add({c.record.id, logs::log_display_name(eng.project(), c.record.name)}, from_start);
    if (follower.active() == 0) break;
  }
  follower.stop();
  return interrupts.count() > 0 ? 130 : 0;
}

}  // namespace

void register_logs(CLI::App& app, const GlobalOptions& g, CommandResult& result) {
  auto o = std::make_shared<LogsOptions>();
  CLI::App* cmd = app.add_subcommand("logs", "View output from containers");
  cmd->add_flag("-f,--follow", o->follow, "Follow log output");
  cmd->add_flag("-t,--timestamps", o->timestamps, "Show timestamps");
  cmd->add_option("-n,--tail", o->tail, "Number of lines to show from the end of the logs for each container");
  cmd->add_option("--since", o->since, "Show logs since timestamp (e.g. 2013-01-02T13:23:37Z) or relative (e.g. 42m)");
  cmd->add_option("--until", o->until,
                  "Show logs before a timestamp (e.g. 2013-01-02T13:23:37Z) or relative (e.g. 42m)");
  cmd->add_flag("--no-color", o->no_color, "Produce monochrome output");
  cmd->add_flag("--no-log-prefix", o->no_prefix, "Don't print prefix in logs");
  cmd->add_option("--index", o->index, "index of the container if service has multiple replicas");
  cmd->add_option("services", o->services, "Services");
  cmd->callback([&g, &result, o] { result.exit_code = run_logs(g, *o); });
}

}  // namespace berth::cli
