// `berth alpha viz`: the project's services and depends_on edges as a graphviz digraph
// (compose/model/graphviz), printed as docker compose's viz command prints it.
#include <iostream>
#include <memory>

#include "compose/cli/commands.hpp"
#include "compose/loader/load.hpp"
#include "compose/model/graphviz.hpp"

namespace berth::cli {

namespace {

struct VizFlags {
  model::GraphvizOptions graph;
  int indentation_size = 1;
  bool spaces = false;
};

}  // namespace

void register_viz(CLI::App& alpha, const GlobalOptions& g, CommandResult&) {
  auto f = std::make_shared<VizFlags>();
  auto* cmd = alpha.add_subcommand("viz", "EXPERIMENTAL - Generate a graphviz graph from your compose file");
  cmd->add_flag("--ports", f->graph.ports, "Include service's exposed ports in output graph");
  cmd->add_flag("--networks", f->graph.networks, "Include service's attached networks in output graph");
  cmd->add_flag("--image", f->graph.image, "Include service's image name in output graph");
  cmd->add_option("--indentation-size", f->indentation_size, "Number of tabs or spaces to use for indentation")
      ->capture_default_str();
  cmd->add_flag("--spaces", f->spaces,
                "If given, space character ' ' will be used to indent,\notherwise tab character '\\t' will be used");
  cmd->callback([&g, f] {
    if (f->indentation_size < 0)
      throw std::runtime_error("invalid indentation size: " + std::to_string(f->indentation_size));
    std::cerr << "viz command is EXPERIMENTAL\n";
    model::GraphvizOptions o = f->graph;
    o.indentation = std::string(static_cast<std::size_t>(f->indentation_size), f->spaces ? ' ' : '\t');
    loader::Project project = loader::load_project(load_options(g));
    std::cout << model::project_graphviz(project.model, o) << "\n";
  });
}

}  // namespace berth::cli
