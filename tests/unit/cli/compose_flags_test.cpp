// Every flag of every command in docker compose's CLI reference (tests/testdata/compose-cli, the
// options tables of compose_*.md, read at test time) parses in each form pflag accepts and gives
// the value written: `--flag value`, `--flag=value`, `-s value`, `-s=value`, `-svalue`, a bool
// as `--flag`, `--flag=true`, `--flag=false`, `-s`, `-s=false`, and a command's short bools
// combined (`-dV`). The app is Berth's own (build_app), parsed with parse_args as `berth` parses
// its command line, stopped before any command runs.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>

#include "compose/cli/app.hpp"

namespace berth::cli {
namespace {

namespace fs = std::filesystem;

struct DocFlag {
  std::string long_name, short_name, type, default_value;
};

/// The reference's commands ("" for `docker compose` itself, "alpha dry-run", ...) and their flags.
std::map<std::string, std::vector<DocFlag>> read_reference() {
  std::map<std::string, std::vector<DocFlag>> out;
  for (const auto& entry : fs::directory_iterator(std::string(BERTH_TESTDATA_DIR) + "/compose-cli")) {
    std::string file = entry.path().filename().string();
    if (file.rfind("compose", 0) != 0 || entry.path().extension() != ".md") continue;
    std::string stem = entry.path().stem().string().substr(7);  // "_alpha_dry-run"
    std::string command;
    for (char c : stem) command += c == '_' ? ' ' : c;
    if (!command.empty()) command.erase(0, 1);
    auto& flags = out[command];
    std::ifstream in(entry.path());
    bool in_options = false;
    for (std::string line; std::getline(in, line);) {
      if (line.rfind("### ", 0) == 0) in_options = line == "### Options";
      if (!in_options || line.rfind("| `", 0) != 0) continue;
      std::vector<std::string> cells;  // split on '|' not escaped as "\|"
      std::string cell;
      for (std::size_t i = 1; i < line.size(); ++i) {
        if (line[i] == '|' && line[i - 1] != '\\') {
          cells.push_back(cell);
          cell.clear();
        } else {
          cell += line[i];
        }
      }
      static const std::regex tick("`([^`]*)`");
      auto ticked = [](const std::string& s) {
        std::vector<std::string> words;
        for (std::sregex_iterator it(s.begin(), s.end(), tick), end; it != end; ++it) words.push_back((*it)[1]);
        return words;
      };
      DocFlag f;
      for (const auto& name : ticked(cells.at(0))) {
        if (name.rfind("--", 0) == 0)
          f.long_name = name.substr(2);
        else
          f.short_name = name.substr(1);
      }
      auto type = ticked(cells.at(1));
      f.type = type.empty() ? "bool" : type.front();  // the alpha tables leave bools untyped
      auto def = ticked(cells.at(2));
      f.default_value = def.empty() ? "" : def.front();
      flags.push_back(f);
    }
  }
  return out;
}

/// Thrown once parsing is complete, before any command runs.
struct Parsed {};

/// Berth's app with nothing to run: the app's parse-complete callback, which CLI11 runs after
/// every option is read and checked and before any command's callback, ends the parse.
struct ParseOnly {
  CLI::App app{"berth", "berth"};
  GlobalOptions global;
  CommandResult result;
  ParseOnly() {
    build_app(app, global, result);
    app.parse_complete_callback([] { throw Parsed{}; });
  }
};

/// The command `words` names in `app`, or nullptr.
CLI::App* find_command(CLI::App& app, const std::string& words) {
  CLI::App* at = &app;
  std::istringstream in(words);
  for (std::string w; in >> w;) {
    auto subs = at->get_subcommands([&](CLI::App* s) { return s->get_name() == w; });
    if (subs.empty()) return nullptr;
    at = subs.front();
  }
  return at;
}

/// The option `name` of `cmd` or of a command above it (global flags).
CLI::Option* find_flag(CLI::App* cmd, const std::string& name) {
  for (; cmd; cmd = cmd->get_parent())
    if (CLI::Option* o = cmd->get_option_no_throw(name)) return o;
  return nullptr;
}

/// Positional words `cmd` needs to parse at all: one per required positional (two for `image
/// tag`), a service and a command for exec/run, and a subcommand where one is required (`ls` for
/// berth itself, the first one for `bridge`).
std::vector<std::string> required_words(CLI::App& cmd) {
  if (cmd.get_prefix_command()) return {"web", "true"};
  if (!cmd.get_parent()) return {"ls"};
  std::vector<std::string> words;
  for (const CLI::Option* o : cmd.get_options()) {
    if (!o->get_lnames().empty() || !o->get_snames().empty() || !o->get_required()) continue;
    for (int i = 0; i < std::max(1, o->get_items_expected_min()); ++i) words.push_back("web=1");
  }
  if (cmd.get_require_subcommand_min() > 0) {
    CLI::App* first = cmd.get_subcommands([](CLI::App* s) { return !s->get_group().empty(); }).front();
    words.push_back(first->get_name());
    auto more = required_words(*first);
    words.insert(words.end(), more.begin(), more.end());
  }
  return words;
}

/// A value the flag's type accepts, as docker compose's reference types it.
std::string value_for(const DocFlag& f, CLI::Option* o) {
  std::string type = o ? o->get_type_name() : "";
  if (auto brace = type.find('{'); brace != std::string::npos) {  // a CLI11 IsMember check: its first choice
    std::string first = type.substr(brace + 1);
    return first.substr(0, first.find_first_of(",}"));
  }
  if (f.type == "int") return "3";
  if (f.type == "bytes") return "64m";
  if (!f.default_value.empty()) return f.default_value;
  return "x=1";
}

/// Parses `berth <command> <args> <required words>`; "" when it parsed, else the error.
std::string parse(const std::string& command, std::vector<std::string> args, ParseOnly& p) {
  std::vector<std::string> argv;
  std::istringstream in(command);
  for (std::string w; in >> w;) argv.push_back(w);
  argv.insert(argv.end(), args.begin(), args.end());
  if (CLI::App* cmd = find_command(p.app, command)) {
    auto more = required_words(*cmd);
    argv.insert(argv.end(), more.begin(), more.end());
  }
  try {
    parse_args(p.app, argv);
  } catch (const Parsed&) {
    // exec and run take what they do not know as the start of the command line: only the
    // service and the command may be left.
    CLI::App* cmd = find_command(p.app, command);
    if (cmd && cmd->get_prefix_command() && cmd->remaining() != std::vector<std::string>{"web", "true"})
      return "left for the command line: " + CLI::detail::join(cmd->remaining(), " ");
    return "";
  } catch (const CLI::ParseError& e) {
    return e.what();
  }
  return "the parse did not complete";
}

/// The results CLI11 recorded for `name` after parsing, joined ("" if none).
std::string last_result(ParseOnly& p, const std::string& command, const std::string& name) {
  CLI::Option* o = find_flag(find_command(p.app, command), name);
  if (!o || o->results().empty()) return "";
  return o->results().back();
}

// Commands of the reference Berth does not have yet, each added by other work of issue 15 or
// later issues. The test fails when this list and what is missing differ, so adding a command
// means taking it off here.
const std::set<std::string> kMissingCommands = {};

// Flags of commands Berth has that do not parse yet ("command --flag"); the test fails when this
// list and what fails differ.
const std::set<std::string> kMissingFlags = {};

TEST(ComposeFlags, EveryReferenceFlagParsesInEveryForm) {
  auto reference = read_reference();
  ASSERT_GT(reference.size(), 40u);
  std::set<std::string> missing_commands, failing;
  std::vector<std::string> wrong_values;
  for (const auto& [command, flags] : reference) {
    {
      ParseOnly p;
      if (!command.empty() && !find_command(p.app, command)) {
        missing_commands.insert(command);
        continue;
      }
    }
    std::string combined;
    for (const auto& f : flags) {
      const std::string key = (command.empty() ? "" : command + " ") + "--" + f.long_name;
      const std::string long_flag = "--" + f.long_name, short_flag = "-" + f.short_name;
      std::vector<std::pair<std::vector<std::string>, std::string>> forms;  // args, the value expected
      if (f.type == "bool") {
        forms = {{{long_flag}, "true"}, {{long_flag + "=true"}, "true"}, {{long_flag + "=false"}, "false"}};
        if (!f.short_name.empty()) {
          forms.push_back({{short_flag}, "true"});
          forms.push_back({{short_flag + "=false"}, "false"});
          if (!kMissingFlags.count(key)) combined += f.short_name;
        }
      } else {
        ParseOnly probe;
        std::string v = value_for(f, find_flag(find_command(probe.app, command), long_flag));
        forms = {{{long_flag, v}, v}, {{long_flag + "=" + v}, v}};
        if (!f.short_name.empty()) {
          forms.push_back({{short_flag, v}, v});
          forms.push_back({{short_flag + "=" + v}, v});
          forms.push_back({{short_flag + v}, v});
        }
      }
      for (const auto& [args, expected] : forms) {
        ParseOnly p;
        std::string error = parse(command, args, p);
        if (!error.empty() || !find_flag(find_command(p.app, command), long_flag)) {
          failing.insert(key);
          break;
        }
        std::string got = last_result(p, command, long_flag);
        if (f.type == "bool") {  // CLI11 records a bare flag as "true"-ish; compare what it means
          CLI::Option* o = find_flag(find_command(p.app, command), long_flag);
          got = o && o->count() > 0 && o->as<bool>() ? "true" : "false";
        }
        if (got != expected) {
          std::string shown;
          for (const auto& a : args) shown += " " + a;
          wrong_values.push_back((command.empty() ? "berth" : "berth " + command) + shown + ": got `" + got +
                                 "`, expected `" + expected + "`");
        }
      }
    }
    if (combined.size() >= 2 && missing_commands.count(command) == 0) {
      ParseOnly p;
      std::string error = parse(command, {"-" + combined}, p);
      EXPECT_EQ(error, "") << "berth " << command << " -" << combined;
      for (const auto& f : flags) {
        const std::string key = (command.empty() ? "" : command + " ") + "--" + f.long_name;
        if (f.type != "bool" || f.short_name.empty() || !error.empty() || kMissingFlags.count(key)) continue;
        CLI::Option* o = find_flag(find_command(p.app, command), "--" + f.long_name);
        EXPECT_TRUE(o && o->count() > 0 && o->as<bool>())
            << "berth " << command << " -" << combined << ": -" << f.short_name;
      }
    }
  }
  EXPECT_EQ(missing_commands, kMissingCommands);
  EXPECT_EQ(failing, kMissingFlags);
  EXPECT_EQ(wrong_values, std::vector<std::string>{});
}

}  // namespace
}  // namespace berth::cli
