// `berth help [COMMAND [SUBCOMMAND]]` prints a command's help (what `berth COMMAND --help`
// prints); an unknown command gets the same error as `berth foo`. The hidden `berth __man DIR`
// writes the man pages (berth.1, berth-<command>.1, ...) made from the app's own commands and
// flags; the build runs it, so the pages never drift from the binary.
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <iostream>

#include "common/atomic_file.hpp"
#include "compose/cli/cli_spec.hpp"
#include "compose/cli/commands.hpp"
#include "compose/shell/man_page.hpp"

namespace berth::cli {

namespace {

/// The visible subcommand of `app` that `name` names (or one of its aliases), or nullptr.
const CLI::App* visible_subcommand(const CLI::App& app, const std::string& name) {
  auto found = app.get_subcommands(
      [&](const CLI::App* s) { return !s->get_group().empty() && !s->get_name().empty() && s->check_name(name); });
  return found.empty() ? nullptr : found.front();
}

int print_help(const CLI::App& app, const std::vector<std::string>& words) {
  const CLI::App* at = &app;
  std::string prefix, path;
  for (const auto& w : words) {
    const CLI::App* sub = visible_subcommand(*at, w);
    if (!sub) {
      std::cerr << "berth: '" << (path.empty() ? w : path + " " + w) << "' is not a berth command.\n"
                << "See 'berth --help'\n";
      return 1;
    }
    prefix = prefix.empty() ? app.get_name() : prefix + " " + at->get_name();
    path += (path.empty() ? "" : " ") + sub->get_name();
    at = sub;
  }
  std::cout << (at == &app ? app.help() : at->help(prefix));
  return 0;
}

/// SOURCE_DATE_EPOCH (reproducible builds) or now, as YYYY-MM-DD.
std::string page_date() {
  std::time_t t = std::time(nullptr);
  if (const char* epoch = std::getenv("SOURCE_DATE_EPOCH"); epoch && *epoch) t = std::strtoll(epoch, nullptr, 10);
  std::tm utc{};
  ::gmtime_r(&t, &utc);
  char buf[16];
  std::strftime(buf, sizeof buf, "%Y-%m-%d", &utc);
  return buf;
}

void write_man_pages(const CLI::App& app, const std::string& dir) {
  std::filesystem::create_directories(dir);
  for (const auto& [name, text] : shell::man_pages(describe_cli(app), BERTH_VERSION, page_date()))
    write_file_atomic(dir + "/" + name, text, 0644);
}

}  // namespace

void register_help(CLI::App& app, CommandResult& result) {
  auto words = std::make_shared<std::vector<std::string>>();
  auto* cmd = app.add_subcommand("help", "Help about any command");
  cmd->add_option("command", *words, "COMMAND [SUBCOMMAND]")->type_name("COMMAND");
  cmd->callback([&app, &result, words] { result.exit_code = print_help(app, *words); });

  auto dir = std::make_shared<std::string>();
  auto* man = app.add_subcommand("__man", "Write the man pages into DIR");
  man->group("");  // hidden: the build runs it
  man->add_option("dir", *dir, "Directory")->required();
  man->callback([&app, dir] { write_man_pages(app, *dir); });
}

}  // namespace berth::cli
