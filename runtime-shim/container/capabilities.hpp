#pragma once
// Capability sets of the container process: names (OCI "CAP_CHOWN") -> bit masks in the parent,
// applied by the child around the user switch.
#include <cstdint>
#include <string>
#include <vector>

#include "runtime-shim/container/bundle.hpp"

namespace berth::shim {

struct CapabilitySets {
  uint64_t bounding = 0, effective = 0, inheritable = 0, permitted = 0, ambient = 0;
};

/// Docker's default set: CHOWN, DAC_OVERRIDE, FSETID, FOWNER, MKNOD, NET_RAW, SETGID, SETUID,
/// SETFCAP, SETPCAP, NET_BIND_SERVICE, SYS_CHROOT, KILL, AUDIT_WRITE.
const std::vector<std::string>& docker_default_capabilities();

/// The bundle's lists as masks; when `given` is false and every list is empty, Docker's default
/// set in bounding, effective and permitted. Unknown names throw; names this kernel lacks, or
/// that the shim itself doesn't have in its bounding set, are left out with a warning.
CapabilitySets plan_capabilities(const Capabilities& caps, bool given, std::vector<std::string>& warnings);

/// Every capability the shim itself may grant: its own bounding set (privileged exec).
CapabilitySets all_capabilities();

/// "CAP_CHOWN"... for the bits of `mask`, in bit order.
std::vector<std::string> capability_names(uint64_t mask);

/// Highest capability number of the running kernel (/proc/sys/kernel/cap_last_cap).
int last_capability();

/// Child, before the user switch (needs CAP_SETPCAP): drops every capability outside the
/// bounding set and sets PR_SET_KEEPCAPS so a setuid() away from 0 keeps the permitted set.
void drop_bounding_set(const CapabilitySets& sets);

/// Child, after the user switch: clears PR_SET_KEEPCAPS, sets effective/permitted/inheritable,
/// then raises the ambient set.
void apply_capabilities(const CapabilitySets& sets);

}  // namespace berth::shim
