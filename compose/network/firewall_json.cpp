// The nftables JSON of Berth's firewall, built from a view of the current ruleset. Pure: no I/O,
// so every rule is unit-tested; firewall.cpp lists the ruleset, calls these and runs the result.
//
// Rules per network B (bridge) with subnet S, comment "berth net=<id>":
//   postrouting (nat)  ip saddr S oifname != B masquerade          egress (not on internal networks)
//                      oifname B ip saddr S ct status dnat masquerade   hairpin: a container reaching a
//                          published port of its own network through a host address must see the
//                          reply come from the gateway, not directly from the peer
//                      oifname B ip saddr 127.0.0.0/8 masquerade   host → 127.0.0.1:port DNATed to
//                          the bridge: the container cannot answer 127.0.0.1 (route_localnet on B
//                          lets the kernel route such packets at all; firewall.cpp sets it)
//   forward (filter)   iifname B oifname "berth-*" oifname != B drop   isolation between networks
//                      oifname B iifname != B ct state ! established,related ct status ! dnat drop
//                          nothing from outside the network enters B but replies and published
//                          ports: a LAN host routing S via this host reached every port of every
//                          container (Docker 28 closed the same hole). One drop rule, not accepts,
//                          because all networks share the chain and an accept would end it before
//                          another network's drop rule (the result would depend on creation order).
//                      internal: iifname B oifname != B drop; oifname B iifname != B drop
//   raw (filter, prerouting -300, before conntrack and NAT)
//                      iifname B ip saddr 127.0.0.0/8 drop   route_localnet turns the kernel's
//                          martian-source check off on B: a container could send as 127.0.0.x to
//                          host services that trust loopback sources
//   ip filter FORWARD  iifname B accept; oifname B ct state established,related accept;
//                      oifname B ct status dnat accept    (only when that chain exists: Docker's
//                          policy DROP would otherwise drop egress and published-port traffic)
// One rule shared by all networks, comment "berth host", in raw: present while a network exists.
//   iifname != "lo" ip daddr 127.0.0.0/8 drop   packets to 127.0.0.0/8 only ever come from lo. On
//       other interfaces the kernel drops them as martians, but only at routing, after the nat
//       hook: a LAN host sending to 127.0.0.1:P through this host's MAC was DNATed to a port
//       published on 127.0.0.1 only (moby #45610). Also covers B itself, where route_localnet
//       would let a container reach services bound to the host's 127.0.0.1 (CVE-2020-8558).
//       Replies to masqueraded host → 127.0.0.1 connections carry the gateway address on the wire
//       until the nat hook, so they pass. Docker drops per published port; the whole range is
//       the same protection without a rule per port, and also covers ports published on
//       0.0.0.0, which answer on 127.0.0.1 too.
// Rules per endpoint, comment "berth ctr=<id> net=<id>", in prerouting and output (nat):
//   [ip daddr H | fib daddr type local] tcp|udp dport P dnat ip to A:CP
#include <arpa/inet.h>

#include <algorithm>
#include <set>
#include <stdexcept>

#include "compose/network/firewall.hpp"

