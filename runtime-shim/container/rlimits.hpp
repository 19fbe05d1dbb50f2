#pragma once
// process.rlimits: names -> setrlimit() values, clamped in the parent to what the child can set.
#include <sys/resource.h>

#include <string>
#include <vector>

#include "runtime-shim/container/bundle.hpp"

namespace berth::shim {

struct RlimitValue {
  int resource = 0;  ///< RLIMIT_NOFILE, ...
  std::string name;  ///< "RLIMIT_NOFILE"
  rlimit value{};
};

/// RLIMIT_* number for "RLIMIT_NOFILE" (or "nofile"); -1 when unknown.
int rlimit_number(const std::string& name);

/// Validates and converts the bundle's rlimits. Without CAP_SYS_RESOURCE (`can_raise` false) no
/// process can raise a hard limit above its current one, so a larger request is clamped to
/// `current(resource)`'s hard limit with a warning instead of failing the container.
std::vector<RlimitValue> plan_rlimits(const std::vector<Rlimit>& limits, bool can_raise,
                                      std::vector<std::string>& warnings);

/// Whether this process may raise hard limits (CAP_SYS_RESOURCE in its effective set).
bool can_raise_rlimits();

/// Child: setrlimit() each value; throws SysError("setrlimit RLIMIT_NOFILE (soft 1024, hard 4096)").
void apply_rlimits(const std::vector<RlimitValue>& values);

}  // namespace berth::shim
