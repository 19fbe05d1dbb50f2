// `berth config`: load, validate and print the resolved model like `docker compose config`.
#include <algorithm>
#include <iostream>
#include <iterator>
#include <memory>
#include <set>

#include "common/atomic_file.hpp"
#include "compose/cli/commands.hpp"
#include "compose/engine/image_digests.hpp"
#include "compose/gocompat/table.hpp"
#include "compose/loader/load.hpp"
#include "compose/loader/variables.hpp"
#include "compose/model/config_hash.hpp"
#include "compose/model/dependencies.hpp"
#include "compose/model/json_emit.hpp"
#include "compose/model/json_io.hpp"
#include "compose/model/service_image.hpp"
#include "compose/model/yaml_emit.hpp"

namespace berth::cli {

namespace {

struct ConfigOptions {
  std::string format;  ///< "" = yaml (a table for --variables)
  bool services = false, volumes = false, networks = false, models = false, profiles = false, images = false;
  bool quiet = false;
  bool no_interpolate = false, no_normalize = false, no_consistency = false, environment = false;
  bool variables = false, no_env_resolution = false, no_path_resolution = false;
  bool resolve_image_digests = false, lock_image_digests = false;
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

/// `config --variables` as docker compose prints compose-go's map of them: a table (NAME REQUIRED
/// "DEFAULT VALUE" "ALTERNATE VALUE", compose's formatter: minimum width 20; docker's rows come in
/// Go's random map order, ours by name), json (the map, 4-space indent, then an empty line) or
/// yaml (yaml.v3's Marshal: lower-cased field names, indent 4).
std::string render_variables(const std::map<std::string, loader::Variable>& variables, const std::string& format) {
  if (format == "json") {
    nlohmann::ordered_json ordered = nlohmann::ordered_json::object();
    for (const auto& [name, v] : variables) {  // the fields in Go's struct order
      nlohmann::ordered_json one;
      one["Name"] = v.name;
      one["DefaultValue"] = v.default_value;
      one["PresenceValue"] = v.presence_value;
      one["Required"] = v.required;
      ordered[name] = one;
    }
    return ordered.dump(4) + "\n\n";
  }
  if (format == "yaml") {
    if (variables.empty()) return "{}\n";
    std::vector<std::string> names;
    for (const auto& [name, v] : variables) names.push_back(name);
    std::stable_sort(names.begin(), names.end(), model::yaml_key_less);
    nlohmann::ordered_json doc = nlohmann::ordered_json::object();
    for (const auto& name : names) {
      const loader::Variable& v = variables.at(name);
      doc[name] = {{"name", v.name},
                   {"defaultvalue", v.default_value},
                   {"presencevalue", v.presence_value},
                   {"required", v.required}};
    }
    return model::to_yaml(doc, 4);
  }
  std::vector<std::vector<std::string>> rows{{"NAME", "REQUIRED", "DEFAULT VALUE", "ALTERNATE VALUE"}};
  for (const auto& [name, v] : variables)
    rows.push_back({name, v.required ? "true" : "false", v.default_value, v.presence_value});
  return gocompat::format_table(rows, 20, false);  // tabwriter pads an empty DEFAULT VALUE too
}

/// --resolve-image-digests: each service's image as its registry pins it now, in the typed model
/// and (for --no-interpolate) in the loader's document.
void pin_images(loader::Project& project, const std::map<std::string, std::string>& environment) {
  model::Project images_only;  // without interpolation the typed model may be empty: read the document
  if (project.document.contains("services"))
    for (const auto& [name, svc] : project.document["services"].items())
      if (svc.is_object() && svc.contains("image") && svc["image"].is_string() &&
          (project.model.services.empty() || project.model.services.count(name)))  // the services shown
        images_only.services[name].image = svc["image"].get<std::string>();
  for (const auto& [name, image] : engine::resolve_image_digests(images_only, environment)) {
    if (auto it = project.model.services.find(name); it != project.model.services.end()) it->second.image = image;
    project.document["services"][name]["image"] = image;
  }
}

std::string render(const loader::Project& project, const ConfigOptions& o) {
  std::string out;
  const model::Project& typed = project.model;
  auto keys = [&](const auto& collection) {
    for (const auto& [name, v] : collection) out += name + "\n";
  };
  // The variables of the whole uninterpolated model (docker compose applies no service filter).
  if (o.variables) return render_variables(loader::extract_variables(project.document), o.format);
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
  if (o.models) {  // docker compose prints each model's `model:` reference, not the key
    for (const auto& [name, m] : typed.models)
      if (!m.model.empty()) out += m.model + "\n";
    return out;
  }
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
  if (o.lock_image_digests) {  // docker compose's override file: only each service's image
    nlohmann::ordered_json services = nlohmann::ordered_json::object();
    std::vector<std::string> names;
    for (const auto& [name, svc] : typed.services) names.push_back(name);
    if (o.format != "json") std::stable_sort(names.begin(), names.end(), model::yaml_key_less);
    for (const auto& name : names) {
      nlohmann::ordered_json one = nlohmann::ordered_json::object();
      if (!typed.services.at(name).image.empty()) one["image"] = typed.services.at(name).image;
      services[name] = one;
    }
    nlohmann::ordered_json doc = {{"services", services}};
    return o.format == "json" ? model::to_json_text(doc) : model::to_yaml(doc);
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
  cmd->add_option("--format", o->format, "Format the output: yaml or json (--variables: table, json or yaml)");
  cmd->add_flag("--services", o->services, "Print the service names, one per line");
  cmd->add_flag("--volumes", o->volumes, "Print the volume names, one per line");
  cmd->add_flag("--networks", o->networks, "Print the network names, one per line");
  cmd->add_flag("--models", o->models, "Print the model names, one per line.");
  cmd->add_flag("--profiles", o->profiles, "Print the profile names, one per line");
  cmd->add_flag("--images", o->images, "Print the image names, one per line");
  cmd->add_option("--hash", o->hash, "Print the service config hash, one per line (\"*\" for all)");
  cmd->add_flag("--environment", o->environment, "Print environment used for interpolation.");
  cmd->add_flag("--variables", o->variables, "Print model variables and default values.");
  cmd->add_flag("--resolve-image-digests", o->resolve_image_digests, "Pin image tags to digests");
  cmd->add_flag("--lock-image-digests", o->lock_image_digests, "Produces an override file with image digests");
  cmd->add_flag("--no-env-resolution", o->no_env_resolution, "Don't resolve service env files");
  cmd->add_flag("--no-path-resolution", o->no_path_resolution, "Don't resolve file paths");
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
    opts.normalize = !o->no_normalize && !g.compatibility;  // docker compose: --compatibility means --no-normalize
    opts.check_consistency = !o->no_consistency;
    opts.resolve_environment = !o->no_env_resolution && !o->variables && !o->models;
    opts.resolve_paths = !o->no_path_resolution;
    if (o->variables) opts.interpolate = false;  // docker compose reads them off the raw model
    if (o->variables && !o->format.empty() && o->format != "table" && o->format != "pretty" && o->format != "json" &&
        o->format != "yaml")
      throw std::runtime_error("format value \"" + o->format + "\" could not be parsed: parsing failed");
    if (!o->variables && !o->format.empty() && o->format != "yaml" && o->format != "json")
      throw std::runtime_error("unsupported format \"" + o->format + "\"");
    if (!o->hash.empty() && o->hash != "*")  // the other services' env files do not matter to their hashes
      for (size_t i = 0; i <= o->hash.size();) {
        size_t comma = std::min(o->hash.find(',', i), o->hash.size());
        if (comma > i) opts.touched_services.push_back(o->hash.substr(i, comma - i));
        i = comma + 1;
      }
    if (o->variables && !o->service_args.empty())
      std::cerr << "warning: service filtering is not applied when --variables is set, variables from the full "
                   "model will be rendered\n";
    loader::Project project = loader::load_project(opts);
    for (const auto& w : project.warnings) std::cerr << "warning: " << w << "\n";
    if (!o->service_args.empty()) {
      // The named services and what they depend on, as docker compose renders them.
      auto keep = model::with_dependencies(model::dependency_map(project.model), o->service_args);
      std::erase_if(project.model.services, [&](const auto& entry) { return !keep.count(entry.first); });
    }
    if (o->resolve_image_digests || o->lock_image_digests) pin_images(project, opts.os_environment);
    if (o->quiet) return;
    std::string text = render(project, *o);
    if (o->output.empty())
      std::cout << text;
    else
      write_file_atomic(o->output, text);
  });
}

}  // namespace berth::cli
