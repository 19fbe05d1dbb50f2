// services.*.ports: short syntax -> one long-syntax object per container port.
//
// The short syntax is parsed like docker/go-connections nat.ParsePortSpec, which compose-go uses:
//   [[host_ip:]published:]target[/protocol]
// split at ':' from the right (so a bare IPv6 host ip such as ::1 works, and [::1] loses its
// brackets); each side is a port or a range "a-b" of 16-bit numbers; ranges of different sizes are
// only allowed when the target is a single port (the published side is then a range to pick from
// and stays "a-b"). The results are ordered like compose-go orders them: by the string "port/proto",
// i.e. lexicographically ("10000" before "9999" in a range crossing a digit boundary).
// Numbers become {target}; long-syntax objects get mode ingress and protocol tcp by default and
// their `published` as a string.
#include <arpa/inet.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <stdexcept>
#include <utility>

#include "compose/loader/json_text.hpp"
#include "compose/loader/normalize_detail.hpp"

namespace berth::loader {

namespace {

struct PortRange {
  uint64_t start = 0;
  uint64_t end = 0;
};

std::optional<uint64_t> parse_port_number(std::string_view s) {
  uint64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc() || end != s.data() + s.size() || v > 65535) return std::nullopt;
  return v;
}

/// "80" or "8000-8010"; throws with `what` ("container port", "published port") in the message.
PortRange parse_port_range(std::string_view text, const std::string& spec, const char* what) {
  auto fail = [&](const std::string& why) {
    return std::invalid_argument("invalid port \"" + spec + "\": " + what + " \"" + std::string(text) + "\" " + why);
  };
  auto dash = text.find('-');
  if (dash == std::string_view::npos) {
    auto v = parse_port_number(text);
    if (!v) throw fail("is not a port number (0-65535)");
    return {*v, *v};
  }
  auto start = parse_port_number(text.substr(0, dash));
  auto end = parse_port_number(text.substr(dash + 1));
  if (!start || !end) throw fail("is not a port range such as 8000-8010");
  if (*end < *start) throw fail("is a reversed range");
  return {*start, *end};
}

bool is_ip_address(const std::string& ip) {
  unsigned char buf[16];
  return inet_pton(AF_INET, ip.c_str(), buf) == 1 || inet_pton(AF_INET6, ip.c_str(), buf) == 1;
}

}  // namespace

std::vector<nlohmann::json> parse_port_spec(const std::string& spec) {
  // Split at ':' from the right: target, then published, then everything before is the host ip.
  std::string ip, published, target = spec;
  auto last = spec.rfind(':');
  if (last != std::string::npos) {
    target = spec.substr(last + 1);
    std::string head = spec.substr(0, last);
    auto prev = head.rfind(':');
    if (prev == std::string::npos) {
      published = head;
    } else {
      published = head.substr(prev + 1);
      ip = head.substr(0, prev);
    }
  }
  std::string protocol = "tcp";
  if (auto slash = target.find('/'); slash != std::string::npos) {
    protocol = target.substr(slash + 1);
    target.resize(slash);
    std::transform(protocol.begin(), protocol.end(), protocol.begin(), [](unsigned char c) { return std::tolower(c); });
    if (protocol.empty()) protocol = "tcp";
  }
  if (target.empty()) throw std::invalid_argument("invalid port \"" + spec + "\": no container port");
  if (protocol != "tcp" && protocol != "udp" && protocol != "sctp") {
    throw std::invalid_argument("invalid port \"" + spec + "\": protocol \"" + protocol + "\" is not tcp, udp or sctp");
  }
  if (!ip.empty() && ip.front() == '[') {
    if (ip.size() < 2 || ip.back() != ']' || ip.find_first_of("[]", 1) != ip.size() - 1) {
      throw std::invalid_argument("invalid port \"" + spec + "\": malformed bracketed host ip \"" + ip + "\"");
    }
    ip = ip.substr(1, ip.size() - 2);
  }
  if (!ip.empty() && !is_ip_address(ip)) {
    throw std::invalid_argument("invalid port \"" + spec + "\": host ip \"" + ip + "\" is not an IPv4 or IPv6 address");
  }
  PortRange container = parse_port_range(target, spec, "container port");
  PortRange host;
  if (!published.empty()) {
    host = parse_port_range(published, spec, "published port");
    if (container.end - container.start != host.end - host.start && container.end != container.start) {
      throw std::invalid_argument("invalid port \"" + spec + "\": published range " + published +
                                  " and container range " + target + " have different sizes");
    }
  }

  std::vector<std::pair<std::string, nlohmann::json>> keyed;
  uint64_t count = container.end - container.start + 1;
  for (uint64_t i = 0; i < count; ++i) {
    nlohmann::json port = nlohmann::json::object();
    port["mode"] = "ingress";
    if (!ip.empty()) port["host_ip"] = ip;
    port["target"] = container.start + i;
    if (!published.empty()) {
      std::string p = std::to_string(host.start + i);
      if (count == 1 && host.start != host.end) p += "-" + std::to_string(host.end);
      port["published"] = p;
    }
    port["protocol"] = protocol;
    keyed.emplace_back(std::to_string(container.start + i) + "/" + protocol, std::move(port));
  }
  std::stable_sort(keyed.begin(), keyed.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<nlohmann::json> out;
  out.reserve(keyed.size());
  for (auto& [key, port] : keyed) out.push_back(std::move(port));
  return out;
}

namespace detail {

void normalize_ports(json& service, const Context& ctx, const Pointer& at) {
  json* ports = member(service, "ports");
  if (ports == nullptr || !ports->is_array()) return;
  json out = json::array();
  for (size_t i = 0; i < ports->size(); ++i) {
    json& entry = (*ports)[i];
    const Pointer here = at / "ports" / i;
    if (entry.is_number_integer() || entry.is_number_unsigned()) {
      out.push_back({{"mode", "ingress"}, {"target", entry}, {"protocol", "tcp"}});
    } else if (entry.is_string()) {
      try {
        for (auto& port : parse_port_spec(entry.get<std::string>())) out.push_back(std::move(port));
      } catch (const std::invalid_argument& e) {
        if (ctx.uninterpolated(here)) return;  // compose-go keeps the whole list as written
        ctx.error(here, e.what());
        out.push_back(entry);
      }
    } else if (entry.is_object()) {
      if (!entry.contains("mode")) entry["mode"] = "ingress";
      if (!entry.contains("protocol")) entry["protocol"] = "tcp";
      if (json* published = member(entry, "published"); published && published->is_number()) {
        *published = go_sprint(*published);
      }
      if (json* target = member(entry, "target"); target && target->is_string()) {
        auto n = parse_port_number(target->get<std::string>());
        if (n)
          *target = *n;
        else
          ctx.error(here / "target", "invalid port target \"" + target->get<std::string>() + "\": not a port number");
      }
      out.push_back(std::move(entry));
    } else {
      ctx.error(here,
                "invalid port " + json_text(entry) + ": expected a number, a string such as \"8080:80\" or a mapping");
      out.push_back(entry);
    }
  }
  *ports = std::move(out);
}

}  // namespace detail

}  // namespace berth::loader
