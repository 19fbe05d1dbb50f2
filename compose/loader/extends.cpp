// Service `extends` (05-services.md#extends). The base service is resolved first (it may
// extend another one, in its own file), its relative paths are rebased when it comes from
// another directory, both sides are canonicalised so short and long syntax merge alike, and
// the extending service is merged over it. A (file, service) pair seen twice on the way is a
// cycle, reported with the whole chain.
#include "compose/loader/extends.hpp"

#include <set>
#include <vector>

#include "compose/loader/discover.hpp"
#include "compose/loader/merge.hpp"

namespace berth::loader {

namespace {

using Json = nlohmann::json;

bool is_remote(const std::string& s) {
  for (const char* p : {"http://", "https://", "git://", "git@", "ssh://", "github.com/"})
    if (s.rfind(p, 0) == 0) return true;
  return false;
}

std::string rebase(const std::string& p, const std::string& dir) {
  if (p.empty() || p[0] == '/' || p[0] == '~' || is_remote(p)) return p;
  return absolute_path(p, dir);
}

class Resolver {
 public:
  Resolver(const DocumentSource& load, Diagnostics& diags) : m_load(load), m_diags(diags) {}

  /// The fully extended definition of `name` in `doc`; nullopt after reporting a problem.
  std::optional<Json> resolve(const Document& doc, const std::string& file, const std::string& name) {
    const Pointer ptr = Pointer("/services") / name;
    const std::string key = file + "#" + name;
    if (auto done = m_done.find(key); done != m_done.end()) return done->second;
    if (!doc.value.contains(ptr)) return std::nullopt;
    Json svc = doc.value.at(ptr);
    if (!svc.is_object() || !svc.contains("extends")) return svc.is_null() ? Json::object() : svc;

    for (const auto& [seen_key, seen_name] : m_stack) {
      if (seen_key != key) continue;
      std::string chain;
      for (const auto& [k, n] : m_stack) chain += n + " -> ";
      Diagnostics local(&doc.positions);
      local.error(ptr / "extends", "circular extends: " + chain + name);
      m_diags.append(local.items());
      return std::nullopt;
    }
    m_stack.emplace_back(key, name);
    auto result = extend(doc, file, name, ptr, svc);
    m_stack.pop_back();
    if (result) m_done[key] = *result;
    return result;
  }

 private:
  std::optional<Json> extend(const Document& doc, const std::string& file, const std::string& name, const Pointer& ptr,
                             Json svc) {
    Diagnostics local(&doc.positions);
    Json ext = svc["extends"];
    if (ext.is_string()) ext = Json{{"service", ext}};
    const std::string base_name_ = ext.value("service", "");
    const Document* base_doc = &doc;
    std::string base_file = file;
    if (ext.contains("file") && ext["file"].is_string()) {
      base_file = absolute_path(expand_home(ext["file"].get<std::string>(), ""), dir_name(file));
      try {
        base_doc = &m_load(base_file);
      } catch (const LoadError& e) {
        local.error(ptr / "extends" / "file", "cannot load extended file: " + std::string(e.what()));
        m_diags.append(local.items());
        return std::nullopt;
      }
    }
    if (!base_doc->value.contains(Pointer("/services") / base_name_)) {
      local.error(ptr / "extends" / "service", "service \"" + base_name_ + "\" not found in " + base_file);
      m_diags.append(local.items());
      return std::nullopt;
    }
    auto base = resolve(*base_doc, base_file, base_name_);
    if (!base) return std::nullopt;
    Json result = *base;
    if (dir_name(base_file) != dir_name(file)) rebase_service_paths(result, dir_name(base_file));
    svc.erase("extends");
    Json wrapped_base{{"services", {{name, std::move(result)}}}};
    Json wrapped_over{{"services", {{name, std::move(svc)}}}};
    canonicalize_for_merge(wrapped_base);
    canonicalize_for_merge(wrapped_over);
    merge_into(wrapped_base["services"][name], wrapped_over["services"][name], doc.tags, ptr, ptr);
    return wrapped_base["services"][name];
  }

  const DocumentSource& m_load;
  Diagnostics& m_diags;
  std::vector<std::pair<std::string, std::string>> m_stack;
  std::map<std::string, Json> m_done;
};

}  // namespace

void rebase_service_paths(Json& svc, const std::string& dir) {
  if (!svc.is_object()) return;
  if (svc.contains("build")) {
    Json& b = svc["build"];
    if (b.is_string())
      b = rebase(b.get<std::string>(), dir);
    else if (b.is_object()) {
      if (b.contains("context") && b["context"].is_string())
        b["context"] = rebase(b["context"], dir);
      else if (!b.contains("context"))
        b["context"] = dir;
    }
  }
  for (const char* key : {"env_file", "label_file"}) {
    if (!svc.contains(key)) continue;
    Json& v = svc[key];
    if (v.is_string()) v = Json::array({v});
    if (!v.is_array()) continue;
    for (auto& e : v) {
      if (e.is_string())
        e = rebase(e.get<std::string>(), dir);
      else if (e.is_object() && e.contains("path") && e["path"].is_string())
        e["path"] = rebase(e["path"], dir);
    }
  }
  if (svc.contains("volumes") && svc["volumes"].is_array()) {
    for (auto& v : svc["volumes"]) {
      if (v.is_string()) {
        const std::string s = v.get<std::string>();
        if (!s.empty() && s[0] == '.') {
          auto colon = s.find(':');
          v = rebase(s.substr(0, colon), dir) + (colon == std::string::npos ? "" : s.substr(colon));
        }
      } else if (v.is_object() && v.value("type", "") == "bind" && v.contains("source") && v["source"].is_string()) {
        v["source"] = rebase(v["source"], dir);
      }
    }
  }
}

void resolve_extends(Document& doc, const std::string& file, const DocumentSource& load, Diagnostics& diags) {
  if (!doc.value.is_object() || !doc.value.contains("services") || !doc.value["services"].is_object()) return;
  Resolver resolver(load, diags);
  std::map<std::string, Json> resolved;
  for (auto& [name, svc] : doc.value["services"].items()) {
    if (!svc.is_object() || !svc.contains("extends")) continue;
    if (auto r = resolver.resolve(doc, file, name)) resolved[name] = std::move(*r);
  }
  for (auto& [name, svc] : resolved) doc.value["services"][name] = std::move(svc);
}

}  // namespace berth::loader
