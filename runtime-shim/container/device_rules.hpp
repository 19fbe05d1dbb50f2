#pragma once
// The container's device policy as data: the rules it gets (a deny-all, linux.resources.devices,
// runc's always-allowed devices) and the policy they leave, computed as the cgroup v1 devices
// controller computes it, so the v2 BPF program (device_filter.hpp) enforces the same thing.
#include <cstdint>
#include <string>
#include <vector>

#include "runtime-shim/container/bundle.hpp"

namespace berth::shim {

/// What every container may do whatever its config says: mknod any char or block device, and
/// read/write/mknod null 1:3, zero 1:5, full 1:7, random 1:8, urandom 1:9, tty 5:0, ptmx 5:2 and
/// the pty slaves 136:* — runc's libcontainer/specconv AllowedDevices, which runc appends to
/// every container's rules.
const std::vector<DeviceRule>& always_allowed_devices();

/// The rules a container's device cgroup gets, in order: deny everything, then `configured`
/// (linux.resources.devices), then always_allowed_devices().
std::vector<DeviceRule> container_device_rules(const std::vector<DeviceRule>& configured);

/// The line cgroup v1's devices.allow / devices.deny take: "a", "c 1:3 rwm", "c 136:* rwm".
std::string v1_rule_line(const DeviceRule& rule);

/// What a list of rules leaves: a default and the exceptions to it. Each exception's `allow` is
/// the opposite of the default; exceptions for the same type:major:minor are merged.
struct DevicePolicy {
  bool default_allow = true;
  std::vector<DeviceRule> exceptions;
};

/// Applies `rules` in order to a cgroup that allows everything, as the v1 controller does: a
/// type-'a' rule sets the default and clears the exceptions; a rule whose action differs from
/// the default adds (or widens) an exception; one that agrees with it takes its access letters
/// away from the exception for exactly that type:major:minor.
DevicePolicy resolve_device_policy(const std::vector<DeviceRule>& rules);

/// Whether `policy` lets a process do `access` ("r", "rw", "m") on device `type` major:minor, by
/// the v1 controller's matching: in a deny-by-default policy one exception must cover every
/// requested letter; in an allow-by-default one any overlap with an exception denies.
bool device_allowed(const DevicePolicy& policy, char type, int64_t major, int64_t minor, const std::string& access);

}  // namespace berth::shim
