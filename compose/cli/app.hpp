#pragma once

namespace berth::cli {
/// Parses the command line, runs the command and returns the process exit code.
int run(int argc, char** argv);
}  // namespace berth::cli
