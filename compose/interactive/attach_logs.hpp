#pragma once
// Attached `up` with log streaming, as docker compose v2 does it: "Attaching to web-1, db-1",
// every container's output with prefixes (containers that appear later too), "web-1 exited
// with code 0" when one ends; returns when all have exited. --abort-on-container-exit /
// --exit-code-from stop the project when one exits. Ctrl+C: "Gracefully stopping... (press
// Ctrl+C again to force)" and the services `up` was given (all when none) are stopped; a second
// Ctrl+C kills their containers.
#include "compose/interactive/attach.hpp"
#include "compose/logs/log_printer.hpp"

namespace berth::interactive {

/// Attached `up`: the containers' logs printed through a LogPrinter on stdout/stderr until they
/// have exited or the user interrupts; returns the exit code for `up`.
/// Returns docker compose's exit code: 0 when all exited on their own, the chosen container's
/// code with --abort-on-container-exit / --exit-code-from, 130 after Ctrl+C.
int attach_with_logs(engine::Engine& engine, const AttachOptions& options, const logs::PrinterOptions& printer_options);

}  // namespace berth::interactive
