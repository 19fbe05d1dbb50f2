// `berth events [SERVICE...]`: the project's container events as they happen, until Ctrl+C.
#include <unistd.h>

#include <algorithm>
#include <iostream>
#include <memory>

#include "compose/cli/commands.hpp"
#include "compose/engine/events_watch.hpp"
#include "compose/engine/session.hpp"
#include "compose/interactive/attach_signals.hpp"

namespace berth::cli {

namespace {

struct EventsOptions {
  bool json = false;
  std::vector<std::string> services;
};

void run_events(const GlobalOptions& g, const EventsOptions& o) {
  engine::SessionOptions so = session_options(g, o.services, false, false);
  engine::Session session = engine::open_session(so);
  interactive::InterruptWatch interrupts;
  engine::watch_events(
      *session.engine,
      [&](const engine::ContainerEvent& e) {
        if (!o.services.empty() && std::find(o.services.begin(), o.services.end(), e.service) == o.services.end())
          return;
        std::cout << (o.json ? engine::format_event_json(e) : engine::format_event_text(e)) << std::endl;
      },
      interrupts.interrupted());
}

}  // namespace

void register_events(CLI::App& app, const GlobalOptions& g, CommandResult&) {
  auto o = std::make_shared<EventsOptions>();
  CLI::App* cmd = app.add_subcommand("events", "Receive real time events from containers");
  cmd->add_flag("--json", o->json, "Output events as a stream of json objects");
  cmd->add_option("services", o->services, "Services");
  cmd->callback([&g, o] { run_events(g, *o); });
}

}  // namespace berth::cli
