// Capabilities with libcap. Order matters, as in runc: the bounding set is dropped while the
// process still has CAP_SETPCAP; PR_SET_KEEPCAPS keeps the permitted set across setuid() away from
// root (which otherwise clears it); then capset() sets the three sets, and the ambient set is
// raised last (each ambient capability must already be permitted and inheritable).
// After execve() the kernel recomputes the sets: for uid 0 permitted becomes bounding|inheritable,
// for another uid it is empty unless ambient, which is why Docker's non-root containers show
// CapEff 0 with the same configuration. Capabilities outside the shim's own bounding set can't be
// granted (capset fails): they are left out with a warning.
#include "runtime-shim/container/capabilities.hpp"

#include <sys/capability.h>
#include <sys/prctl.h>

#include <cctype>
#include <stdexcept>

#include "common/sys_error.hpp"

namespace berth::shim {

namespace {

/// cap_from_name for "CAP_CHOWN" or "chown"; -1 when unknown.
int cap_number(const std::string& name) {
  std::string lower;
  for (char c : name) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (lower.rfind("cap_", 0) != 0) lower = "cap_" + lower;
  cap_value_t v;
  if (cap_from_name(lower.c_str(), &v) != 0) return -1;
  return v;
}

uint64_t to_mask(const std::vector<std::string>& names, const char* set, std::vector<std::string>& warnings) {
  const int last = last_capability();
  uint64_t mask = 0;
  for (const std::string& n : names) {
    int v = cap_number(n);
    if (v < 0) throw std::runtime_error(std::string("capabilities.") + set + ": unknown capability \"" + n + "\"");
    if (v > last) {
      warnings.push_back("capability " + n + " is not supported by this kernel: left out");
      continue;
    }
    if (cap_get_bound(v) != 1) {  // e.g. CAP_SYS_RESOURCE on hosts that drop it: capset would fail
      warnings.push_back("capability " + n + " is not in berth-shim's own bounding set: left out");
      continue;
    }
    mask |= uint64_t{1} << v;
  }
  return mask;
}

cap_t make_caps(const CapabilitySets& s) {
  cap_t caps = cap_init();
  if (!caps) throw_errno("cap_init");
  for (int v = 0; v <= last_capability(); ++v) {
    cap_value_t value = v;
    uint64_t bit = uint64_t{1} << v;
    if (s.effective & bit) cap_set_flag(caps, CAP_EFFECTIVE, 1, &value, CAP_SET);
    if (s.permitted & bit) cap_set_flag(caps, CAP_PERMITTED, 1, &value, CAP_SET);
    if (s.inheritable & bit) cap_set_flag(caps, CAP_INHERITABLE, 1, &value, CAP_SET);
  }
  return caps;
}

}  // namespace

const std::vector<std::string>& docker_default_capabilities() {
  static const std::vector<std::string> list = {
      "CAP_CHOWN",   "CAP_DAC_OVERRIDE", "CAP_FSETID",           "CAP_FOWNER",
      "CAP_MKNOD",   "CAP_NET_RAW",      "CAP_SETGID",           "CAP_SETUID",
      "CAP_SETFCAP", "CAP_SETPCAP",      "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT",
      "CAP_KILL",    "CAP_AUDIT_WRITE"};
  return list;
}

int last_capability() {
  static const int last = static_cast<int>(cap_max_bits()) - 1;
  return last;
}

CapabilitySets plan_capabilities(const Capabilities& caps, bool given, std::vector<std::string>& warnings) {
  CapabilitySets s;
  const bool empty = caps.bounding.empty() && caps.effective.empty() && caps.inheritable.empty() &&
                     caps.permitted.empty() && caps.ambient.empty();
  if (!given && empty) {
    s.bounding = s.effective = s.permitted = to_mask(docker_default_capabilities(), "default", warnings);
    return s;
  }
  s.bounding = to_mask(caps.bounding, "bounding", warnings);
  s.effective = to_mask(caps.effective, "effective", warnings);
  s.inheritable = to_mask(caps.inheritable, "inheritable", warnings);
  s.permitted = to_mask(caps.permitted, "permitted", warnings);
  s.ambient = to_mask(caps.ambient, "ambient", warnings);
  return s;
}

CapabilitySets all_capabilities() {
  CapabilitySets s;
  uint64_t all = 0;
  for (int v = 0; v <= last_capability(); ++v)
    if (cap_get_bound(v) == 1) all |= uint64_t{1} << v;
  s.bounding = s.effective = s.permitted = all;
  return s;
}

std::vector<std::string> capability_names(uint64_t mask) {
  std::vector<std::string> out;
  for (int v = 0; v < 64; ++v) {
    if (!(mask & (uint64_t{1} << v))) continue;
    char* name = cap_to_name(v);
    std::string upper;
    for (const char* p = name; p && *p; ++p) upper += static_cast<char>(std::toupper(static_cast<unsigned char>(*p)));
    cap_free(name);
    out.push_back(upper);
  }
  return out;
}

void drop_bounding_set(const CapabilitySets& s) {
  for (int v = 0; v <= last_capability(); ++v) {
    if (s.bounding & (uint64_t{1} << v)) continue;
    if (cap_drop_bound(v) != 0 && errno != EINVAL)
      throw_errno("drop capability " + capability_names(uint64_t{1} << v).front() + " from the bounding set");
  }
  if (::prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) != 0) throw_errno("prctl(PR_SET_KEEPCAPS)");
}

void apply_capabilities(const CapabilitySets& s) {
  if (::prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) != 0) throw_errno("prctl(PR_SET_KEEPCAPS, 0)");
  cap_t caps = make_caps(s);
  int rc = cap_set_proc(caps);
  int err = errno;
  cap_free(caps);
  if (rc != 0) throw SysError("capset (effective must be within permitted, permitted within bounding)", err);
  if (cap_reset_ambient() != 0 && errno != EINVAL) throw_errno("reset the ambient capabilities");
  for (int v = 0; v <= last_capability(); ++v) {
    if (!(s.ambient & (uint64_t{1} << v))) continue;
    if (cap_set_ambient(v, CAP_SET) != 0)
      throw_errno("raise ambient capability " + capability_names(uint64_t{1} << v).front() +
                  " (it must also be permitted and inheritable)");
  }
}

}  // namespace berth::shim
