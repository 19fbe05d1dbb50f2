// `berth port SERVICE PRIVATE_PORT`: the public address a container port is published on, from
// the ports the engine recorded ("0.0.0.0:8080->80/tcp" → "0.0.0.0:8080").
#include <iostream>
#include <memory>

#include "compose/cli/commands.hpp"
#include "compose/engine/exec_target.hpp"
#include "compose/engine/session.hpp"

namespace berth::cli {

namespace {

struct PortOptions {
  std::string service;
  std::string private_port;
  std::string protocol = "tcp";
  int index = 0;
};

/// The host side of a recorded port text when it publishes `port`/`proto`; "" otherwise.
std::string published_for(const std::string& text, const std::string& port, const std::string& proto) {
  auto arrow = text.find("->");
  if (arrow == std::string::npos) return "";
  std::string target = text.substr(arrow + 2);
  return target == port + "/" + proto ? text.substr(0, arrow) : "";
}

void run_port(const GlobalOptions& g, const PortOptions& o) {
  if (o.private_port.empty() || o.private_port.find_first_not_of("0123456789") != std::string::npos)
    throw std::runtime_error("invalid port \"" + o.private_port + "\"");
  engine::SessionOptions so = session_options(g, {}, false, false);
  engine::Session session = engine::open_session(so);
  engine::ObservedRecord c = engine::running_container(*session.engine, o.service, o.index, false);
  for (const auto& p : c.record.ports) {
    if (std::string host = published_for(p, o.private_port, o.protocol); !host.empty()) {
      std::cout << host << "\n";
      return;
    }
  }
  throw std::runtime_error("no port " + o.private_port + "/" + o.protocol + " for container " + c.record.name);
}

}  // namespace

void register_port(CLI::App& app, const GlobalOptions& g, CommandResult&) {
  auto o = std::make_shared<PortOptions>();
  CLI::App* cmd = app.add_subcommand("port", "Print the public port for a port binding");
  cmd->add_option("service", o->service, "Service")->required();
  cmd->add_option("private_port", o->private_port, "Private port")->required();
  cmd->add_option("--protocol", o->protocol, "tcp or udp")->check(CLI::IsMember({"tcp", "udp", "sctp"}));
  cmd->add_option("--index", o->index, "Index of the container if service has multiple replicas");
  cmd->callback([&g, o] { run_port(g, *o); });
}

}  // namespace berth::cli
