#include "compose/cli/global_options.hpp"

namespace berth::cli {

void add_global_options(CLI::App& app, GlobalOptions& g) {
  app.add_option("-f,--file", g.files, "Compose configuration files (repeatable; - for standard input)");
  app.add_option("-p,--project-name", g.project_name, "Project name");
  app.add_option("--project-directory", g.project_directory,
                 "Alternate working directory (default: the directory of the first compose file)");
  app.add_option("--profile", g.profiles, "Profile to enable (repeatable)");
  app.add_option("--env-file", g.env_files, "Alternate environment file (repeatable)");
  app.add_option("--ansi", g.ansi, "Control when to print ANSI control characters")
      ->check(CLI::IsMember({"never", "always", "auto"}));
  app.add_option("--progress", g.progress, "Set type of progress output")
      ->check(CLI::IsMember({"auto", "tty", "plain", "json", "quiet"}));
  app.add_flag("--dry-run", g.dry_run, "Execute command in dry run mode");
  app.add_option("--root", g.root, "Root directory of Berth's state (default: /var/lib/berth)")->envname("BERTH_ROOT");
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
  return o;
}

}  // namespace berth::cli
