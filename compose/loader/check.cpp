#include "compose/loader/check.hpp"
#include "compose/loader/json_text.hpp"

#include <algorithm>
#include <map>

#include "compose/model/dependencies.hpp"

namespace berth::loader {

namespace {

using Json = nlohmann::json;

class Checker {
 public:
  Checker(const Json& model, const model::DependencyMap* deps, const std::vector<std::string>& disabled,
          Diagnostics& diags)
      : m_model(model), m_deps(deps), m_disabled(disabled), m_diags(diags) {}

  void run() {
    if (!m_model.contains("services") || !m_model["services"].is_object()) return;
    for (const auto& [name, svc] : m_model["services"].items()) {
      if (!svc.is_object()) continue;
      Pointer ptr = Pointer("/services") / name;
      check_image_or_build(name, svc, ptr);
      check_service_refs(name, svc, ptr);
      check_resources(svc, ptr);
    }
    check_cycles();
    check_published_ports();
    check_container_names();
  }

 private:
  bool has(const char* collection, const std::string& name) const {
    return m_model.contains(collection) && m_model[collection].is_object() && m_model[collection].contains(name);
  }

  void missing_service(const Pointer& at, const std::string& who, const std::string& target, const char* how) {
    if (std::find(m_disabled.begin(), m_disabled.end(), target) != m_disabled.end())
      m_diags.error(at, "service \"" + who + "\" " + how + " service \"" + target +
                            "\", which is disabled by its profiles (enable one with --profile)");
    else
      m_diags.error(at, "service \"" + who + "\" " + how + " undefined service \"" + target + "\"");
  }

  /// compose-go's first consistency rule: a container needs an image to run or a build to make
  /// one (a `provider` service has neither: its provider plugin makes the resource).
  void check_image_or_build(const std::string& name, const Json& svc, const Pointer& ptr) {
    const bool image = svc.contains("image") && svc["image"].is_string() && !svc["image"].get<std::string>().empty();
    if (image || svc.contains("build") || svc.contains("provider")) return;
    // compose-go wraps errdefs.ErrInvalid, whose text docker compose prints after it.
    m_diags.error(
        ptr, "service \"" + name + "\" has neither an image nor a build context specified: invalid compose project");
  }

  void check_service_refs(const std::string& name, const Json& svc, const Pointer& ptr) {
    if (svc.contains("depends_on") && svc["depends_on"].is_object())
      for (const auto& [dep, cond] : svc["depends_on"].items()) {
        bool required = !cond.is_object() || cond.value("required", true);
        if (!has("services", dep) && required) missing_service(ptr / "depends_on" / dep, name, dep, "depends on");
      }
    if (svc.contains("links") && svc["links"].is_array())
      for (size_t i = 0; i < svc["links"].size(); ++i) {
        if (!svc["links"][i].is_string()) continue;
        std::string target = svc["links"][i].get<std::string>();
        target = target.substr(0, target.find(':'));
        if (!has("services", target)) missing_service(ptr / "links" / i, name, target, "links to");
      }
    if (svc.contains("volumes_from") && svc["volumes_from"].is_array())
      for (size_t i = 0; i < svc["volumes_from"].size(); ++i) {
        if (!svc["volumes_from"][i].is_string()) continue;
        std::string s = svc["volumes_from"][i].get<std::string>();
        if (s.rfind("container:", 0) == 0) continue;
        s = s.substr(0, s.find(':'));
        if (!has("services", s)) missing_service(ptr / "volumes_from" / i, name, s, "mounts volumes from");
      }
    for (const char* key : {"network_mode", "ipc", "pid"})
      if (svc.contains(key))
        if (auto ref = svc[key].is_string() ? model::service_reference(svc[key].get<std::string>()) : std::nullopt;
            ref && !has("services", *ref))
          missing_service(ptr / key, name, *ref, (std::string("uses the ") + key + " of").c_str());
    if (svc.contains("container_name") && svc.contains("deploy") && svc["deploy"].is_object()) {
      const Json& r = svc["deploy"].value("replicas", Json(1));
      if (r.is_number_integer() && r.get<long long>() > 1)
        m_diags.error(ptr / "container_name", "container_name \"" + svc["container_name"].get<std::string>() +
                                                  "\" cannot be used with " + std::to_string(r.get<long long>()) +
                                                  " replicas: container names must be unique");
    }
  }

