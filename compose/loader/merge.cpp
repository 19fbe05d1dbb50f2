// Merge rules of the Compose Specification (13-merge.md) and compose-go's override package.
//
// Paths are matched as patterns: the pointer /services/web/ports becomes "services.*.ports",
// so the rule table below reads like the spec's. Sequences with a unique key (ports: ip +
// published + target + protocol; volumes, secrets, configs, devices: target) replace entries
// with the same key and append the rest; plain sequences append, dropping exact duplicates
// where docker compose does (cap_add, dns, profiles, ...).
#include "compose/loader/merge.hpp"
#include "compose/loader/json_text.hpp"

#include <algorithm>
#include <set>

#include "compose/loader/normalize.hpp"

namespace berth::loader {

namespace {

using Json = nlohmann::json;

const std::set<std::string> kNamedCollections = {"services", "networks", "volumes", "secrets", "configs", "models"};

/// "services.*.ports" style pattern for a pointer.
std::string pattern_of(const std::vector<std::string>& segs) {
  std::string out;
  for (size_t i = 0; i < segs.size(); ++i) {
    bool wildcard = (i == 1 && kNamedCollections.count(segs[0])) ||
                    (i == 3 && segs[0] == "services" && (segs[2] == "ulimits" || segs[2] == "networks"));
    out += (i ? "." : "") + (wildcard ? std::string("*") : segs[i]);
  }
  return out;
}

const std::set<std::string> kReplaced = {
    "services.*.command",
    "services.*.entrypoint",
    "services.*.healthcheck.test",
    "services.*.ulimits.*",
};

/// Sequences of plain values where a value already present is not added twice.
const std::set<std::string> kDedupe = {
    "services.*.cap_add",
    "services.*.cap_drop",
    "services.*.dns",
    "services.*.dns_opt",
    "services.*.dns_search",
    "services.*.profiles",
    "services.*.expose",
    "services.*.links",
    "services.*.external_links",
    "services.*.security_opt",
    "services.*.tmpfs",
    "services.*.extra_hosts",
    "services.*.group_add",
    "services.*.volumes_from",
    "services.*.device_cgroup_rules",
    "services.*.networks.*.aliases",
    "services.*.build.tags",
    "services.*.build.cache_from",
    "services.*.build.platforms",
    "services.*.env_file",
    "services.*.label_file",
};

std::string str(const Json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_null()) return "";
  return json_text(v);
}

/// The unique key of an entry of a keyed sequence, or "" when the sequence is not keyed.
std::string unique_key(const std::string& pattern, const Json& item) {
  if (!item.is_object()) return "";
  if (pattern == "services.*.ports")
    return str(item.value("host_ip", Json())) + "|" + str(item.value("published", Json())) + "|" +
           str(item.value("target", Json())) + "|" + str(item.value("protocol", Json("tcp")));
  if (pattern == "services.*.volumes" || pattern == "services.*.devices") return str(item.value("target", Json()));
  if (pattern == "services.*.secrets" || pattern == "services.*.build.secrets") {
    auto t = str(item.value("target", Json()));
    return t.empty() ? "/run/secrets/" + str(item.value("source", Json())) : t;
  }
  if (pattern == "services.*.configs") {
    auto t = str(item.value("target", Json()));
    return t.empty() ? "/" + str(item.value("source", Json())) : t;
  }
  return "";
}

bool keyed(const std::string& pattern) {
  return pattern == "services.*.ports" || pattern == "services.*.volumes" || pattern == "services.*.devices" ||
         pattern == "services.*.secrets" || pattern == "services.*.configs" || pattern == "services.*.build.secrets";
}

class Merger {
 public:
  explicit Merger(const TagMap& tags) : m_tags(tags) {}

