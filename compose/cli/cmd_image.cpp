// `berth image load|import|ls|rm|inspect|tag|pull` (`image push` is in cmd_push.cpp): the local
// image store, as `docker image ...` shows it. Each callback opens the store under --root and
// calls one store stage; this file only turns results into docker's output formats.
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <iostream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>

#include "common/sys_error.hpp"
#include "common/unique_fd.hpp"
#include "compose/cli/commands.hpp"
#include "compose/gocompat/duration.hpp"
#include "compose/gocompat/rfc3339.hpp"
#include "compose/gocompat/table.hpp"
#include "compose/gocompat/units.hpp"
#include "compose/image/archive_load.hpp"
#include "compose/image/platform.hpp"
#include "compose/image/store.hpp"
#include "compose/progress/json_message.hpp"
#include "compose/registry/pull.hpp"

namespace berth::cli {

namespace {

using nlohmann::json;
namespace img = berth::image;

struct ListOptions {
  bool quiet = false, no_trunc = false, digests = false, all = false;
  std::string format = "table";
  std::string repository;
};

/// The file to read, or standard input for "-".
UniqueFd open_input(const std::string& path) {
  if (path == "-") return UniqueFd(::dup(0));
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) throw_errno("open `" + path + "`");
  return fd;
}

/// Go's time.String() in UTC, as docker's CreatedAt shows it.
std::string go_time(std::int64_t t) {
  time_t tt = t;
  tm utc{};
  ::gmtime_r(&tt, &utc);
  char buf[64];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S +0000 UTC", &utc);
  return buf;
}

bool matches(const img::ImageSummary& s, const std::string& filter) {
  if (filter.empty()) return true;
  if (!s.name) return false;
  auto ref = img::try_parse_reference(filter);
  if (!ref || ref->name() != s.name->name()) return false;
  size_t colon = filter.rfind(':'), slash = filter.rfind('/');
  bool has_tag = colon != std::string::npos && (slash == std::string::npos || colon > slash);
  return !has_tag || ref->tag == s.name->tag;
}

void list_images(const GlobalOptions& g, const ListOptions& o) {
  if (o.format != "table" && o.format != "json")
    throw std::runtime_error("--format `" + o.format + "`: only `table` and `json` are supported");
  img::ImageStore store(g.root);
  std::vector<img::ImageSummary> images = store.list();
  std::erase_if(images, [&](const auto& s) { return !matches(s, o.repository); });
  std::stable_sort(images.begin(), images.end(), [](const auto& a, const auto& b) {
    return gocompat::parse_rfc3339_seconds(a.created).value_or(0) >
           gocompat::parse_rfc3339_seconds(b.created).value_or(0);
  });
  if (o.quiet) {
    std::set<img::Digest> shown;
    for (const auto& s : images)
      if (shown.insert(s.config_digest).second)
        std::cout << (o.no_trunc ? s.config_digest.str() : s.config_digest.short_hex()) << "\n";
    return;
  }
  auto now = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch());
  std::vector<std::vector<std::string>> rows;
  rows.push_back({"REPOSITORY", "TAG"});
  if (o.digests) rows.back().push_back("DIGEST");
  rows.back().insert(rows.back().end(), {"IMAGE ID", "CREATED", "SIZE"});
  for (const auto& s : images) {
    std::string repo = s.name ? s.name->familiar_name() : "<none>";
    std::string tag = s.name && !s.name->tag.empty() ? s.name->tag : "<none>";
    std::string digest = s.name && s.name->digest ? s.name->digest->str() : "<none>";
    std::string id = o.no_trunc ? s.config_digest.str() : s.config_digest.short_hex();
    auto created = gocompat::parse_rfc3339_seconds(s.created);
    std::string since =
        created ? gocompat::human_duration(static_cast<double>(now.count() - *created)) + " ago" : "N/A";
    std::string size = gocompat::human_size(s.size);
    if (o.format == "json") {
      json line = {{"Containers", "N/A"},
                   {"CreatedAt", created ? go_time(*created) : ""},
                   {"CreatedSince", since},
                   {"Digest", digest},
                   {"ID", id},
                   {"Repository", repo},
                   {"SharedSize", "N/A"},
                   {"Size", size},
                   {"Tag", tag},
                   {"UniqueSize", "N/A"},
                   {"VirtualSize", size}};
      std::cout << line.dump() << "\n";
      continue;
    }
    rows.push_back({repo, tag});
    if (o.digests) rows.back().push_back(digest);
    rows.back().insert(rows.back().end(), {id, since, size});
  }
  if (o.format == "table") std::cout << gocompat::format_table(rows, 10);  // docker/cli formatter: minwidth 10
}

