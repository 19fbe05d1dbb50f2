// Unit tests of the firewall's JSON: which rules a network or endpoint gets, how they are tagged,
// and which handles a removal deletes (from a recorded-style `nft -j list` view).
#include <gtest/gtest.h>

#include <algorithm>
#include <stdexcept>
#include <string>
#include <vector>

#include "compose/network/firewall.hpp"

namespace berth::network {
namespace {

using nlohmann::json;

const std::string kCtr = std::string(64, 'c');

FirewallNetwork network(bool internal = false) {
  return {"0123456789ab", "berth-012345678", "10.89.3.0/24", "10.89.3.1", internal};
}

FirewallEndpoint endpoint(std::vector<PortMapping> ports) {
  return {kCtr, "0123456789ab", "berth-012345678", "10.89.3.2", std::move(ports)};
}

/// The commands of `verb` ("add"/"delete") on `kind` ("rule"/"chain"/"table").
std::vector<json> commands(const json& transaction, const std::string& verb, const std::string& kind) {
  std::vector<json> found;
  for (const auto& command : transaction.at("nftables")) {
    if (command.contains(verb) && command[verb].contains(kind)) found.push_back(command[verb][kind]);
  }
  return found;
}

std::vector<json> rules_in(const json& transaction, const std::string& table, const std::string& chain) {
  std::vector<json> found;
  for (const auto& rule : commands(transaction, "add", "rule")) {
    if (rule["table"] == table && rule["chain"] == chain) found.push_back(rule);
  }
  return found;
}

/// True when the rule's expression list contains `piece` (as a whole JSON value).
bool has(const json& rule, const json& piece) {
  for (const auto& expr : rule.at("expr")) {
    if (expr == piece) return true;
  }
  return false;
}

json match(json left, json right, const char* op = "==") {
  return {{"match", {{"op", op}, {"left", std::move(left)}, {"right", std::move(right)}}}};
}
json meta(const char* key) { return {{"meta", {{"key", key}}}}; }

TEST(FirewallJson, Comments) {
  EXPECT_EQ(nft::network_comment("0123456789ab"), "berth net=0123456789ab");
  EXPECT_EQ(nft::endpoint_comment("abc", "0123456789ab"), "berth ctr=abc net=0123456789ab");
}

const json kSaddr = {{"payload", {{"protocol", "ip"}, {"field", "saddr"}}}};
const json kDaddr = {{"payload", {{"protocol", "ip"}, {"field", "daddr"}}}};
const json kLoopback = {{"prefix", {{"addr", "127.0.0.0"}, {"len", 8}}}};

TEST(FirewallJson, NetworkRules) {
  const json tx = nft::add_network_commands(network(), {});
  ASSERT_EQ(commands(tx, "add", "table").size(), 1u);
  EXPECT_EQ(commands(tx, "add", "table")[0], (json{{"family", "inet"}, {"name", "berth"}}));
  std::vector<std::string> chains;
  for (const auto& chain : commands(tx, "add", "chain")) chains.push_back(chain["name"]);
  EXPECT_EQ(chains, (std::vector<std::string>{"postrouting", "forward", "raw"}));
  const auto raw_chain = commands(tx, "add", "chain")[2];
  EXPECT_EQ(raw_chain["hook"], "prerouting");
  EXPECT_EQ(raw_chain["prio"], -300) << "before conntrack and the nat hook";

  for (const auto& rule : commands(tx, "add", "rule")) {
    EXPECT_EQ(rule["family"], "inet");
    if (rule["chain"] != "raw" || rule["comment"] != "berth host") {
      EXPECT_EQ(rule["comment"], "berth net=0123456789ab");
    }
  }
  const auto post = rules_in(tx, "berth", "postrouting");
  ASSERT_EQ(post.size(), 3u);  // egress, hairpin, 127.0.0.0/8
  const json subnet = {{"prefix", {{"addr", "10.89.3.0"}, {"len", 24}}}};
  EXPECT_TRUE(has(post[0], match(kSaddr, subnet)));
  EXPECT_TRUE(has(post[0], match(meta("oifname"), "berth-012345678", "!=")));
  EXPECT_TRUE(has(post[0], json{{"masquerade", nullptr}}));
  EXPECT_TRUE(has(post[1], match({{"ct", {{"key", "status"}}}}, "dnat", "in")));
  EXPECT_TRUE(has(post[1], match(meta("oifname"), "berth-012345678")));
  EXPECT_TRUE(has(post[2], match(kSaddr, kLoopback)));

  const auto forward = rules_in(tx, "berth", "forward");
  ASSERT_EQ(forward.size(), 2u);  // isolation, nothing new into the bridge
  EXPECT_TRUE(has(forward[0], match(meta("oifname"), "berth-*")));
  EXPECT_TRUE(has(forward[0], json{{"drop", nullptr}}));
  // Into the bridge from elsewhere: only replies and DNATed (published-port) traffic. "!" is the
  // flag test (no bit set), "!=" would compare the whole ct state value and match everything.
  EXPECT_TRUE(has(forward[1], match(meta("oifname"), "berth-012345678")));
  EXPECT_TRUE(has(forward[1], match(meta("iifname"), "berth-012345678", "!=")));
  EXPECT_TRUE(has(forward[1], match({{"ct", {{"key", "state"}}}}, {"established", "related"}, "!")));
  EXPECT_TRUE(has(forward[1], match({{"ct", {{"key", "status"}}}}, "dnat", "!")));
  EXPECT_TRUE(has(forward[1], json{{"drop", nullptr}}));
  EXPECT_EQ(forward[1]["expr"].size(), 5u);

  const auto raw = rules_in(tx, "berth", "raw");
  ASSERT_EQ(raw.size(), 2u);
  // Shared: no packet to 127.0.0.0/8 from any interface but lo (before the nat hook DNATs it).
  EXPECT_EQ(raw[0]["comment"], "berth host");
  EXPECT_EQ(raw[0]["expr"],
            (json{match(meta("iifname"), "lo", "!="), match(kDaddr, kLoopback), json{{"drop", nullptr}}}));
  // The network's own: no 127.0.0.0/8 source from its bridge (route_localnet disables the
  // kernel's martian check there).
  EXPECT_EQ(raw[1]["comment"], "berth net=0123456789ab");
  EXPECT_EQ(raw[1]["expr"],
            (json{match(meta("iifname"), "berth-012345678"), match(kSaddr, kLoopback), json{{"drop", nullptr}}}));
  EXPECT_TRUE(rules_in(tx, "berth", "guard").empty()) << "the shared raw rule covers the old guard";
  EXPECT_TRUE(rules_in(tx, "filter", "FORWARD").empty());  // no ip filter FORWARD in the view
  EXPECT_TRUE(commands(tx, "delete", "rule").empty());
}

TEST(FirewallJson, HostRuleIsAddedOnlyOnce) {
  nft::RulesetView view;
  view.berth_table = true;
  view.berth_chains = {"forward", "postrouting", "raw"};
  view.berth_rules = {{"inet", "berth", "raw", 3, "berth host"}, {"inet", "berth", "raw", 4, "berth net=ffffffffffff"}};
  const json tx = nft::add_network_commands(network(), view);
  const auto raw = rules_in(tx, "berth", "raw");
  ASSERT_EQ(raw.size(), 1u);
  EXPECT_EQ(raw[0]["comment"], "berth net=0123456789ab");
  EXPECT_TRUE(commands(tx, "delete", "rule").empty()) << "another network's rules and the shared one stay";
}

TEST(FirewallJson, InternalNetworkHasNoEgressAndDropsForwarding) {
  const json tx = nft::add_network_commands(network(true), {});
  const auto post = rules_in(tx, "berth", "postrouting");
  ASSERT_EQ(post.size(), 2u);
  for (const auto& rule : post) {
    EXPECT_FALSE(has(rule, match(meta("oifname"), "berth-012345678", "!=")));
  }
  const auto forward = rules_in(tx, "berth", "forward");
  ASSERT_EQ(forward.size(), 3u);  // the drop of everything from outside covers the ct rule
  EXPECT_TRUE(has(forward[1], match(meta("iifname"), "berth-012345678")));
  EXPECT_TRUE(has(forward[1], match(meta("oifname"), "berth-012345678", "!=")));
  EXPECT_TRUE(has(forward[2], match(meta("oifname"), "berth-012345678")));
  EXPECT_TRUE(has(forward[2], match(meta("iifname"), "berth-012345678", "!=")));
  EXPECT_EQ(forward[2]["expr"].size(), 3u);
  EXPECT_EQ(rules_in(tx, "berth", "raw").size(), 2u);
}

TEST(FirewallJson, DockerForwardChainGetsAccepts) {
  nft::RulesetView view;
  view.filter_forward = true;
  const json tx = nft::add_network_commands(network(), view);
  const auto accepts = rules_in(tx, "filter", "FORWARD");
  ASSERT_EQ(accepts.size(), 3u);
  for (const auto& rule : accepts) {
    EXPECT_EQ(rule["family"], "ip");
    EXPECT_EQ(rule["comment"], "berth net=0123456789ab");
    EXPECT_TRUE(has(rule, json{{"accept", nullptr}}));
  }
  EXPECT_TRUE(has(accepts[0], match(meta("iifname"), "berth-012345678")));
  EXPECT_TRUE(has(accepts[1], match({{"ct", {{"key", "state"}}}}, {"established", "related"}, "in")));
}

TEST(FirewallJson, ReAddingANetworkReplacesOnlyItsOwnRules) {
  nft::RulesetView view;
  view.berth_table = true;
  view.berth_chains = {"forward", "postrouting", "prerouting"};
  view.berth_rules = {{"inet", "berth", "postrouting", 7, "berth net=0123456789ab"},
                      {"inet", "berth", "prerouting", 8, "berth ctr=" + kCtr + " net=0123456789ab"},
                      {"inet", "berth", "forward", 9, "berth net=ffffffffffff"}};
  view.filter_forward = true;
  view.filter_rules = {{"ip", "filter", "FORWARD", 30, "berth net=0123456789ab"}};
  const json tx = nft::add_network_commands(network(), view);
  const auto deleted = commands(tx, "delete", "rule");
  ASSERT_EQ(deleted.size(), 2u);
  EXPECT_EQ(deleted[0], (json{{"family", "ip"}, {"table", "filter"}, {"chain", "FORWARD"}, {"handle", 30}}));
  EXPECT_EQ(deleted[1], (json{{"family", "inet"}, {"table", "berth"}, {"chain", "postrouting"}, {"handle", 7}}));
  EXPECT_TRUE(commands(tx, "delete", "chain").empty());
  EXPECT_TRUE(commands(tx, "delete", "table").empty());
  // Deletions come before the additions in the one transaction.
  EXPECT_TRUE(tx["nftables"][0].contains("delete"));
}

TEST(FirewallJson, EndpointDnatPerPortAndHook) {
  const json tx = nft::add_endpoint_commands(endpoint({{"", 8080, 80, "tcp"}, {"127.0.0.1", 5353, 53, "udp"}}), {});
  std::vector<std::string> chains;
  for (const auto& chain : commands(tx, "add", "chain")) chains.push_back(chain["name"]);
  EXPECT_EQ(chains, (std::vector<std::string>{"prerouting", "output"}));
  for (const char* chain : {"prerouting", "output"}) {
    const auto rules = rules_in(tx, "berth", chain);
    ASSERT_EQ(rules.size(), 2u) << chain;
    for (const auto& rule : rules) EXPECT_EQ(rule["comment"], "berth ctr=" + kCtr + " net=0123456789ab");
    const json local = match({{"fib", {{"result", "type"}, {"flags", {"daddr"}}}}}, "local");
    EXPECT_TRUE(has(rules[0], local));
    EXPECT_TRUE(has(rules[0], match({{"payload", {{"protocol", "tcp"}, {"field", "dport"}}}}, 8080)));
    EXPECT_TRUE(has(rules[0], json{{"dnat", {{"family", "ip"}, {"addr", "10.89.3.2"}, {"port", 80}}}}));
    EXPECT_FALSE(has(rules[1], local));
    EXPECT_TRUE(has(rules[1], match({{"payload", {{"protocol", "ip"}, {"field", "daddr"}}}}, "127.0.0.1")));
    EXPECT_TRUE(has(rules[1], match({{"payload", {{"protocol", "udp"}, {"field", "dport"}}}}, 5353)));
    EXPECT_TRUE(has(rules[1], json{{"dnat", {{"family", "ip"}, {"addr", "10.89.3.2"}, {"port", 53}}}}));
  }
}

TEST(FirewallJson, EndpointWithoutPortsOnlyRemoves) {
  nft::RulesetView view;
  view.berth_table = true;
  view.berth_chains = {"output", "postrouting", "prerouting"};
  view.berth_rules = {{"inet", "berth", "prerouting", 4, "berth ctr=" + kCtr + " net=0123456789ab"},
                      {"inet", "berth", "output", 5, "berth ctr=" + kCtr + " net=0123456789ab"},
                      {"inet", "berth", "postrouting", 6, "berth net=0123456789ab"}};
  const json tx = nft::add_endpoint_commands(endpoint({}), view);
  EXPECT_EQ(commands(tx, "delete", "rule").size(), 2u);
  EXPECT_TRUE(commands(tx, "add", "rule").empty());
  std::vector<std::string> chains;
  for (const auto& chain : commands(tx, "delete", "chain")) chains.push_back(chain["name"]);
  EXPECT_EQ(chains, (std::vector<std::string>{"output", "prerouting"}));
  EXPECT_TRUE(nft::add_endpoint_commands(endpoint({}), {})["nftables"].empty());
}

TEST(FirewallJson, RefusesWhatItCannotExpress) {
  EXPECT_THROW(nft::add_endpoint_commands(endpoint({{"::1", 80, 80, "tcp"}}), {}), std::invalid_argument);
  EXPECT_THROW(nft::add_endpoint_commands(endpoint({{"", 80, 80, "sctp"}}), {}), std::invalid_argument);
  EXPECT_THROW(nft::add_endpoint_commands(endpoint({{"", 0, 80, "tcp"}}), {}), std::invalid_argument);
  auto bad = endpoint({{"", 80, 80, "tcp"}});
  bad.address = "fd00::2";
  EXPECT_THROW(nft::add_endpoint_commands(bad, {}), std::invalid_argument);
  auto net = network();
  net.subnet = "10.89.3.0/33";
  EXPECT_THROW(nft::add_network_commands(net, {}), std::invalid_argument);
  net.subnet = "10.89.3.0/24x";
  EXPECT_THROW(nft::add_network_commands(net, {}), std::invalid_argument);
  // "::" means every address, like "" and "0.0.0.0".
  EXPECT_NO_THROW(nft::add_endpoint_commands(endpoint({{"::", 80, 80, "tcp"}}), {}));
}

nft::RulesetView two_networks_view() {
  const std::string other(64, 'd');
  nft::RulesetView view;
  view.berth_table = true;
  view.berth_chains = {"forward", "output", "postrouting", "prerouting", "raw"};
  view.berth_rules = {{"inet", "berth", "postrouting", 10, "berth net=aaaaaaaaaaaa"},
                      {"inet", "berth", "forward", 11, "berth net=aaaaaaaaaaaa"},
                      {"inet", "berth", "prerouting", 12, "berth ctr=" + kCtr + " net=aaaaaaaaaaaa"},
                      {"inet", "berth", "output", 13, "berth ctr=" + kCtr + " net=aaaaaaaaaaaa"},
                      {"inet", "berth", "postrouting", 14, "berth net=bbbbbbbbbbbb"},
                      {"inet", "berth", "prerouting", 15, "berth ctr=" + other + " net=bbbbbbbbbbbb"},
                      {"inet", "berth", "prerouting", 16, "berth ctr=" + kCtr + " net=bbbbbbbbbbbb"},
                      {"inet", "berth", "raw", 17, "berth host"}};
  view.filter_forward = true;
  view.filter_rules = {{"ip", "filter", "FORWARD", 40, "berth net=aaaaaaaaaaaa"},
                       {"ip", "filter", "FORWARD", 41, "berth net=bbbbbbbbbbbb"}};
  return view;
}

std::vector<uint64_t> deleted_handles(const json& tx) {
  std::vector<uint64_t> handles;
  for (const auto& rule : commands(tx, "delete", "rule")) handles.push_back(rule["handle"]);
  std::sort(handles.begin(), handles.end());
  return handles;
}

TEST(FirewallJson, RemoveNetworkTakesItsEndpointsAndEmptiedChains) {
  const json tx = nft::remove_network_commands("aaaaaaaaaaaa", two_networks_view());
  // The shared rule (17) stays: network bbbbbbbbbbbb still needs it.
  EXPECT_EQ(deleted_handles(tx), (std::vector<uint64_t>{10, 11, 12, 13, 40}));
  std::vector<std::string> chains;
  for (const auto& chain : commands(tx, "delete", "chain")) chains.push_back(chain["name"]);
  EXPECT_EQ(chains, (std::vector<std::string>{"forward", "output"}));
  EXPECT_TRUE(commands(tx, "delete", "table").empty());
}

TEST(FirewallJson, RemoveEndpointOnOneOrAllNetworks) {
  EXPECT_EQ(deleted_handles(nft::remove_endpoint_commands(kCtr, "bbbbbbbbbbbb", two_networks_view())),
            (std::vector<uint64_t>{16}));
  EXPECT_EQ(deleted_handles(nft::remove_endpoint_commands(kCtr, "", two_networks_view())),
            (std::vector<uint64_t>{12, 13, 16}));
  EXPECT_TRUE(nft::remove_endpoint_commands("nothere", "", two_networks_view())["nftables"].empty());
}

TEST(FirewallJson, LastRemovalDeletesTheTable) {
  auto view = two_networks_view();
  view.berth_rules.resize(4);  // only network aaaaaaaaaaaa and its endpoint ...
  view.berth_rules.push_back({"inet", "berth", "raw", 17, "berth host"});  // ... and the shared rule
  const json tx = nft::remove_network_commands("aaaaaaaaaaaa", view);
  ASSERT_EQ(commands(tx, "delete", "table").size(), 1u);
  EXPECT_EQ(commands(tx, "delete", "table")[0], (json{{"family", "inet"}, {"name", "berth"}}));
  // Deleting the table takes its rules; Docker's FORWARD rule is deleted by handle.
  EXPECT_EQ(deleted_handles(tx), (std::vector<uint64_t>{40}));
  EXPECT_TRUE(commands(tx, "delete", "chain").empty());
}

TEST(FirewallJson, SharedRuleGoesWithTheLastNetworkEvenWhenTheTableStays) {
  auto view = two_networks_view();
  view.berth_rules.resize(4);
  view.berth_rules.push_back({"inet", "berth", "raw", 17, "berth host"});
  view.berth_rules.push_back({"inet", "berth", "output", 18, ""});  // someone else's rule in our table
  const json tx = nft::remove_network_commands("aaaaaaaaaaaa", view);
  EXPECT_TRUE(commands(tx, "delete", "table").empty());
  EXPECT_EQ(deleted_handles(tx), (std::vector<uint64_t>{10, 11, 12, 13, 17, 40}));
  std::vector<std::string> chains;
  for (const auto& chain : commands(tx, "delete", "chain")) chains.push_back(chain["name"]);
  EXPECT_EQ(chains, (std::vector<std::string>{"forward", "postrouting", "prerouting", "raw"}));
}

TEST(FirewallJson, ParseViewAndTags) {
  const json berth = json::parse(R"({"nftables": [
    {"metainfo": {"version": "1.0.6", "json_schema_version": 1}},
    {"table": {"family": "inet", "name": "berth", "handle": 3}},
    {"chain": {"family": "inet", "table": "berth", "name": "postrouting", "handle": 1,
               "type": "nat", "hook": "postrouting", "prio": 100, "policy": "accept"}},
    {"rule": {"family": "inet", "table": "berth", "chain": "postrouting", "handle": 5,
              "comment": "berth net=aaaaaaaaaaaa", "expr": [{"masquerade": null}]}},
    {"rule": {"family": "inet", "table": "berth", "chain": "postrouting", "handle": 6,
              "comment": "berth ctr=cafe net=aaaaaaaaaaaa", "expr": [{"masquerade": null}]}},
    {"rule": {"family": "inet", "table": "berth", "chain": "postrouting", "handle": 7,
              "expr": [{"accept": null}]}}]})");
  const json filter = json::parse(R"({"nftables": [
    {"table": {"family": "ip", "name": "filter", "handle": 1}},
    {"chain": {"family": "ip", "table": "filter", "name": "FORWARD", "handle": 1,
               "type": "filter", "hook": "forward", "prio": 0, "policy": "drop"}},
    {"chain": {"family": "ip", "table": "filter", "name": "DOCKER", "handle": 2}},
    {"rule": {"family": "ip", "table": "filter", "chain": "FORWARD", "handle": 9,
              "expr": [{"jump": {"target": "DOCKER"}}]}},
    {"rule": {"family": "ip", "table": "filter", "chain": "FORWARD", "handle": 10,
              "comment": "berth net=bbbbbbbbbbbb", "expr": [{"accept": null}]}}]})");
  const auto view = nft::parse_view({berth, filter});
  EXPECT_TRUE(view.berth_table);
  EXPECT_EQ(view.berth_chains, (std::vector<std::string>{"postrouting"}));
  ASSERT_EQ(view.berth_rules.size(), 3u);
  EXPECT_EQ(view.berth_rules[1].handle, 6u);
  EXPECT_EQ(view.berth_rules[1].comment, "berth ctr=cafe net=aaaaaaaaaaaa");
  EXPECT_TRUE(view.filter_forward);
  ASSERT_EQ(view.filter_rules.size(), 1u);  // Docker's own rules are not ours
  EXPECT_EQ(view.filter_rules[0].handle, 10u);

  const auto tags = nft::tags_of(view);
  EXPECT_EQ(tags.networks, (std::vector<std::string>{"aaaaaaaaaaaa", "bbbbbbbbbbbb"}));
  EXPECT_EQ(tags.containers, (std::vector<std::string>{"cafe"}));

  const auto empty = nft::parse_view({json::object()});
  EXPECT_FALSE(empty.berth_table);
  EXPECT_FALSE(empty.filter_forward);
}

}  // namespace
}  // namespace berth::network
