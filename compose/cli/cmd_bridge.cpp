// `berth bridge convert`: the project as Kubernetes manifests (a kustomize base and a desktop
// overlay) or a Helm chart, written under -o (docker compose's default: out). Load, convert,
// warn about what did not map, write (or, with --dry-run, list what would be written).
// --templates DIR renders compose bridge's Go templates in process (bridge/templates); -t IMAGE
// runs transformation images as docker compose does (transform/). `bridge transformations list`
// and `create` manage those images.
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <memory>
#include <system_error>

#include "common/atomic_file.hpp"
#include "compose/bridge/convert.hpp"
#include "compose/bridge/templates.hpp"
#include "compose/cli/commands.hpp"
#include "compose/gocompat/rfc3339.hpp"
#include "compose/gocompat/table.hpp"
#include "compose/gocompat/units.hpp"
#include "compose/image/reference.hpp"
#include "compose/image/store.hpp"
#include "compose/loader/load.hpp"
#include "compose/progress/json_message.hpp"
#include "compose/registry/config.hpp"
#include "compose/registry/credentials.hpp"
#include "compose/registry/pull.hpp"
#include "compose/state/paths.hpp"
#include "compose/transform/transformation.hpp"

namespace berth::cli {

namespace {

struct BridgeConvertOptions {
  std::string output = "out";
  std::string format = "kubernetes";
  bool host_path = false;
  std::vector<std::string> services;
  std::string templates;
  std::vector<std::string> transformations;
};

struct TransformationsListOptions {
  std::string format = "table";
  bool quiet = false;
};

struct TransformationsCreateOptions {
  std::string dest;
  std::string from;
};

void write_bridge_files(const std::string& dir, const std::vector<bridge::File>& files) {
  for (const auto& f : files) {
    std::filesystem::path path = std::filesystem::path(dir) / f.path;
    std::error_code ec;
    std::filesystem::create_directories(path.parent_path(), ec);
    if (ec) throw std::runtime_error("create directory `" + path.parent_path().string() + "`: " + ec.message());
    write_file_atomic(path.string(), f.text);
  }
}

/// docker compose's prepareOutputDir: the output directory must be empty or missing; a non-empty
/// one is deleted only when the user confirms it on a terminal.
void prepare_output_dir(const std::string& dir) {
  std::error_code ec;
  if (std::filesystem::exists(dir, ec) && !std::filesystem::is_empty(dir, ec)) {
    bool confirmed = false;
    if (::isatty(STDIN_FILENO) != 0) {
      std::cout << "Output directory '" << dir
                << "' is not empty, all its content will be permanently deleted. Continue? [y/N] " << std::flush;
      std::string answer;
      std::getline(std::cin, answer);
      confirmed = answer == "y" || answer == "Y" || answer == "yes";
    }
    if (!confirmed) throw std::runtime_error("deletion of output directory '" + dir + "' was not confirmed");
    std::filesystem::remove_all(dir, ec);
    if (ec) throw std::runtime_error("cannot remove existing output folder: " + ec.message());
  }
  std::filesystem::create_directories(dir, ec);
  if (ec) throw std::runtime_error("create directory `" + dir + "`: " + ec.message());
}

/// The ports each service's image exposes (EXPOSE), from the image store, as docker compose adds
/// them to the model it converts; an image that is not stored is a warning (Berth pulls nothing
/// to convert).
std::map<std::string, std::vector<std::string>> image_ports(const GlobalOptions& g, const loader::Project& project) {
  std::map<std::string, std::vector<std::string>> out;
  image::ImageStore store(g.root);
  for (const auto& [name, service] : project.model.services) {
    const std::string ref = service.image.empty() ? project.model.name + "-" + name : service.image;
    std::optional<image::ImageRecord> found;
    try {
      found = store.find(ref);
    } catch (const std::exception&) {
    }
    if (!found) {
      std::cerr << "warning: image " << ref << " for service " << name
                << " not found locally; Dockerfile-exposed ports will not be included\n";
      continue;
    }
    for (const auto& port : found->runtime_config().exposed_ports) out[name].push_back(port.substr(0, port.find('/')));
  }
  return out;
}

/// --templates without -t: what the default transformation image does with DIR as its
/// /templates, done in process (bridge/templates.hpp).
void convert_with_templates(const GlobalOptions& g, const loader::Project& project, const std::string& templates,
                            const std::string& output, bool dry_run) {
  nlohmann::json model = bridge::template_model(project.model, project.environment, image_ports(g, project));
  bridge::TemplateRun run = bridge::render_template_dir(model, templates);
  if (!dry_run) {
    prepare_output_dir(output);
    write_bridge_files(output, run.files);
  }
  const bool tty = ::isatty(STDOUT_FILENO) != 0;
  for (const auto& m : run.messages) {
    if (dry_run) std::cout << "DRY-RUN MODE -  ";
    const std::string prefix = "Kubernetes resource ", suffix = " created";
    if (tty && m.rfind(prefix, 0) == 0 && m.size() > prefix.size() + suffix.size() && m.ends_with(suffix))
      std::cout << prefix << "\033[32;1m" << m.substr(prefix.size(), m.size() - prefix.size() - suffix.size())
                << "\033[0;m" << suffix << "\n";
    else
      std::cout << m << "\n";
  }
}

/// The image `name` from the store, pulled first when it is missing (docker compose's
/// inspectWithPull).
image::ImageRecord transformation_image(const GlobalOptions& g, image::ImageStore& store, const std::string& name) {
  if (auto found = store.find(name)) return *found;
  image::Reference ref = image::parse_reference(name);
  std::map<std::string, std::string> env = load_options(g).os_environment;
  registry::Puller puller(store, registry::load_config(env),
                          registry::CredentialStore(registry::docker_config_path(env)));
  progress::JsonMessageDisplay display(std::cout, ::isatty(STDOUT_FILENO) == 1,
                                       progress::terminal_width(STDOUT_FILENO));
  registry::PullOptions po;
  po.on_event = [&](const registry::PullEvent& e) { display.show(e.id, e.status, e.current, e.total); };
  puller.pull(ref, po);
  auto pulled = store.find(name);
  if (!pulled) throw std::runtime_error("No such image: " + name);
  return *pulled;
}

/// -t IMAGE...: each transformation image run in turn on the model, /out the output directory
/// (and /templates the --templates directory), as docker compose runs them.
void convert_with_images(const GlobalOptions& g, const loader::Project& project, const BridgeConvertOptions& o) {
  state::Paths paths = state::Paths::for_root(g.root);
  image::ImageStore store(paths.root);
  transform::RunRequest request;
  request.model =
      transform::model_yaml(bridge::template_model(project.model, project.environment, image_ports(g, project)));
  request.output = o.output;
  request.templates = o.templates;
  request.user = std::to_string(::getuid());
  if (g.dry_run) {
    for (const auto& t : o.transformations) std::cout << "DRY-RUN MODE -  transformation " << t << " would run\n";
    return;
  }
  prepare_output_dir(o.output);
  for (const auto& t : o.transformations) {
    image::ImageRecord record = transformation_image(g, store, t);
    request.image = t;
    transform::run_transformation(paths, store, record, request,
                                  [](std::string_view chunk) { std::cout << chunk << std::flush; });
  }
}

/// `bridge transformations list`: IMAGE ID, REPO, TAGS, SIZE of the labelled images; -q their
/// first names; --format json docker's image summaries.
void list_transformations(const GlobalOptions& g, const TransformationsListOptions& o) {
  image::ImageStore store(g.root);
  auto images = transform::transformation_images(store);
  // one row per image (docker's image.Summary has all of an image's names as RepoTags)
  std::vector<std::pair<image::ImageSummary, std::vector<std::string>>> rows;
  for (const auto& s : images) {
    auto it =
        std::find_if(rows.begin(), rows.end(), [&](const auto& r) { return r.first.config_digest == s.config_digest; });
    if (it == rows.end()) {
      rows.push_back({s, {}});
      it = rows.end() - 1;
    }
    if (s.name) it->second.push_back(s.name->familiar());
  }
  if (o.quiet) {
    for (const auto& [s, tags] : rows) std::cout << (tags.empty() ? s.config_digest.str() : tags.front()) << "\n";
    return;
  }
  if (o.format == "json") {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& [s, tags] : rows) {
      auto record = store.find(s.config_digest.str());
      nlohmann::json labels = nlohmann::json::object();
      if (record)
        for (const auto& [k, v] : record->runtime_config().labels) labels[k] = v;
      long long created = 0;
      if (!s.created.empty()) created = gocompat::parse_rfc3339_ns(s.created).value_or(0) / 1000000000;
      out.push_back({{"Containers", -1},
                     {"Created", created},
                     {"Id", s.config_digest.str()},
                     {"Labels", labels},
                     {"ParentId", ""},
                     {"RepoDigests", nlohmann::json::array()},
                     {"RepoTags", tags},
                     {"SharedSize", -1},
                     {"Size", s.size}});
    }
    std::cout << out.dump() << "\n";
    return;
  }
  std::vector<std::vector<std::string>> table{{"IMAGE ID", "REPO", "TAGS", "SIZE"}};
  for (const auto& [s, tags] : rows) {
    std::string repo = "<none>", tag = "<none>";
    if (!tags.empty()) {
      if (auto ref = image::try_parse_reference(tags.front())) {
        repo = ref->familiar_name();
        if (!ref->tag.empty()) tag = ref->tag;
      }
    }
    table.push_back({s.config_digest.short_hex(), repo, tag, gocompat::human_size(s.size)});
  }
  std::cout << gocompat::format_table(table, 20);
}

/// `bridge transformations create PATH`: PATH/templates from the image's /templates, and a
/// Dockerfile that builds a transformation from them.
void create_transformation(const GlobalOptions& g, const TransformationsCreateOptions& o) {
  const std::string from = o.from.empty() ? transform::kDefaultImage : o.from;
  const std::string out = std::filesystem::absolute(o.dest).lexically_normal().string();
  std::error_code ec;
  if (std::filesystem::exists(out, ec)) throw std::runtime_error("output folder " + out + " already exists");
  image::ImageStore store(g.root);
  auto record = store.find(from);
  if (!record) throw std::runtime_error("No such image: " + from);
  std::filesystem::create_directories(out + "/templates", ec);
  if (ec) throw std::runtime_error("cannot create output folder: " + ec.message());
  transform::copy_templates(store, *record, from, out);
  write_file_atomic(out + "/Dockerfile", transform::transformer_dockerfile());
  ::chmod((out + "/Dockerfile").c_str(), 0700);
  std::cout << "Transformer created in " << nlohmann::json(out).dump() << "\n";
}

}  // namespace

