// The files: every object in its own file headed `#! <file>` as compose bridge writes them.
// `kubernetes`: base/ with a kustomization listing them, overlays/desktop/ patching the
// published Services to LoadBalancer and the claims to Docker Desktop's storage class.
// `helm`: Chart.yaml, values.yaml (the defaults compose bridge's chart has, and each service's
// image) and templates/, where `{{ .Values.x }}` placeholders stand unquoted.
#include <regex>

#include "compose/bridge/resources.hpp"
#include "compose/model/service_image.hpp"
#include "compose/model/yaml_emit.hpp"

namespace berth::bridge {

namespace {

/// go-yaml's default indent, which compose bridge's files have.
std::string yaml(const Json& tree) { return model::to_yaml(tree, 4); }

std::string header(const std::string& file) { return "#! " + file + "\n# Generated code, do not edit\n"; }

/// A Helm template: the YAML with its `'{{ expr }}'` scalars unquoted.
std::string unquote_placeholders(const std::string& yaml) {
  static const std::regex quoted(R"('(\{\{ [^'\n]* \}\})')");
  return std::regex_replace(yaml, quoted, "$1");
}

}  // namespace

std::vector<File> kubernetes_layout(const std::vector<Resource>& resources) {
  std::vector<File> out;
  Json base_list = Json::array(), patches = Json::array();
  for (const auto& r : resources) {
    out.push_back(File{"base/" + r.file, header(r.file) + yaml(r.object)});
    base_list.push_back(r.file);
    if (r.desktop_patch) {
      out.push_back(File{"overlays/desktop/" + r.file, header(r.file) + yaml(*r.desktop_patch)});
      patches.push_back(Json{{"path", r.file}});
    }
  }
  Json base{{"apiVersion", "kustomize.config.k8s.io/v1beta1"}, {"kind", "Kustomization"}, {"resources", base_list}};
  out.push_back(File{"base/kustomization.yaml", header("kustomization.yaml") + yaml(base)});
  Json overlay{{"apiVersion", "kustomize.config.k8s.io/v1beta1"},
               {"kind", "Kustomization"},
               {"resources", Json::array({"../../base"})}};
  if (!patches.empty()) overlay["patches"] = std::move(patches);
  out.push_back(File{"overlays/desktop/kustomization.yaml", header("kustomization.yaml") + yaml(overlay)});
  return out;
}

std::vector<File> helm_layout(const Context& ctx, const std::vector<Resource>& resources) {
  std::vector<File> out;
  for (const auto& r : resources)
    out.push_back(File{"templates/" + r.file, header(r.file) + unquote_placeholders(yaml(r.object))});

  std::string chart = "#! Chart.yaml\n";
  chart += yaml(Json{{"apiVersion", "v2"},
                     {"name", ctx.ns},
                     {"version", "0.0.1"},
                     {"description", "A generated Helm Chart for " + ctx.project.name + " generated via berth bridge."},
                     {"type", "application"},
                     {"keywords", Json::array({ctx.ns})},
                     {"appVersion", "v0.0.1"}});
  out.push_back(File{"Chart.yaml", std::move(chart)});

  // values.yaml: one commented section per setting the templates read.
  std::string values = "#! values.yaml\n";
  auto section = [&](const std::string& comment, const std::string& key, Json value) {
    values += "# " + comment + "\n" + yaml(Json{{key, std::move(value)}});
  };
  section("Project Name", "projectName", ctx.ns);
  section("Namespace", "namespace", ctx.ns);
  section("Default deployment settings", "deployment", Json{{"strategy", "Recreate"}, {"defaultReplicas", 1}});
  section("Default resource limits", "resources", Json{{"defaultCpuLimit", "100m"}, {"defaultMemoryLimit", "512Mi"}});
  section("Service settings", "service", Json{{"type", "LoadBalancer"}});
  section("Storage settings", "storage",
          Json{{"defaultStorageClass", "hostpath"}, {"defaultSize", "100Mi"}, {"defaultAccessMode", "ReadWriteOnce"}});
  Json services = Json::object();
  for (const auto& name : ctx.services) {
    const model::Service& svc = ctx.project.services.at(name);
    std::string policy = svc.pull_policy == "always" ? "Always" : svc.pull_policy == "never" ? "Never" : "IfNotPresent";
    services[name] = Json{{"image", model::service_image(ctx.project, name)}, {"imagePullPolicy", policy}};
  }
  if (!services.empty()) values += "# Services variables\n" + yaml(services);
  out.push_back(File{"values.yaml", std::move(values)});
  return out;
}

}  // namespace berth::bridge
