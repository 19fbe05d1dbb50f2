// Names of flags and commands as help text and man pages write them.
#include "compose/shell/command_spec.hpp"

namespace berth::shell {

std::string FlagSpec::names() const {
  std::string out;
  for (const auto& s : shorts) out += (out.empty() ? "-" : ", -") + s;
  for (const auto& l : longs) out += (out.empty() ? "--" : ", --") + l;
  return out;
}

std::string CommandSpec::path_words() const {
  std::string out;
  for (const auto& p : path) out += (out.empty() ? "" : " ") + p;
  return out;
}

std::string CommandSpec::display_name() const {
  std::string out = "berth";
  for (const auto& p : path) out += " " + p;
  return out;
}

std::string CommandSpec::page_name() const {
  std::string out = "berth";
  for (const auto& p : path) out += "-" + p;
  return out;
}

namespace {
void collect_commands(const CommandSpec& c, std::vector<const CommandSpec*>& out) {
  for (const auto& sub : c.subcommands) {
    out.push_back(&sub);
    collect_commands(sub, out);
  }
}
}  // namespace

std::vector<const CommandSpec*> all_commands(const CommandSpec& root) {
  std::vector<const CommandSpec*> out;
  collect_commands(root, out);
  return out;
}

}  // namespace berth::shell
