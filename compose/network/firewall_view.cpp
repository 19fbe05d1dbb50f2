// Reading the kernel's ruleset: `nft -j list` outputs → RulesetView (the rules Berth may own,
// with their handles) → owner ids. Pure, unit-tested with recorded libnftables output.
#include <algorithm>

#include "compose/network/firewall.hpp"

namespace berth::network::nft {
namespace {

using nlohmann::json;

std::string string_at(const json& object, const char* key) {
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

void sort_unique(std::vector<std::string>& values) {
  std::sort(values.begin(), values.end());
  values.erase(std::unique(values.begin(), values.end()), values.end());
}

}  // namespace

RulesetView parse_view(const std::vector<json>& list_outputs) {
  RulesetView view;
  for (const auto& output : list_outputs) {
    auto items = output.find("nftables");
    if (items == output.end() || !items->is_array()) continue;
    for (const auto& item : *items) {
      if (auto table = item.find("table"); table != item.end()) {
        if (string_at(*table, "family") == "inet" && string_at(*table, "name") == "berth") {
          view.berth_table = true;
        }
      } else if (auto chain = item.find("chain"); chain != item.end()) {
        const auto family = string_at(*chain, "family");
        const auto table_name = string_at(*chain, "table");
        const auto name = string_at(*chain, "name");
        if (family == "inet" && table_name == "berth") {
          view.berth_table = true;
          view.berth_chains.push_back(name);
        } else if (family == "ip" && table_name == "filter" && name == "FORWARD") {
          view.filter_forward = true;
        }
      } else if (auto rule = item.find("rule"); rule != item.end()) {
        RuleRef ref{string_at(*rule, "family"), string_at(*rule, "table"), string_at(*rule, "chain"),
                    rule->value("handle", uint64_t{0}), string_at(*rule, "comment")};
        if (ref.family == "inet" && ref.table == "berth") {
          view.berth_rules.push_back(std::move(ref));
        } else if (ref.family == "ip" && ref.table == "filter" && ref.chain == "FORWARD" &&
                   ref.comment.rfind("berth ", 0) == 0) {
          view.filter_rules.push_back(std::move(ref));
        }
      }
    }
  }
  sort_unique(view.berth_chains);
  return view;
}

FirewallTags tags_of(const RulesetView& view) {
  FirewallTags tags;
  auto take = [&tags](const std::string& comment) {
    constexpr std::string_view net = "berth net=";
    constexpr std::string_view ctr = "berth ctr=";
    if (comment.rfind(net, 0) == 0) {
      tags.networks.push_back(comment.substr(net.size()));
    } else if (comment.rfind(ctr, 0) == 0) {
      auto end = comment.find(' ', ctr.size());
      tags.containers.push_back(comment.substr(ctr.size(), end - ctr.size()));
    }
  };
  for (const auto& rule : view.berth_rules) take(rule.comment);
  for (const auto& rule : view.filter_rules) take(rule.comment);
  sort_unique(tags.networks);
  sort_unique(tags.containers);
  return tags;
}

}  // namespace berth::network::nft
