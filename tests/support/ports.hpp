#pragma once
// Ports for servers a test starts on loopback.
#include <cstdint>

namespace berth::test {

/// A TCP port on 127.0.0.1 that was free a moment ago (the kernel's pick for a bind to port 0; the
/// race with other processes afterwards is accepted in tests). Throws std::system_error.
std::uint16_t free_loopback_port();

}  // namespace berth::test
