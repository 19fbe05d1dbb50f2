// `berth events [SERVICE...]`: the project's container events from its journal: with --since or
// --until the recorded ones first, then (without --until, or until it passes) live until Ctrl+C.
#include <iostream>
#include <memory>

#include "compose/cli/commands.hpp"
#include "compose/engine/events_watch.hpp"
#include "compose/engine/session.hpp"
#include "compose/gocompat/timestamp.hpp"
#include "compose/interactive/attach_signals.hpp"

namespace berth::cli {

namespace {

struct EventsOptions {
  bool json = false;
  std::string since, until;
  std::vector<std::string> services;
};

/// docker's GetTimestamp, with its error text.
std::optional<int64_t> time_flag(const std::string& value, int64_t now) {
  if (value.empty()) return std::nullopt;
  if (auto t = gocompat::parse_docker_timestamp(value, now)) return t;
  throw std::runtime_error("failed to parse value as time or duration: \"" + value + "\"");
}

void run_events(const GlobalOptions& g, const EventsOptions& o) {
  const int64_t now = journal::now_ns();
  engine::EventsQuery q{time_flag(o.since, now), time_flag(o.until, now), o.services};
  engine::SessionOptions so = session_options(g, o.services, false, false);
  engine::Session session = engine::open_session(so);
  interactive::InterruptWatch interrupts;
  engine::stream_events(
      session.engine->paths().events_journal(session.engine->project()), q,
      [&](const engine::ContainerEvent& e) {
        std::cout << (o.json ? engine::format_event_json(e) : engine::format_event_text(e)) << std::endl;
      },
      interrupts.interrupted());
}

}  // namespace

void register_events(CLI::App& app, const GlobalOptions& g, CommandResult&) {
  auto o = std::make_shared<EventsOptions>();
  CLI::App* cmd = app.add_subcommand("events", "Receive real time events from containers");
  cmd->add_flag("--json", o->json, "Output events as a stream of json objects");
  cmd->add_option("--since", o->since, "Show all events created since timestamp");
  cmd->add_option("--until", o->until, "Stream events until this timestamp");
  cmd->add_option("services", o->services, "Services");
  cmd->callback([&g, o] { run_events(g, *o); });
}

}  // namespace berth::cli