void register_bridge(CLI::App& app, const GlobalOptions& g, CommandResult&) {
  auto* bridge = app.add_subcommand("bridge", "Convert compose files into another model");
  bridge->require_subcommand(1);
  auto o = std::make_shared<BridgeConvertOptions>();
  auto* cmd = bridge->add_subcommand("convert", "Convert compose files to Kubernetes manifests or a Helm chart");
  cmd->add_option("-o,--output", o->output, "The output directory for the Kubernetes resources")->capture_default_str();
  cmd->add_option("--format", o->format, "kubernetes (a kustomize base and overlays/desktop) or helm (a chart)")
      ->check(CLI::IsMember({"kubernetes", "helm"}))
      ->capture_default_str();
  cmd->add_flag("--host-path", o->host_path,
                "Mount bind mounts as hostPath volumes (default: left out, with a warning)");
  cmd->add_option("--templates", o->templates, "Directory containing transformation templates");
  cmd->add_option("-t,--transformation", o->transformations,
                  "Transformation to apply to compose model (default: docker/compose-bridge-kubernetes)")
      ->allow_extra_args(false);
  cmd->add_option("service", o->services, "Services to convert, with what they depend on (default: all)");
  cmd->callback([o, &g] {
    loader::Project project = loader::load_project(load_options(g, o->services));
    for (const auto& w : project.warnings) std::cerr << "warning: " << w << "\n";
    if (!o->transformations.empty()) {
      convert_with_images(g, project, *o);
      return;
    }
    if (!o->templates.empty()) {
      convert_with_templates(g, project, o->templates, o->output, g.dry_run);
      return;
    }
    bridge::Options opts;
    opts.format = o->format == "helm" ? bridge::Format::Helm : bridge::Format::Kubernetes;
    opts.services = o->services;
    opts.host_path = o->host_path;
    opts.environment = project.environment;
    bridge::Output out = bridge::convert(project.model, opts);
    for (const auto& w : out.warnings) std::cerr << "warning: " << w << "\n";
    if (!g.dry_run) write_bridge_files(o->output, out.files);
    for (const auto& f : out.files)
      std::cout << (g.dry_run ? "DRY-RUN MODE -  " : "") << "Kubernetes resource "
                << (std::filesystem::path(o->output) / f.path).string() << " created\n";
  });

  auto* transformations = bridge->add_subcommand("transformations", "Manage transformation images");
  transformations->require_subcommand(1);
  auto lo = std::make_shared<TransformationsListOptions>();
  auto* list = transformations->add_subcommand("list", "List available transformations");
  list->alias("ls");
  list->add_option("--format", lo->format, "Format the output. Values: [table | json]")
      ->check(CLI::IsMember({"table", "json"}))
      ->capture_default_str();
  list->add_flag("-q,--quiet", lo->quiet, "Only display transformer names");
  list->callback([lo, &g] { list_transformations(g, *lo); });
  auto co = std::make_shared<TransformationsCreateOptions>();
  auto* create = transformations->add_subcommand("create", "Create a new transformation");
  create->add_option("-f,--from", co->from,
                     "Existing transformation to copy (default: docker/compose-bridge-kubernetes)");
  create->add_option("path", co->dest, "Where to write the transformation (a new directory)")->required();
  create->callback([co, &g] { create_transformation(g, *co); });
}

}  // namespace berth::cli
