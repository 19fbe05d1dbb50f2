// `berth config`: load, validate and print the resolved model like `docker compose config`.
#include <algorithm>
#include <iostream>
#include <iterator>
#include <memory>
#include <set>

#include "common/atomic_file.hpp"
#include "compose/cli/commands.hpp"
#include "compose/loader/load.hpp"
#include "compose/model/config_hash.hpp"
#include "compose/model/dependencies.hpp"
#include "compose/model/json_emit.hpp"
#include "compose/model/json_io.hpp"
#include "compose/model/service_image.hpp"
#include "compose/model/yaml_emit.hpp"

namespace berth::cli {

namespace {

struct ConfigOptions {
  std::string format = "yaml";
  bool services = false, volumes = false, networks = false, profiles = false, images = false, quiet = false;
  bool no_interpolate = false, no_normalize = false, no_consistency = false, environment = false;
  std::string hash;
  std::string output;
  std::vector<std::string> service_args;
};

/// A JSON tree with its map keys in the order go-yaml (yaml flavour) or encoding/json (json
/// flavour: byte order, the order nlohmann::json already keeps) sorts a Go map's keys.
nlohmann::ordered_json sorted_keys(const nlohmann::json& tree, bool yaml) {
  if (tree.is_array()) {
    nlohmann::ordered_json out = nlohmann::ordered_json::array();
    for (const auto& v : tree) out.push_back(sorted_keys(v, yaml));
    return out;
  }
  if (!tree.is_object()) return tree;
  std::vector<std::string> keys;
  for (const auto& [k, v] : tree.items()) keys.push_back(k);
  if (yaml) std::stable_sort(keys.begin(), keys.end(), model::yaml_key_less);
  nlohmann::ordered_json out = nlohmann::ordered_json::object();
  for (const auto& k : keys) out[k] = sorted_keys(tree.at(k), yaml);
  return out;
}

/// `config --no-interpolate`: docker compose prints the loader's map there (compose-go's
/// LoadModel), not its typed project, so keys come sorted and values as the map holds them.
std::string render_document(const loader::Project& project, const ConfigOptions& o) {
  nlohmann::json doc = project.document;
  if (!o.service_args.empty() && doc.contains("services")) {
    std::set<std::string> keep(o.service_args.begin(), o.service_args.end());
    if (!project.model.services.empty())
      keep = model::with_dependencies(model::dependency_map(project.model), o.service_args);
    for (auto it = doc["services"].begin(); it != doc["services"].end();)
      it = keep.count(it.key()) ? std::next(it) : doc["services"].erase(it);
  }
  if (o.format == "json") return model::to_json_text(sorted_keys(doc, false));
  return model::to_yaml(sorted_keys(doc, true));
}

std::string render(const loader::Project& project, const ConfigOptions& o) {
  std::string out;
  const model::Project& typed = project.model;
  auto keys = [&](const auto& collection) {
    for (const auto& [name, v] : collection) out += name + "\n";
  };
  if (o.environment) {  // compose-go's Mapping.Values(): "KEY=VALUE", sorted as strings
    std::vector<std::string> lines;
    for (const auto& [k, v] : project.environment) lines.push_back(k + "=" + v);
    std::sort(lines.begin(), lines.end());
    for (const auto& l : lines) out += l + "\n";
    return out;
  }
  if (o.services) return keys(typed.services), out;
  if (o.volumes) return keys(typed.volumes), out;
  if (o.networks) return keys(typed.networks), out;
  if (o.profiles) {
    for (const auto& p : project.profiles) out += p + "\n";
    return out;
  }
  if (o.images) {
    for (const auto& [name, svc] : typed.services) out += model::service_image(typed, name) + "\n";
    return out;
  }
  if (!o.hash.empty()) {
    for (const auto& [name, svc] : typed.services)
      if (o.hash == "*" || ("," + o.hash + ",").find("," + name + ",") != std::string::npos)
        out += name + " " + model::service_config_hash(typed, name) + "\n";
    return out;
  }
  if (o.no_interpolate) return render_document(project, o);
  if (o.format == "json") return model::to_json_text(model::project_to_json(typed, model::Flavor::Json));
  return model::to_yaml(model::project_to_json(typed, model::Flavor::Yaml));
}

}  // namespace

void register_config(CLI::App& app, const GlobalOptions& g, CommandResult&) {
  auto o = std::make_shared<ConfigOptions>();
  auto* cmd = app.add_subcommand("config", "Parse, resolve and render compose file in canonical format");
  cmd->alias("convert");
  cmd->add_option("--format", o->format, "Format the output")->check(CLI::IsMember({"yaml", "json"}));
  cmd->add_flag("--services", o->services, "Print the service names, one per line");
  cmd->add_flag("--volumes", o->volumes, "Print the volume names, one per line");
  cmd->add_flag("--networks", o->networks, "Print the network names, one per line");
  cmd->add_flag("--profiles", o->profiles, "Print the profile names, one per line");
  cmd->add_flag("--images", o->images, "Print the image names, one per line");
  cmd->add_option("--hash", o->hash, "Print the service config hash, one per line (\"*\" for all)");
  cmd->add_flag("--environment", o->environment, "Print environment used for interpolation.");
  cmd->add_flag("-q,--quiet", o->quiet, "Only validate the configuration, don't print anything");
  cmd->add_flag("--no-interpolate", o->no_interpolate, "Don't interpolate environment variables");
  cmd->add_flag("--no-normalize", o->no_normalize, "Don't normalize compose model");
  cmd->add_flag("--no-consistency", o->no_consistency,
                "Don't check model consistency (references, cycles, ports); may print an invalid model");
  cmd->add_option("-o,--output", o->output, "Save to file (default to stdout)");
  cmd->add_option("service", o->service_args, "Services to render (default: all)");
  cmd->callback([o, &g] {
    auto opts = load_options(g, o->service_args);
    opts.interpolate = !o->no_interpolate;
    opts.normalize = !o->no_normalize;
    opts.check_consistency = !o->no_consistency;
    if (!o->hash.empty() && o->hash != "*")  // the other services' env files do not matter to their hashes
      for (size_t i = 0; i <= o->hash.size();) {
        size_t comma = std::min(o->hash.find(',', i), o->hash.size());
        if (comma > i) opts.touched_services.push_back(o->hash.substr(i, comma - i));
        i = comma + 1;
      }
    loader::Project project = loader::load_project(opts);
    for (const auto& w : project.warnings) std::cerr << "warning: " << w << "\n";
    if (!o->service_args.empty()) {
      // The named services and what they depend on, as docker compose renders them.
      auto keep = model::with_dependencies(model::dependency_map(project.model), o->service_args);
      std::erase_if(project.model.services, [&](const auto& entry) { return !keep.count(entry.first); });
    }
    if (o->quiet) return;
    std::string text = render(project, *o);
    if (o->output.empty())
      std::cout << text;
    else
      write_file_atomic(o->output, text);
  });
}

}  // namespace berth::cli
