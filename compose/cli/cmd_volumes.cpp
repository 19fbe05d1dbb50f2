// `berth volumes [SERVICE...]` (docker compose volumes): the project's volumes, or those the
// services' containers mount, as docker's volume formatter prints them (table DRIVER / VOLUME
// NAME, -q names only, --format json one object per line).
#include <algorithm>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>

#include "compose/cli/commands.hpp"
#include "compose/gocompat/table.hpp"
#include "compose/project/project_context.hpp"
#include "compose/storage/volumes.hpp"

namespace berth::cli {

namespace {

struct VolumesFlags {
  std::vector<std::string> services;
  std::string format = "table";
  bool quiet = false;
};

/// The volume names the services' containers mount: their anonymous volumes, and the named
/// volumes of their services in the compose file when there is one.
std::set<std::string> mounted_by(engine::Engine& eng, const std::vector<std::string>& services) {
  std::set<std::string> names;
  for (const auto& o : eng.observe(services, true))
    for (const auto& [target, volume] : o.record.anonymous_volumes) names.insert(volume);
  if (const project::ProjectContext* ctx = eng.context())
    for (const auto& s : services)
      if (auto it = ctx->loaded.model.services.find(s); it != ctx->loaded.model.services.end())
        for (const auto& v : it->second.volumes)
          if (v.type == "volume" && !v.source.empty())
            if (auto decl = ctx->loaded.model.volumes.find(v.source); decl != ctx->loaded.model.volumes.end())
              names.insert(decl->second.name);  // the loader fills in <project>_<key>
  return names;
}

std::string labels_text(const std::map<std::string, std::string>& labels) {
  std::string out;
  for (const auto& [k, v] : labels) out += (out.empty() ? "" : ",") + k + "=" + v;
  return out;
}

void run_volumes(const GlobalOptions& g, const VolumesFlags& f) {
  if (f.format != "table" && f.format != "json")
    throw std::runtime_error("unsupported --format \"" + f.format + "\": table or json");
  engine::Session session = engine::open_session(session_options(g, f.services, false, false));
  engine::Engine& eng = *session.engine;
  std::vector<storage::VolumeInfo> volumes;
  for (auto& v : storage::VolumeStore(eng.paths().root).list())
    if (v.project == eng.project()) volumes.push_back(std::move(v));
  if (!f.services.empty()) {
    const std::set<std::string> used = mounted_by(eng, f.services);
    std::erase_if(volumes, [&](const storage::VolumeInfo& v) { return !used.count(v.name); });
  }
  std::sort(volumes.begin(), volumes.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
  if (f.quiet) {
    for (const auto& v : volumes) std::cout << v.name << "\n";
    return;
  }
  if (f.format == "json") {  // docker's VolumeContext fields, as `docker volume ls --format json`
    for (const auto& v : volumes)
      std::cout << nlohmann::json{{"Availability", "N/A"}, {"Driver", "local"},
                                  {"Group", "N/A"},        {"Labels", labels_text(v.labels)},
                                  {"Links", "N/A"},        {"Mountpoint", v.path},
                                  {"Name", v.name},        {"Scope", "local"},
                                  {"Size", "N/A"},         {"Status", "N/A"}}
                       .dump()
                << "\n";
    return;
  }
  std::vector<std::vector<std::string>> rows{{"DRIVER", "VOLUME NAME"}};
  for (const auto& v : volumes) rows.push_back({"local", v.name});
  std::cout << gocompat::format_table(rows, 10);
}

}  // namespace

void register_volumes(CLI::App& app, const GlobalOptions& g, CommandResult&) {
  auto f = std::make_shared<VolumesFlags>();
  auto* cmd = app.add_subcommand("volumes", "List volumes");
  cmd->add_option("--format", f->format, "Format the output: table or json");
  cmd->add_flag("-q,--quiet", f->quiet, "Only display volume names");
  cmd->add_option("services", f->services, "Services whose volumes to list");
  cmd->callback([&g, f] { run_volumes(g, *f); });
}

}  // namespace berth::cli
