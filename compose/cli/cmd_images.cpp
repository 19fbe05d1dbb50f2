// `berth images [SERVICE...]`: the images the project's containers use, from the local store:
// CONTAINER REPOSITORY TAG IMAGE ID SIZE (-q: the ids; --format json: docker compose's keys).
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>

#include "compose/cli/commands.hpp"
#include "compose/engine/exec_target.hpp"
#include "compose/engine/session.hpp"
#include "compose/engine/status_text.hpp"
#include "compose/gocompat/rfc3339.hpp"
#include "compose/gocompat/table.hpp"
#include "compose/gocompat/units.hpp"
#include "compose/image/store.hpp"

namespace berth::cli {

namespace {

struct ImagesOptions {
  bool quiet = false;
  std::string format = "table";
  std::vector<std::string> services;
};

void run_images(const GlobalOptions& g, const ImagesOptions& o) {
  engine::SessionOptions so = session_options(g, o.services, false, false);
  engine::Session session = engine::open_session(so);
  image::ImageStore store(session.paths.root);
  std::vector<std::vector<std::string>> rows{{"CONTAINER", "REPOSITORY", "TAG", "IMAGE ID", "SIZE"}};
  nlohmann::json json = nlohmann::json::array();
  std::set<std::string> ids;
  for (const auto& c : engine::select_containers(*session.engine, o.services)) {
    std::optional<image::ImageRecord> img = store.find(c.record.image_id);
    std::string repo = "<none>", tag = "<none>";
    if (auto ref = image::try_parse_reference(c.record.image)) {
      repo = ref->familiar_name();
      tag = ref->tag.empty() ? "<none>" : ref->tag;
    }
    auto id = image::Digest::parse(c.record.image_id);
    std::string short_id = id ? id->short_hex() : c.record.image_id;
    uint64_t size = img ? img->size : 0;
    rows.push_back({c.record.name, repo, tag, short_id, img ? gocompat::human_size(size) : ""});
    json.push_back({{"ContainerName", c.record.name},
                    {"Repository", repo},
                    {"Tag", tag},
                    {"ID", c.record.image_id},
                    {"Size", size}});
    if (ids.insert(short_id).second && o.quiet) std::cout << short_id << "\n";
  }
  if (o.quiet) return;
  if (o.format == "json")
    std::cout << json.dump() << "\n";
  else
    std::cout << gocompat::format_table(rows, 20);  // compose formatter.PrintPrettySection: minwidth 20
}

}  // namespace

void register_images(CLI::App& app, const GlobalOptions& g, CommandResult&) {
  auto o = std::make_shared<ImagesOptions>();
  CLI::App* cmd = app.add_subcommand("images", "List images used by the created containers");
  cmd->add_flag("-q,--quiet", o->quiet, "Only display IDs");
  cmd->add_option("--format", o->format, "Format the output")->check(CLI::IsMember({"table", "json"}));
  cmd->add_option("services", o->services, "Services");
  cmd->callback([&g, o] { run_images(g, *o); });
}

}  // namespace berth::cli
