#include "compose/cli/global_options.hpp"

#include <stdlib.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <set>
#include <sstream>
#include <stdexcept>

#include "compose/loader/discover.hpp"
#include "compose/registry/compose_artifact.hpp"

namespace berth::cli {

void add_global_options(CLI::App& app, GlobalOptions& g) {
  app.add_option("-f,--file", g.files, "Compose configuration files (repeatable; - for standard input)")
      ->type_name("FILE");
  app.add_option("-p,--project-name", g.project_name, "Project name")->type_name("PROJECT");
  app.add_option("--project-directory", g.project_directory,
                 "Alternate working directory (default: the directory of the first compose file)")
      ->type_name("DIR");
  app.add_option("--profile", g.profiles, "Profile to enable (repeatable)");
  app.add_option("--env-file", g.env_files, "Alternate environment file (repeatable)")->type_name("FILE");
  app.add_option("--ansi", g.ansi, "Control when to print ANSI control characters")
      ->check(CLI::IsMember({"never", "always", "auto"}));
  app.add_option("--progress", g.progress, "Set type of progress output")
      ->check(CLI::IsMember({"auto", "tty", "plain", "json", "quiet"}));
  app.add_flag("--dry-run", g.dry_run, "Execute command in dry run mode");
  app.add_flag("--compatibility", g.compatibility, "Run compose in backward compatibility mode")
      ->envname("COMPOSE_COMPATIBILITY");
  app.add_flag("--all-resources", g.all_resources, "Include all resources, even those not used by services");
  app.add_option("--parallel", g.parallel, "Control max parallelism, -1 for unlimited");
  app.add_option("--root", g.root, "Root directory of Berth's state (default: /var/lib/berth)")
      ->envname("BERTH_ROOT")
      ->type_name("DIR");
}

void export_dotenv_compose_variables(const GlobalOptions& g) {
  const std::map<std::string, std::string> shell = loader::process_environment();
  std::string cwd = std::filesystem::current_path().string();
  std::vector<std::string> files;
  for (const auto& f : g.env_files) files.push_back(loader::absolute_path(f, cwd));
  if (auto it = shell.find("COMPOSE_ENV_FILES"); files.empty() && it != shell.end()) {
    std::stringstream list(it->second);
    for (std::string f; std::getline(list, f, ',');)
      if (!f.empty()) files.push_back(loader::absolute_path(f, cwd));
  }
  if (files.empty()) {
    std::string dir = !g.project_directory.empty() ? loader::absolute_path(g.project_directory, cwd)
                      : !g.files.empty() && g.files.front() != "-"
                          ? loader::dir_name(loader::absolute_path(g.files.front(), cwd))
                          : cwd;
    if (std::error_code ec; std::filesystem::is_regular_file(dir + "/.env", ec)) files.push_back(dir + "/.env");
  }
  loader::Environment from_files;
  for (const auto& f : files) {
    loader::Lookup lookup = [&](std::string_view name) -> std::optional<std::string> {
      if (auto it = shell.find(std::string(name)); it != shell.end()) return it->second;
      if (auto it = from_files.find(std::string(name)); it != from_files.end()) return it->second;
      return std::nullopt;
    };
    try {
      for (auto& [k, v] : loader::read_env_file(f, "", lookup)) from_files[k] = v;
    } catch (const std::exception&) {
      return;  // docker compose goes on; loading the project reports the file
    }
  }
  for (const auto& [k, v] : from_files)
    if (k.rfind("COMPOSE_", 0) == 0 && k != "COMPOSE_ENV_FILES" && !shell.count(k)) ::setenv(k.c_str(), v.c_str(), 0);
}

void apply_parallel_limit_env(const CLI::App& app, GlobalOptions& g) {
  if (app.count("--parallel") > 0) return;
  const char* v = std::getenv("COMPOSE_PARALLEL_LIMIT");
  if (!v) return;
  // strconv.Atoi: an optional sign, then decimal digits only
  const std::string text = v;
  const size_t digits = !text.empty() && (text[0] == '+' || text[0] == '-') ? 1 : 0;
  const bool valid = text.size() > digits && text.size() - digits <= 9 &&
                     std::all_of(text.begin() + digits, text.end(), [](unsigned char c) { return std::isdigit(c); });
  if (!valid) throw std::runtime_error("COMPOSE_PARALLEL_LIMIT must be an integer (found: \"" + text + "\")");
  g.parallel = std::stoi(text);
}

loader::LoadOptions load_options(const GlobalOptions& g, const std::vector<std::string>& services) {
  loader::LoadOptions o;
  o.files = g.files;
  if (!g.project_name.empty()) o.project_name = g.project_name;
  if (!g.project_directory.empty()) o.project_directory = g.project_directory;
  o.profiles = g.profiles;
  o.env_files = g.env_files;
  o.services = services;
  o.os_environment = loader::process_environment();
  o.remote_file = oci_remote_loader(o.os_environment);
  return o;
}

std::function<std::optional<std::string>(const std::string&)> oci_remote_loader(
    const std::map<std::string, std::string>& environment) {
  return [environment](const std::string& reference) -> std::optional<std::string> {
    constexpr std::string_view prefix = "oci://";
    if (reference.rfind(prefix, 0) != 0) return std::nullopt;
    if (auto it = environment.find("COMPOSE_EXPERIMENTAL_OCI_REMOTE"); it != environment.end()) {
      static const std::set<std::string> yes = {"1", "t", "T", "TRUE", "true", "True"};
      static const std::set<std::string> no = {"0", "f", "F", "FALSE", "false", "False"};
      if (!yes.count(it->second) && !no.count(it->second))
        throw std::runtime_error(
            "COMPOSE_EXPERIMENTAL_OCI_REMOTE environment variable expects boolean value: strconv.ParseBool: parsing "
            "\"" +
            it->second + "\": invalid syntax");
      if (no.count(it->second))
        throw std::runtime_error("OCI remote resource is disabled by \"COMPOSE_EXPERIMENTAL_OCI_REMOTE\"");
    }
    const image::Reference ref = image::parse_reference(reference.substr(prefix.size()));
    const std::string dir = registry::fetch_compose_artifact(
        ref, registry::compose_artifact_cache(environment), registry::load_config(environment),
        registry::CredentialStore(registry::docker_config_path(environment)));
    return dir + "/compose.yaml";
  };
}

}  // namespace berth::cli