json inspect_json(const img::ImageStore& store, const img::ImageRecord& r) {
  json tags = json::array(), digests = json::array();
  for (const auto& n : r.names) {
    if (!n.tag.empty()) tags.push_back(n.familiar_name() + ":" + n.tag);
    if (n.digest) digests.push_back(n.familiar_name() + "@" + n.digest->str());
  }
  json layers = json::array();
  for (const auto& l : r.layers) layers.push_back(l.diff_id.str());
  std::string lower;
  for (const auto& d : store.lower_dirs(r)) lower += (lower.empty() ? "" : ":") + d;
  std::string comment;
  if (r.config.contains("history") && r.config["history"].is_array() && !r.config["history"].empty())
    comment = img::json_string(r.config["history"].back(), "comment");
  return {{"Id", r.config_digest.str()},
          {"RepoTags", tags},
          {"RepoDigests", digests},
          {"Parent", ""},
          {"Comment", comment},
          {"Created", img::json_string(r.config, "created")},
          {"DockerVersion", img::json_string(r.config, "docker_version")},
          {"Author", img::json_string(r.config, "author")},
          {"Config", r.config.contains("config") ? r.config["config"] : json(nullptr)},
          {"Architecture", img::json_string(r.config, "architecture")},
          {"Os", img::json_string(r.config, "os")},
          {"Size", r.size},
          {"GraphDriver", {{"Name", "overlay"}, {"Data", {{"LowerDir", lower}}}}},
          {"RootFS", {{"Type", "layers"}, {"Layers", layers}}},
          {"Metadata", {{"LastTagTime", r.tagged.empty() ? "0001-01-01T00:00:00Z" : r.tagged}}},
          {"Descriptor",
           {{"mediaType", r.manifest.value("mediaType", "application/vnd.oci.image.manifest.v1+json")},
            {"digest", r.manifest_digest.str()}}}};
}

int inspect_images(const GlobalOptions& g, const std::vector<std::string>& names, const std::string& format) {
  if (format != "json") throw std::runtime_error("--format `" + format + "`: only `json` is supported");
  img::ImageStore store(g.root);
  json out = json::array();
  int code = 0;
  for (const auto& name : names) {
    if (auto r = store.find(name)) {
      out.push_back(inspect_json(store, *r));
    } else {
      std::cerr << "error: no such image: " << name << "\n";
      code = 1;
    }
  }
  std::cout << out.dump(4) << "\n";
  return code;
}

int remove_images(const GlobalOptions& g, const std::vector<std::string>& names, bool force) {
  img::ImageStore store(g.root);
  img::StoreLock lock = store.lock();
  int code = 0;
  for (const auto& name : names) {
    std::optional<img::RemoveResult> done;
    if (auto ref = img::try_parse_reference(name); ref && store.resolve(*ref)) {
      done = store.remove(lock, *ref);
    } else if (auto r = store.find(name)) {
      if (r->names.size() > 1 && !force) {
        std::cerr << "error: unable to delete " << r->config_digest.short_hex()
                  << " (must be forced) - image is referenced in multiple repositories\n";
        code = 1;
        continue;
      }
      done = store.remove_image(lock, r->manifest_digest);
    }
    if (!done) {
      std::cerr << "error: no such image: " << name << "\n";
      code = 1;
      continue;
    }
    for (const auto& u : done->untagged) std::cout << "Untagged: " << u << "\n";
    for (const auto& d : done->deleted) std::cout << "Deleted: " << d.str() << "\n";
  }
  return code;
}

void load_images(const GlobalOptions& g, const std::string& input) {
  img::ImageStore store(g.root);
  UniqueFd fd = open_input(input);
  for (const auto& image : img::load_archive(store, fd.get(), input == "-" ? "standard input" : "`" + input + "`")) {
    for (const auto& n : image.names) std::cout << "Loaded image: " << n.familiar() << "\n";
    if (image.names.empty()) std::cout << "Loaded image ID: " << image.id.str() << "\n";
  }
}

void import_image(const GlobalOptions& g, const std::string& input, const std::string& name,
                  const std::vector<std::string>& changes, const std::string& message) {
  img::ImportOptions o;
  if (!name.empty()) o.name = img::parse_reference(name);
  o.changes = changes;
  o.message = message;
  o.label = input == "-" ? "standard input" : input;
  img::ImageStore store(g.root);
  UniqueFd fd = open_input(input);
  std::cout << img::import_rootfs(store, fd.get(), o).id.str() << "\n";
}

void tag_image(const GlobalOptions& g, const std::string& source, const std::string& target) {
  img::ImageStore store(g.root);
  img::Reference ref = img::parse_reference(target);
  img::StoreLock lock = store.lock();
  auto r = store.find(source);
  if (!r) throw std::runtime_error("no such image: " + source);
  store.tag(lock, ref, r->manifest_digest);
}

struct ImagePullArgs {
  std::string name, platform;
  bool quiet = false;
};

