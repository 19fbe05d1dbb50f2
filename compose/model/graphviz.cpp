// The graphviz text of `alpha viz`, as docker compose's pkg/compose/viz.go builds it.
#include "compose/model/graphviz.hpp"

#include <algorithm>

#include "compose/model/service_image.hpp"

namespace berth::model {

namespace {

std::string viz_quoted(const std::string& s) { return "\"" + s + "\""; }

/// compose-go's NetworksByPriority: higher priority first, then by name.
std::vector<std::string> networks_by_priority(const Service& svc) {
  std::vector<std::pair<std::int64_t, std::string>> keys;
  for (const auto& [name, net] : svc.networks) keys.emplace_back(net ? net->priority : 0, name);
  std::sort(keys.begin(), keys.end(),
            [](const auto& a, const auto& b) { return a.first == b.first ? a.second < b.second : a.first > b.first; });
  std::vector<std::string> out;
  for (const auto& k : keys) out.push_back(k.second);
  return out;
}

std::string node(const Project& project, const std::string& name, const Service& svc, const GraphvizOptions& o) {
  std::string out =
      o.indentation + viz_quoted(name) + " [style=\"filled\" label=<<font point-size=\"15\">" + name + "</font>";
  if (o.networks && !svc.networks.empty()) {
    out += "<font point-size=\"10\"><br/><br/><b>Networks:</b>";
    for (const auto& net : networks_by_priority(svc)) out += "<br/>" + net;
    out += "</font>";
  }
  if (o.ports && !svc.ports.empty()) {
    out += "<font point-size=\"10\"><br/><br/><b>Ports:</b>";
    for (const auto& p : svc.ports) {
      out += "<br/>";
      if (!p.host_ip.empty()) out += p.host_ip + ":";
      out += p.published + ":" + std::to_string(p.target) + " (" + p.protocol + ", " + p.mode + ")";
    }
    out += "</font>";
  }
  if (o.image) out += "<font point-size=\"10\"><br/><br/><b>Image:</b><br/>" + service_image(project, name) + "</font>";
  return out + ">];\n";
}

}  // namespace

std::string project_graphviz(const Project& project, const GraphvizOptions& options) {
  std::string out = "digraph " + viz_quoted(project.name) + " {\n";
  out += options.indentation + "layout=dot;\n";
  for (const auto& [name, svc] : project.services) out += node(project, name, svc, options);
  out += "\n";
  for (const auto& [name, svc] : project.services)
    for (const auto& [dependency, edge] : svc.depends_on)
      out += options.indentation + viz_quoted(name) + " -> " + viz_quoted(dependency) + ";\n";
  return out + "}\n";
}

}  // namespace berth::model