namespace berth::network::nft {
namespace {

using nlohmann::json;

constexpr const char* kFamily = "inet";
constexpr const char* kTable = "berth";

struct ChainSpec {
  const char* name;
  const char* type;
  const char* hook;
  int prio;
};
constexpr ChainSpec kPrerouting{"prerouting", "nat", "prerouting", -100};
constexpr ChainSpec kOutput{"output", "nat", "output", -100};
constexpr ChainSpec kPostrouting{"postrouting", "nat", "postrouting", 100};
constexpr ChainSpec kForward{"forward", "filter", "forward", 0};
constexpr ChainSpec kRaw{"raw", "filter", "prerouting", -300};  // NF_IP_PRI_RAW

json match(json left, json right, const char* op = "==") {
  return {{"match", {{"op", op}, {"left", std::move(left)}, {"right", std::move(right)}}}};
}
json meta(const char* key) { return {{"meta", {{"key", key}}}}; }
json payload(const std::string& protocol, const char* field) {
  return {{"payload", {{"protocol", protocol}, {"field", field}}}};
}
json verdict(const char* name) { return {{name, nullptr}}; }

bool is_ipv4(const std::string& text) {
  in_addr addr{};
  return inet_pton(AF_INET, text.c_str(), &addr) == 1;
}

/// "10.89.0.0/24" → {"prefix": {"addr": "10.89.0.0", "len": 24}}; refuses anything but IPv4.
json prefix(const std::string& cidr) {
  auto slash = cidr.find('/');
  std::string addr = cidr.substr(0, slash);
  int len = 32;
  if (slash != std::string::npos) {
    try {
      size_t used = 0;
      len = std::stoi(cidr.substr(slash + 1), &used);
      if (used != cidr.size() - slash - 1) len = -1;
    } catch (const std::exception&) {
      len = -1;
    }
  }
  if (!is_ipv4(addr) || len < 0 || len > 32) {
    throw std::invalid_argument("firewall: not an IPv4 subnet: `" + cidr + "`");
  }
  return {{"prefix", {{"addr", addr}, {"len", len}}}};
}

json table_object() { return {{"family", kFamily}, {"name", kTable}}; }

json add_chain(const ChainSpec& chain) {
  return {{"add",
           {{"chain",
             {{"family", kFamily},
              {"table", kTable},
              {"name", chain.name},
              {"type", chain.type},
              {"hook", chain.hook},
              {"prio", chain.prio},
              {"policy", "accept"}}}}}};
}

json add_rule(const std::string& family, const std::string& table, const std::string& chain, const std::string& comment,
              json expr) {
  return {
      {"add",
       {{"rule",
         {{"family", family}, {"table", table}, {"chain", chain}, {"comment", comment}, {"expr", std::move(expr)}}}}}};
}
json add_berth_rule(const ChainSpec& chain, const std::string& comment, json expr) {
  return add_rule(kFamily, kTable, chain.name, comment, std::move(expr));
}

json delete_rule(const RuleRef& rule) {
  return {
      {"delete",
       {{"rule", {{"family", rule.family}, {"table", rule.table}, {"chain", rule.chain}, {"handle", rule.handle}}}}}};
}

using CommentPredicate = bool (*)(const std::string& comment, const std::string& a, const std::string& b);

bool starts_with(const std::string& text, const std::string& prefix_text) {
  return text.compare(0, prefix_text.size(), prefix_text) == 0;
}
bool ends_with(const std::string& text, const std::string& suffix) {
  return text.size() >= suffix.size() && text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

/// Network `a`'s own rules and every endpoint rule on it.
bool owned_by_network(const std::string& comment, const std::string& a, const std::string&) {
  return comment == network_comment(a) || (starts_with(comment, "berth ctr=") && ends_with(comment, " net=" + a));
}
/// Container `a`'s rules on network `b` ("" = any network).
bool owned_by_endpoint(const std::string& comment, const std::string& a, const std::string& b) {
  if (!b.empty()) return comment == endpoint_comment(a, b);
  return starts_with(comment, "berth ctr=" + a + " net=");
}

/// Deletes the matching rules; when `tidy`, also the shared rules once no network rule is left,
/// chains left without rules and, when no rule but shared ones is left in table inet berth, the
/// table instead (which takes its chains and the shared rules with it).
void append_deletions(json& commands, const RulesetView& view, CommentPredicate owned, const std::string& a,
                      const std::string& b, bool tidy) {
  std::set<std::string> chains_with_rules;
  std::vector<json> berth_deletes;
  std::vector<const RuleRef*> shared;
  bool table_needed = false;   // a rule that is neither deleted nor shared stays
  bool networks_left = false;  // ... and it belongs to a network
  for (const auto& rule : view.berth_rules) {
    if (owned(rule.comment, a, b)) {
      berth_deletes.push_back(delete_rule(rule));
    } else if (rule.comment == host_comment()) {
      shared.push_back(&rule);
    } else {
      chains_with_rules.insert(rule.chain);
      table_needed = true;
      networks_left = networks_left || starts_with(rule.comment, network_comment(""));
    }
  }
  for (const auto& rule : view.filter_rules) {
    if (owned(rule.comment, a, b)) commands.push_back(delete_rule(rule));
  }
  if (tidy && view.berth_table && !table_needed) {
    commands.push_back({{"delete", {{"table", table_object()}}}});
    return;
  }
  for (auto& command : berth_deletes) commands.push_back(std::move(command));
  for (const RuleRef* rule : shared) {
    if (tidy && !networks_left) {
      commands.push_back(delete_rule(*rule));
    } else {
      chains_with_rules.insert(rule->chain);
    }
  }
  if (!tidy) return;
  for (const auto& chain : view.berth_chains) {
    if (chains_with_rules.count(chain) == 0) {
      commands.push_back({{"delete", {{"chain", {{"family", kFamily}, {"table", kTable}, {"name", chain}}}}}});
    }
  }
}

json transaction(json commands) { return {{"nftables", std::move(commands)}}; }

}  // namespace

std::string network_comment(const std::string& network_id) { return "berth net=" + network_id; }

std::string host_comment() { return "berth host"; }

std::string endpoint_comment(const std::string& container_id, const std::string& network_id) {
  return "berth ctr=" + container_id + " net=" + network_id;
}

json add_network_commands(const FirewallNetwork& network, const RulesetView& view) {
  if (network.id.empty() || network.bridge.empty()) {
    throw std::invalid_argument("firewall: network without id or bridge");
  }
  const std::string comment = network_comment(network.id);
  const std::string& bridge = network.bridge;
  const json subnet = prefix(network.subnet);
  const json loopback = prefix("127.0.0.0/8");

  json commands = json::array();
  // Only this network's own rules: its endpoints' DNAT rules stay.
  append_deletions(
      commands, view,
      [](const std::string& c, const std::string& id, const std::string&) { return c == network_comment(id); },
      network.id, "", false);
  commands.push_back({{"add", {{"table", table_object()}}}});
  for (const auto* chain : {&kPostrouting, &kForward, &kRaw}) commands.push_back(add_chain(*chain));
  const bool has_host_rule = std::any_of(view.berth_rules.begin(), view.berth_rules.end(),
                                         [](const RuleRef& r) { return r.comment == host_comment(); });
  if (!has_host_rule) {
    commands.push_back(
        add_berth_rule(kRaw, host_comment(),
                       {match(meta("iifname"), "lo", "!="), match(payload("ip", "daddr"), loopback), verdict("drop")}));
  }

  if (!network.internal) {
    commands.push_back(add_berth_rule(
        kPostrouting, comment,
        {match(payload("ip", "saddr"), subnet), match(meta("oifname"), bridge, "!="), verdict("masquerade")}));
  }
  commands.push_back(add_berth_rule(kPostrouting, comment,
                                    {match(meta("oifname"), bridge), match(payload("ip", "saddr"), subnet),
                                     match({{"ct", {{"key", "status"}}}}, "dnat", "in"), verdict("masquerade")}));
  commands.push_back(
      add_berth_rule(kPostrouting, comment,
                     {match(meta("oifname"), bridge), match(payload("ip", "saddr"), loopback), verdict("masquerade")}));

  commands.push_back(add_berth_rule(kForward, comment,
                                    {match(meta("iifname"), bridge), match(meta("oifname"), "berth-*"),
                                     match(meta("oifname"), bridge, "!="), verdict("drop")}));
  if (network.internal) {
    commands.push_back(add_berth_rule(
        kForward, comment, {match(meta("iifname"), bridge), match(meta("oifname"), bridge, "!="), verdict("drop")}));
    commands.push_back(add_berth_rule(
        kForward, comment, {match(meta("oifname"), bridge), match(meta("iifname"), bridge, "!="), verdict("drop")}));
  } else {
    // "!" on a flag set is "none of these bits" (ct state & (established|related) == 0);
    // "!=" would compare the whole value.
    commands.push_back(
        add_berth_rule(kForward, comment,
                       {match(meta("oifname"), bridge), match(meta("iifname"), bridge, "!="),
                        match({{"ct", {{"key", "state"}}}}, json::array({"established", "related"}), "!"),
                        match({{"ct", {{"key", "status"}}}}, "dnat", "!"), verdict("drop")}));
  }
  commands.push_back(add_berth_rule(
      kRaw, comment, {match(meta("iifname"), bridge), match(payload("ip", "saddr"), loopback), verdict("drop")}));

  if (view.filter_forward) {
    const json ct_state = {{"ct", {{"key", "state"}}}};
    const json ct_status = {{"ct", {{"key", "status"}}}};
    for (json expr :
         {json::array({match(meta("iifname"), bridge), verdict("accept")}),
          json::array({match(meta("oifname"), bridge), match(ct_state, json::array({"established", "related"}), "in"),
                       verdict("accept")}),
          json::array({match(meta("oifname"), bridge), match(ct_status, "dnat", "in"), verdict("accept")})}) {
      commands.push_back(add_rule("ip", "filter", "FORWARD", comment, std::move(expr)));
    }
  }
  return transaction(std::move(commands));
}

json add_endpoint_commands(const FirewallEndpoint& endpoint, const RulesetView& view) {
  if (endpoint.container_id.empty() || endpoint.network_id.empty()) {
    throw std::invalid_argument("firewall: endpoint without container or network id");
  }
  if (!is_ipv4(endpoint.address)) {
    throw std::invalid_argument("firewall: container " + endpoint.container_id + ": not an IPv4 address: `" +
                                endpoint.address + "`");
  }
  const std::string comment = endpoint_comment(endpoint.container_id, endpoint.network_id);
  json commands = json::array();
  // An endpoint without ports owns no rules: tidy up as a removal would.
  append_deletions(commands, view, owned_by_endpoint, endpoint.container_id, endpoint.network_id,
                   endpoint.ports.empty());
  if (endpoint.ports.empty()) return transaction(std::move(commands));

  commands.push_back({{"add", {{"table", table_object()}}}});
  commands.push_back(add_chain(kPrerouting));
  commands.push_back(add_chain(kOutput));
  for (const auto& port : endpoint.ports) {
    if (port.protocol != "tcp" && port.protocol != "udp") {
      throw std::invalid_argument("firewall: container " + endpoint.container_id + ": unsupported protocol `" +
                                  port.protocol + "`");
    }
    if (port.host_port == 0 || port.container_port == 0) {
      throw std::invalid_argument("firewall: container " + endpoint.container_id + ": port 0 cannot be published");
    }
    json destination;
    if (port.host_ip.empty() || port.host_ip == "0.0.0.0" || port.host_ip == "::") {
      // Every local address, 127.0.0.1 included; not traffic merely routed through the host.
      destination = match({{"fib", {{"result", "type"}, {"flags", json::array({"daddr"})}}}}, "local");
    } else if (is_ipv4(port.host_ip)) {
      destination = match(payload("ip", "daddr"), port.host_ip);
    } else {
      throw std::invalid_argument("firewall: container " + endpoint.container_id + ": host address is not IPv4: `" +
                                  port.host_ip + "`");
    }
    json expr = {destination,
                 match(payload(port.protocol, "dport"), port.host_port),
                 {{"dnat", {{"family", "ip"}, {"addr", endpoint.address}, {"port", port.container_port}}}}};
    commands.push_back(add_berth_rule(kPrerouting, comment, expr));
    commands.push_back(add_berth_rule(kOutput, comment, expr));
  }
  return transaction(std::move(commands));
}

json remove_network_commands(const std::string& network_id, const RulesetView& view) {
  json commands = json::array();
  append_deletions(commands, view, owned_by_network, network_id, "", true);
  return transaction(std::move(commands));
}

json remove_endpoint_commands(const std::string& container_id, const std::string& network_id, const RulesetView& view) {
  json commands = json::array();
  append_deletions(commands, view, owned_by_endpoint, container_id, network_id, true);
  return transaction(std::move(commands));
}

}  // namespace berth::network::nft