  void check_resources(const Json& svc, const Pointer& ptr) {
    if (svc.contains("networks") && svc["networks"].is_object())
      for (const auto& [net, cfg] : svc["networks"].items())
        if (!has("networks", net) && net != "default")
          m_diags.error(ptr / "networks" / net, "undefined network \"" + net + "\"");
    if (svc.contains("volumes") && svc["volumes"].is_array())
      for (size_t i = 0; i < svc["volumes"].size(); ++i) {
        const Json& v = svc["volumes"][i];
        if (!v.is_object() || v.value("type", "") != "volume" || !v.contains("source")) continue;
        std::string src = v["source"].is_string() ? v["source"].get<std::string>() : "";
        if (!src.empty() && !has("volumes", src))
          m_diags.error(ptr / "volumes" / i,
                        "undefined volume \"" + src + "\": declare it under the top-level volumes key");
      }
    for (const char* key : {"secrets", "configs"}) {
      if (!svc.contains(key) || !svc[key].is_array()) continue;
      for (size_t i = 0; i < svc[key].size(); ++i) {
        const Json& ref = svc[key][i];
        std::string src = ref.is_string()                             ? ref.get<std::string>()
                          : ref.is_object() && ref.contains("source") ? ref["source"].get<std::string>()
                                                                      : "";
        if (!src.empty() && !has(key, src))
          m_diags.error(ptr / key / i,
                        std::string("undefined ") + (key[0] == 's' ? "secret" : "config") + " \"" + src + "\"");
      }
    }
  }

  void check_cycles() {
    if (!m_deps) return;
    if (auto cycle = model::find_cycle(*m_deps))
      m_diags.error(Pointer("/services") / cycle->front(), "dependency cycle: " + model::format_cycle(*cycle));
  }

  void check_published_ports() {
    // protocol|port -> (host ip, service) pairs already seen. An empty host ip, 0.0.0.0 or ::
    // binds every address, so it clashes with any other ip on the same port.
    std::map<std::string, std::vector<std::pair<std::string, std::string>>> used;
    auto wildcard = [](const std::string& ip) { return ip.empty() || ip == "0.0.0.0" || ip == "::"; };
    for (const auto& [name, svc] : m_model["services"].items()) {
      if (!svc.is_object() || !svc.contains("ports") || !svc["ports"].is_array()) continue;
      for (size_t i = 0; i < svc["ports"].size(); ++i) {
        const Json& p = svc["ports"][i];
        if (!p.is_object() || !p.contains("published")) continue;
        std::string published =
            p["published"].is_string() ? p["published"].get<std::string>() : json_text(p["published"]);
        if (published.empty() || published == "0" || published.find('-') != std::string::npos) continue;
        std::string proto = p.value("protocol", std::string("tcp"));
        std::string ip = p.contains("host_ip") && p["host_ip"].is_string() ? p["host_ip"].get<std::string>() : "";
        auto& seen = used[proto + "|" + published];
        for (const auto& [other_ip, other] : seen)
          if (other_ip == ip || wildcard(ip) || wildcard(other_ip)) {
            m_diags.error(Pointer("/services") / name / "ports" / i,
                          "host port " + (ip.empty() ? "" : ip + ":") + published + "/" + proto +
                              " is already published by service \"" + other + "\"");
            break;
          }
        seen.emplace_back(ip, name);
      }
    }
  }

  /// Two services may not share a `container_name` (compose-go's CheckContainerNameUnicity, its
  /// wording, stray quote included).
  void check_container_names() {
    std::map<std::string, std::string> used;  // container name → first service
    for (const auto& [name, svc] : m_model["services"].items()) {
      if (!svc.is_object() || !svc.contains("container_name") || !svc["container_name"].is_string()) continue;
      const std::string cname = svc["container_name"].get<std::string>();
      auto [it, first] = used.emplace(cname, name);
      if (!first)
        m_diags.error(Pointer("/services") / name / "container_name", "services." + name + ": container name \"" +
                                                                          cname + "\" is already in use by service " +
                                                                          it->second + "\"");
    }
  }

  const Json& m_model;
  const model::DependencyMap* m_deps;
  const std::vector<std::string>& m_disabled;
  Diagnostics& m_diags;
};

}  // namespace

void check_model(const Json& model, const model::DependencyMap* deps, const std::vector<std::string>& disabled,
                 Diagnostics& diags) {
  Checker(model, deps, disabled, diags).run();
}

}  // namespace berth::loader
