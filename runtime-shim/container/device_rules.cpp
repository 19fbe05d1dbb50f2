// Device cgroup rules as data. The v1 devices controller (security/device_cgroup.c) keeps, per
// cgroup, a default behaviour and a list of exceptions; a write to devices.allow/deny edits them:
// "a" resets the default and empties the list, a rule against the default adds an exception
// (merging access letters into one with the same type:major:minor), a rule in line with the
// default removes letters from exactly that exception. resolve_device_policy() replays that, so
// the BPF program built for cgroup v2 from its result enforces what v1 would, as runc's
// devicefilter does with its emulator.
// The always-allowed list is runc's (libcontainer/specconv AllowedDevices): Docker relies on it
// for ptmx and the pty slaves, which its own default list (oci/defaults.go) does not name.
#include "runtime-shim/container/device_rules.hpp"

#include <algorithm>

namespace berth::shim {

namespace {

unsigned access_bits(const std::string& access) {
  unsigned bits = 0;
  for (char c : access) bits |= c == 'r' ? 1u : c == 'w' ? 2u : c == 'm' ? 4u : 0u;
  return bits;
}

std::string access_text(unsigned bits) {
  std::string out;
  if (bits & 1u) out += 'r';
  if (bits & 2u) out += 'w';
  if (bits & 4u) out += 'm';
  return out;
}

bool same_device(const DeviceRule& a, const DeviceRule& b) {
  return a.type == b.type && a.major == b.major && a.minor == b.minor;
}

bool matches(int64_t rule, int64_t value) { return rule < 0 || rule == value; }

}  // namespace

const std::vector<DeviceRule>& always_allowed_devices() {
  static const std::vector<DeviceRule> rules = {
      {true, 'c', -1, -1, "m"},    {true, 'b', -1, -1, "m"},  // mknod of any device
      {true, 'c', 1, 3, "rwm"},                               // null
      {true, 'c', 1, 8, "rwm"},                               // random
      {true, 'c', 1, 7, "rwm"},                               // full
      {true, 'c', 5, 0, "rwm"},                               // tty
      {true, 'c', 1, 5, "rwm"},                               // zero
      {true, 'c', 1, 9, "rwm"},                               // urandom
      {true, 'c', 136, -1, "rwm"},                            // /dev/pts/*
      {true, 'c', 5, 2, "rwm"},                               // ptmx
  };
  return rules;
}

std::vector<DeviceRule> container_device_rules(const std::vector<DeviceRule>& configured) {
  std::vector<DeviceRule> rules;
  rules.push_back({false, 'a', -1, -1, "rwm"});
  rules.insert(rules.end(), configured.begin(), configured.end());
  rules.insert(rules.end(), always_allowed_devices().begin(), always_allowed_devices().end());
  return rules;
}

std::string v1_rule_line(const DeviceRule& rule) {
  if (rule.type == 'a') return "a";
  auto number = [](int64_t n) { return n < 0 ? std::string("*") : std::to_string(n); };
  return std::string(1, rule.type) + " " + number(rule.major) + ":" + number(rule.minor) + " " +
         access_text(access_bits(rule.access));
}

DevicePolicy resolve_device_policy(const std::vector<DeviceRule>& rules) {
  DevicePolicy policy;
  for (const DeviceRule& rule : rules) {
    if (rule.type == 'a') {
      policy.default_allow = rule.allow;
      policy.exceptions.clear();
      continue;
    }
    const unsigned bits = access_bits(rule.access);
    auto it = std::find_if(policy.exceptions.begin(), policy.exceptions.end(),
                           [&](const DeviceRule& e) { return same_device(e, rule); });
    if (rule.allow != policy.default_allow) {
      if (it == policy.exceptions.end()) {
        DeviceRule e = rule;
        e.access = access_text(bits);
        policy.exceptions.push_back(e);
      } else {
        it->access = access_text(access_bits(it->access) | bits);
      }
    } else if (it != policy.exceptions.end()) {
      const unsigned left = access_bits(it->access) & ~bits;
      if (left == 0)
        policy.exceptions.erase(it);
      else
        it->access = access_text(left);
    }
  }
  return policy;
}

bool device_allowed(const DevicePolicy& policy, char type, int64_t major, int64_t minor, const std::string& access) {
  const unsigned want = access_bits(access);
  for (const DeviceRule& e : policy.exceptions) {
    if (e.type != type || !matches(e.major, major) || !matches(e.minor, minor)) continue;
    const unsigned has = access_bits(e.access);
    if (policy.default_allow && (want & has) != 0) return false;
    if (!policy.default_allow && (want & ~has) == 0) return true;
  }
  return policy.default_allow;
}

}  // namespace berth::shim
