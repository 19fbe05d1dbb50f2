#pragma once
// Signal names as users write them (compose `stop_signal`, `kill -s`): "SIGTERM", "TERM",
// "term", "15", "SIGRTMIN+3".
#include <string>
#include <string_view>

namespace berth::shim {

/// The signal number for `name`; throws std::invalid_argument ("invalid signal `X`").
int parse_signal(std::string_view name);

/// "SIGTERM" for 15; "SIG<n>" for numbers without a name.
std::string signal_name(int signo);

}  // namespace berth::shim