  void merge(Json& base, const Json& over, const Pointer& optr, std::vector<std::string>& segs) {
    const std::string pattern = pattern_of(segs);
    if (over.is_object() && base.is_object()) {
      // logging: a different driver discards the old options (compose-go's mergeLogging).
      if (pattern == "services.*.logging" && over.contains("driver") && base.contains("driver") &&
          over["driver"] != base["driver"]) {
        base = copy_without_resets(over, optr);
        return;
      }
      for (auto it = over.begin(); it != over.end(); ++it) {
        Pointer child = optr / it.key();
        MergeTag tag = tag_of(child);
        if (tag == MergeTag::Reset) {
          base.erase(it.key());
          continue;
        }
        if (tag == MergeTag::Override || !base.contains(it.key())) {
          base[it.key()] = copy_without_resets(it.value(), child);
          continue;
        }
        segs.push_back(it.key());
        merge(base[it.key()], it.value(), child, segs);
        segs.pop_back();
      }
      return;
    }
    if (over.is_array() && base.is_array() && !kReplaced.count(pattern)) {
      merge_sequence(base, over, optr, pattern);
      return;
    }
    base = copy_without_resets(over, optr);
  }

  Json copy_without_resets(const Json& v, const Pointer& ptr) const {
    if (m_tags.empty() || v.is_primitive()) return v;
    Json out = v.is_object() ? Json::object() : Json::array();
    if (v.is_object()) {
      for (auto it = v.begin(); it != v.end(); ++it)
        if (tag_of(ptr / it.key()) != MergeTag::Reset) out[it.key()] = copy_without_resets(it.value(), ptr / it.key());
    } else {
      for (size_t i = 0; i < v.size(); ++i)
        if (tag_of(ptr / i) != MergeTag::Reset) out.push_back(copy_without_resets(v[i], ptr / i));
    }
    return out;
  }

 private:
  MergeTag tag_of(const Pointer& p) const {
    if (m_tags.empty()) return MergeTag::None;
    auto it = m_tags.find(p.to_string());
    return it == m_tags.end() ? MergeTag::None : it->second;
  }

  void merge_sequence(Json& base, const Json& over, const Pointer& optr, const std::string& pattern) {
    for (size_t i = 0; i < over.size(); ++i) {
      Json item = copy_without_resets(over[i], optr / i);
      if (keyed(pattern)) {
        std::string key = unique_key(pattern, item);
        auto same = std::find_if(base.begin(), base.end(),
                                 [&](const Json& b) { return !key.empty() && unique_key(pattern, b) == key; });
        if (same != base.end()) {
          *same = std::move(item);
          continue;
        }
      } else if (kDedupe.count(pattern) && std::find(base.begin(), base.end(), item) != base.end()) {
        continue;
      }
      base.push_back(std::move(item));
    }
  }

