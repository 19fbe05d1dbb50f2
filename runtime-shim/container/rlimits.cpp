// Resource limits. The values are decided in the parent: the child inherits the shim's limits,
// so getrlimit() here tells what the child will be able to set. Without CAP_SYS_RESOURCE (this
// project's VMs drop it from the bounding set) a hard limit can only be lowered: a request above
// the current hard limit is clamped to it, and the soft limit to the new hard limit, with a
// warning — podman fails the container in that case, Docker's daemon has the capability.
#include "runtime-shim/container/rlimits.hpp"

#include <sys/capability.h>

#include <cctype>
#include <stdexcept>

#include "common/sys_error.hpp"

namespace berth::shim {

namespace {

struct Named {
  const char* name;
  int resource;
};

constexpr Named names[] = {
    {"RLIMIT_AS", RLIMIT_AS},           {"RLIMIT_CORE", RLIMIT_CORE},         {"RLIMIT_CPU", RLIMIT_CPU},
    {"RLIMIT_DATA", RLIMIT_DATA},       {"RLIMIT_FSIZE", RLIMIT_FSIZE},       {"RLIMIT_LOCKS", RLIMIT_LOCKS},
    {"RLIMIT_MEMLOCK", RLIMIT_MEMLOCK}, {"RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE}, {"RLIMIT_NICE", RLIMIT_NICE},
    {"RLIMIT_NOFILE", RLIMIT_NOFILE},   {"RLIMIT_NPROC", RLIMIT_NPROC},       {"RLIMIT_RSS", RLIMIT_RSS},
    {"RLIMIT_RTPRIO", RLIMIT_RTPRIO},   {"RLIMIT_RTTIME", RLIMIT_RTTIME},     {"RLIMIT_SIGPENDING", RLIMIT_SIGPENDING},
    {"RLIMIT_STACK", RLIMIT_STACK},
};

std::string show(rlim_t v) { return v == RLIM_INFINITY ? "unlimited" : std::to_string(v); }

}  // namespace

int rlimit_number(const std::string& name) {
  std::string upper;
  for (char c : name) upper += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (upper.rfind("RLIMIT_", 0) != 0) upper = "RLIMIT_" + upper;
  for (const Named& n : names)
    if (upper == n.name) return n.resource;
  return -1;
}

bool can_raise_rlimits() {
  cap_t caps = cap_get_proc();
  if (!caps) return false;
  cap_flag_value_t v = CAP_CLEAR;
  cap_get_flag(caps, CAP_SYS_RESOURCE, CAP_EFFECTIVE, &v);
  cap_free(caps);
  return v == CAP_SET;
}

std::vector<RlimitValue> plan_rlimits(const std::vector<Rlimit>& limits, bool can_raise,
                                      std::vector<std::string>& warnings) {
  std::vector<RlimitValue> out;
  for (const Rlimit& l : limits) {
    int resource = rlimit_number(l.type);
    if (resource < 0) throw std::runtime_error("rlimit \"" + l.type + "\": unknown resource");
    if (l.soft > l.hard)
      throw std::runtime_error("rlimit " + l.type + ": soft limit " + show(l.soft) + " exceeds hard limit " +
                               show(l.hard));
    RlimitValue v;
    v.resource = resource;
    v.name = l.type;
    v.value.rlim_cur = l.soft;
    v.value.rlim_max = l.hard;
    rlimit current{};
    if (::getrlimit(resource, &current) != 0) throw_errno("getrlimit " + l.type);
    if (!can_raise && current.rlim_max != RLIM_INFINITY && (l.hard == RLIM_INFINITY || l.hard > current.rlim_max)) {
      v.value.rlim_max = current.rlim_max;
      if (v.value.rlim_cur == RLIM_INFINITY || v.value.rlim_cur > v.value.rlim_max) v.value.rlim_cur = v.value.rlim_max;
      warnings.push_back("rlimit " + l.type + ": hard limit " + show(l.hard) + " is above the current hard limit " +
                         show(current.rlim_max) + " and CAP_SYS_RESOURCE is missing: clamped to soft " +
                         show(v.value.rlim_cur) + ", hard " + show(v.value.rlim_max));
    }
    out.push_back(v);
  }
  return out;
}

void apply_rlimits(const std::vector<RlimitValue>& values) {
  for (const RlimitValue& v : values)
    if (::setrlimit(v.resource, &v.value) != 0)
      throw_errno("setrlimit " + v.name + " (soft " + show(v.value.rlim_cur) + ", hard " + show(v.value.rlim_max) +
                  ")");
}

}  // namespace berth::shim
