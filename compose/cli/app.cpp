#include "compose/cli/app.hpp"

#include <CLI/CLI.hpp>
#include <iostream>

namespace berth::cli {

int run(int argc, char** argv) {
  CLI::App app{"Berth: a daemonless, Compose-compatible container orchestrator", "berth"};
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  return 0;
}

}  // namespace berth::cli
