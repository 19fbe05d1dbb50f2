#pragma once
// `alpha viz`: the project's services and their depends_on edges as a graphviz digraph, in the
// text docker compose's Viz (pkg/compose/viz.go) writes. docker compose walks Go maps, so its
// node and edge order changes from run to run; here nodes come in service-name order and each
// service's edges in dependency-name order.
#include <string>

#include "compose/model/project.hpp"

namespace berth::model {

struct GraphvizOptions {
  bool networks = false;    ///< --networks: each service's networks, by priority then name
  bool ports = false;       ///< --ports: "[host_ip:]published:target (protocol, mode)"
  bool image = false;       ///< --image: the image, or the `<project>-<service>` a build is tagged with
  std::string indentation;  ///< --indentation-size of tabs, or of spaces with --spaces
};

/// The digraph text, ending in "}\n" (the command prints it with one more newline).
std::string project_graphviz(const Project& project, const GraphvizOptions& options);

}  // namespace berth::model
