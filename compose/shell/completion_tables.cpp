// What the three completion scripts share: value kinds as words, quoting, and the tables the
// bash and zsh scripts read (both shells run the same `case` syntax).
#include <sstream>

#include "compose/shell/completion.hpp"

namespace berth::shell {

std::string kind_word(ValueKind kind, const std::vector<std::string>& choices) {
  switch (kind) {
    case ValueKind::Choice: {
      std::string out = "choice:";
      for (std::size_t i = 0; i < choices.size(); ++i) out += (i ? " " : "") + choices[i];
      return out;
    }
    case ValueKind::File:
      return "file";
    case ValueKind::Dir:
      return "dir";
    case ValueKind::Service:
      return "service";
    case ValueKind::Project:
      return "project";
    case ValueKind::Command:
      return "command";
    case ValueKind::Any:
      break;
  }
  return "any";
}

std::string single_quoted(const std::string& s, bool fish) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'')
      out += fish ? "\\'" : "'\\''";
    else if (c == '\\' && fish)
      out += "\\\\";
    else
      out += c;
  }
  return out + "'";
}

std::string short_description(const std::string& text) {
  std::string line = text.substr(0, text.find('\n'));
  if (!line.empty() && line.back() == '.') line.pop_back();
  return line;
}

std::vector<std::pair<std::string, std::string>> completion_keys(const CommandSpec& c) {
  std::vector<std::pair<std::string, std::string>> keys;
  for (const auto& f : c.flags) {
    std::string kind = f.takes_value ? kind_word(f.kind, f.choices) : "bool";
    for (const auto& l : f.longs) keys.emplace_back("--" + l, kind);
    for (const auto& s : f.shorts) keys.emplace_back("-" + s, kind);
  }
  for (std::size_t i = 0; i < c.positionals.size(); ++i) {
    std::string kind = kind_word(c.positionals[i].kind, c.positionals[i].choices);
    keys.emplace_back("#" + std::to_string(i), kind);
    if (i + 1 == c.positionals.size() && c.positionals[i].repeatable) keys.emplace_back("#+", kind);
  }
  if (c.takes_command_line) {
    if (c.positionals.empty()) keys.emplace_back("#0", "service");
    keys.emplace_back("#+", "file");
    keys.emplace_back("#cmdline", "yes");  // the container's command line: paths, as a shell would offer
  }
  return keys;
}

namespace {

/// One `case` arm: the patterns (each quoted) and the assignment.
void arm(std::ostringstream& out, const std::vector<std::string>& patterns, const std::string& body) {
  out << "    ";
  for (std::size_t i = 0; i < patterns.size(); ++i) out << (i ? "|" : "") << single_quoted(patterns[i]);
  out << ") " << body << " ;;\n";
}

}  // namespace

std::string posix_tables(const CommandSpec& root) {
  std::vector<const CommandSpec*> commands = all_commands(root);
  commands.insert(commands.begin(), &root);
  std::ostringstream subs, flags, sub, kind;
  for (const CommandSpec* c : commands) {
    const std::string p = c->path_words();
    std::string items;
    for (const auto& s : c->subcommands) {
      std::string desc = short_description(s.description);
      items += " " + single_quoted(s.path.back() + ":" + desc);
      for (const auto& a : s.aliases) items += " " + single_quoted(a + ":" + desc);
      std::vector<std::string> names = {p + "|" + s.path.back()};
      for (const auto& a : s.aliases) names.push_back(p + "|" + a);
      arm(sub, names, "_berth_r=" + single_quoted(s.path.back()));
    }
    if (!items.empty()) arm(subs, {p}, "_berth_a=(" + items.substr(1) + ")");
    std::string flag_items;
    for (const auto& f : c->flags) {
      std::string desc = short_description(f.description);
      for (const auto& l : f.longs) flag_items += " " + single_quoted("--" + l + ":" + desc);
      for (const auto& s : f.shorts) flag_items += " " + single_quoted("-" + s + ":" + desc);
    }
    if (!flag_items.empty()) arm(flags, {p}, "_berth_a=(" + flag_items.substr(1) + ")");
    for (const auto& [key, word] : completion_keys(*c)) arm(kind, {p + "|" + key}, "_berth_r=" + single_quoted(word));
  }
  std::ostringstream out;
  out << "_berth_subs() {\n  case \"$1\" in\n" << subs.str() << "    *) _berth_a=() ;;\n  esac\n}\n";
  out << "_berth_flags() {\n  case \"$1\" in\n" << flags.str() << "    *) _berth_a=() ;;\n  esac\n}\n";
  out << "_berth_sub() {\n  case \"$1|$2\" in\n" << sub.str() << "    *) _berth_r= ;;\n  esac\n}\n";
  out << "_berth_kind() {\n  case \"$1|$2\" in\n" << kind.str() << "    *) _berth_r= ;;\n  esac\n}\n";
  return out.str();
}

}  // namespace berth::shell