/// `image pull`: docker pull's output ("latest: Pulling from library/busybox", the layers' lines
/// (live on a terminal), "Digest:", "Status:", then the full reference).
void pull_image(const GlobalOptions& g, const ImagePullArgs& a) {
  image::Reference ref = image::parse_reference(a.name);
  std::map<std::string, std::string> env = load_options(g).os_environment;
  img::ImageStore store(g.root);
  registry::Puller puller(store, registry::load_config(env),
                          registry::CredentialStore(registry::docker_config_path(env)));
  registry::PullOptions po;
  if (!a.platform.empty()) po.platform = image::parse_platform(a.platform);
  const bool terminal = ::isatty(STDOUT_FILENO) == 1;
  progress::JsonMessageDisplay display(std::cout, terminal, progress::terminal_width(STDOUT_FILENO));
  po.on_event = [&](const registry::PullEvent& e) {
    if (!a.quiet) display.show(e.id, e.status, e.current, e.total);
  };
  puller.pull(ref, po);
  std::cout << ref.str() << "\n";
}

void add_list_flags(CLI::App* cmd, ListOptions& o) {
  cmd->add_flag("-q,--quiet", o.quiet, "Only show image IDs");
  cmd->add_flag("--no-trunc", o.no_trunc, "Don't truncate output");
  cmd->add_flag("--digests", o.digests, "Show digests");
  cmd->add_flag("-a,--all", o.all, "Show all images (intermediate images are never stored)");
  cmd->add_option("--format", o.format, "Format output: table or json");
  cmd->add_option("repository", o.repository, "Only images of this repository[:tag]");
}

}  // namespace

void register_image(CLI::App& app, const GlobalOptions& g, CommandResult& result) {
  auto* image = app.add_subcommand("image", "Manage images in the local store");
  image->require_subcommand(1);

  auto list = std::make_shared<ListOptions>();
  auto* ls = image->add_subcommand("ls", "List images");
  ls->alias("list");
  add_list_flags(ls, *list);
  ls->callback([&g, list] { list_images(g, *list); });

  auto input = std::make_shared<std::string>("-");
  auto quiet = std::make_shared<bool>(false);
  auto* load = image->add_subcommand("load", "Load images from a docker-save or OCI-layout tar archive");
  load->add_option("-i,--input", *input, "Read from a tar archive file (default: standard input)");
  load->add_flag("-q,--quiet", *quiet, "Suppress the load output");
  // As with docker, -q only silences progress output, which Berth does not print anyway.
  load->callback([&g, input, quiet] { load_images(g, *input); });  // quiet kept alive: CLI11 writes to it

  struct ImportArgs {
    std::string file, name, message;
    std::vector<std::string> changes;
  };
  auto imp = std::make_shared<ImportArgs>();
  auto* import_cmd = image->add_subcommand("import", "Create an image from a root filesystem tarball");
  import_cmd->add_option("file", imp->file, "Tarball (plain or compressed; - for standard input)")->required();
  import_cmd->add_option("name", imp->name, "REPOSITORY[:TAG] of the new image");
  import_cmd->add_option("-c,--change", imp->changes, "Apply a Dockerfile instruction to the image (repeatable)");
  import_cmd->add_option("-m,--message", imp->message, "Set the commit message of the imported image");
  import_cmd->callback([&g, imp] { import_image(g, imp->file, imp->name, imp->changes, imp->message); });

  auto names = std::make_shared<std::vector<std::string>>();
  auto force = std::make_shared<bool>(false);
  auto* rm = image->add_subcommand("rm", "Remove one or more images");
  rm->alias("remove");
  rm->add_option("image", *names, "Image names or ids")->required();
  rm->add_flag("-f,--force", *force, "Remove an image id that several names share");
  rm->callback([&g, &result, names, force] { result.exit_code = remove_images(g, *names, *force); });

  auto inspect_names = std::make_shared<std::vector<std::string>>();
  auto format = std::make_shared<std::string>("json");
  auto* inspect = image->add_subcommand("inspect", "Display detailed information on one or more images");
  inspect->add_option("image", *inspect_names, "Image names or ids")->required();
  inspect->add_option("-f,--format", *format, "Output format (json)");
  inspect->callback(
      [&g, &result, inspect_names, format] { result.exit_code = inspect_images(g, *inspect_names, *format); });

  auto pull = std::make_shared<ImagePullArgs>();
  auto* pull_cmd = image->add_subcommand("pull", "Download an image from a registry");
  pull_cmd->add_option("name", pull->name, "NAME[:TAG|@DIGEST]")->required();
  pull_cmd->add_option("--platform", pull->platform,
                       "Set platform if server is multi-platform capable (os/arch[/variant])");
  pull_cmd->add_flag("-q,--quiet", pull->quiet, "Suppress verbose output");
  pull_cmd->callback([&g, pull] { pull_image(g, *pull); });

  auto tag_args = std::make_shared<std::vector<std::string>>();
  auto* tag = image->add_subcommand("tag", "Create a name TARGET that refers to the image SOURCE");
  tag->add_option("names", *tag_args, "SOURCE TARGET")->required()->expected(2);
  tag->callback([&g, tag_args] { tag_image(g, (*tag_args)[0], (*tag_args)[1]); });

  register_image_push(*image, g);
}  // namespace berth::cli

}  // namespace berth::cli