  const TagMap& m_tags;
};

std::vector<std::string> segments_of(const Pointer& p) {
  std::vector<std::string> segs;
  for (Pointer q = p; !q.empty(); q = q.parent_pointer()) segs.insert(segs.begin(), q.back());
  return segs;
}

/// ["A=1", "B"] -> {"A": "1", "B": null}; maps pass through.
void list_to_map(Json& v) {
  if (!v.is_array()) return;
  Json m = Json::object();
  for (const auto& item : v) {
    if (!item.is_string()) return;  // leave malformed input for validation to report
    const auto& s = item.get_ref<const std::string&>();
    auto eq = s.find('=');
    if (eq == std::string::npos)
      m[s] = nullptr;
    else
      m[s.substr(0, eq)] = s.substr(eq + 1);
  }
  v = std::move(m);
}

void string_to_list(Json& v) {
  if (v.is_string()) v = Json::array({v});
}

void canonicalize_service(Json& svc) {
  if (!svc.is_object()) return;
  for (const char* key : {"environment", "labels", "annotations", "sysctls", "storage_opt"})
    if (svc.contains(key)) list_to_map(svc[key]);
  for (const char* key : {"dns", "dns_search", "tmpfs", "env_file", "label_file"})
    if (svc.contains(key)) string_to_list(svc[key]);
  if (svc.contains("build")) {
    Json& b = svc["build"];
    if (b.is_string()) b = Json{{"context", b}};
    if (b.is_object()) {
      if (b.contains("args")) list_to_map(b["args"]);
      if (b.contains("labels")) list_to_map(b["labels"]);
    }
  }
  if (svc.contains("deploy") && svc["deploy"].is_object() && svc["deploy"].contains("labels"))
    list_to_map(svc["deploy"]["labels"]);
  if (svc.contains("depends_on") && svc["depends_on"].is_array()) {
    Json m = Json::object();
    for (const auto& d : svc["depends_on"])
      if (d.is_string()) m[d.get<std::string>()] = Json{{"condition", "service_started"}, {"required", true}};
    svc["depends_on"] = std::move(m);
  }
  if (svc.contains("networks") && svc["networks"].is_array()) {
    Json m = Json::object();
    for (const auto& n : svc["networks"])
      if (n.is_string()) m[n.get<std::string>()] = nullptr;
    svc["networks"] = std::move(m);
  }
  if (svc.contains("ports") && svc["ports"].is_array()) {
    // One entry that does not parse leaves the whole list as written, as compose-go's transform
    // does: normalisation reports it at its own index, or (without interpolation) keeps it.
    Json out = Json::array();
    bool parsed = true;
    for (const auto& p : svc["ports"]) {
      if (p.is_string() || p.is_number_integer()) {
        try {
          for (auto& long_form :
               parse_port_spec(p.is_string() ? p.get<std::string>() : std::to_string(p.get<long long>())))
            out.push_back(std::move(long_form));
          continue;
        } catch (const std::exception&) {
          parsed = false;
          break;
        }
      }
      out.push_back(p);
    }
    if (parsed) svc["ports"] = std::move(out);
  }
  if (svc.contains("volumes") && svc["volumes"].is_array()) {
    for (auto& v : svc["volumes"]) {
      if (!v.is_string()) continue;
      try {
        v = parse_volume_spec(v.get<std::string>());
      } catch (const std::exception&) {
      }
    }
  }
  for (const char* key : {"secrets", "configs"})
    if (svc.contains(key) && svc[key].is_array())
      for (auto& s : svc[key])
        if (s.is_string()) s = Json{{"source", s}};
}

}  // namespace

void canonicalize_for_merge(Json& doc) {
  if (!doc.is_object() || !doc.contains("services") || !doc["services"].is_object()) return;
  for (auto& [name, svc] : doc["services"].items()) canonicalize_service(svc);
}

void merge_into(Json& base, const Json& over, const TagMap& tags, const Pointer& over_root, const Pointer& base_root) {
  Merger m(tags);
  auto segs = segments_of(base_root);
  if (base.is_null()) {
    base = m.copy_without_resets(over, over_root);
    return;
  }
  m.merge(base, over, over_root, segs);
}

void drop_reset_values(Json& doc, const TagMap& tags) {
  // Deepest first, so erasing a parent never invalidates a pending child.
  std::vector<std::string> ptrs;
  for (const auto& [p, tag] : tags)
    if (tag == MergeTag::Reset) ptrs.push_back(p);
  // Same length: reverse order, so that a later array index goes before an earlier one.
  std::sort(ptrs.begin(), ptrs.end(),
            [](const auto& a, const auto& b) { return a.size() != b.size() ? a.size() > b.size() : a > b; });
  for (const auto& p : ptrs) {
    Pointer ptr(p);
    if (ptr.empty() || !doc.contains(ptr)) continue;
    Json& parent = doc.at(ptr.parent_pointer());
    if (parent.is_object())
      parent.erase(ptr.back());
    else if (parent.is_array())
      parent.erase(parent.begin() + static_cast<long>(std::stoul(ptr.back())));
  }
}

}  // namespace berth::loader
