// `berth bridge convert`: the project as Kubernetes manifests (a kustomize base and a desktop
// overlay) or a Helm chart, written under -o (docker compose's default: out). Load, convert,
// warn about what did not map, write (or, with --dry-run, list what would be written).
#include <filesystem>
#include <iostream>
#include <memory>
#include <system_error>

#include "common/atomic_file.hpp"
#include "compose/bridge/convert.hpp"
#include "compose/cli/commands.hpp"
#include "compose/loader/load.hpp"

namespace berth::cli {

namespace {

struct BridgeConvertOptions {
  std::string output = "out";
  std::string format = "kubernetes";
  bool host_path = false;
  std::vector<std::string> services;
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
  cmd->add_option("service", o->services, "Services to convert, with what they depend on (default: all)");
  cmd->callback([o, &g] {
    loader::Project project = loader::load_project(load_options(g, o->services));
    for (const auto& w : project.warnings) std::cerr << "warning: " << w << "\n";
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
}

}  // namespace berth::cli
