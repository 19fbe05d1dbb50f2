// The man pages: NAME, SYNOPSIS, DESCRIPTION, COMMANDS (subcommands), OPTIONS (the command's
// own flags), GLOBAL OPTIONS (those of the commands above it, which berth accepts after the verb
// too), SEE ALSO.
#include "compose/shell/man_page.hpp"

#include <algorithm>
#include <cctype>
#include <sstream>

#include "compose/shell/completion.hpp"

namespace berth::shell {

std::string roff_escape(const std::string& text) {
  std::string out;
  bool line_start = true;
  for (char c : text) {
    if (line_start && (c == '.' || c == '\'')) out += "\\&";
    if (c == '\\')
      out += "\\e";
    else if (c == '-')
      out += "\\-";
    else
      out += c;
    line_start = c == '\n';
  }
  return out;
}

namespace {

std::string upper(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return s;
}

void flag_entries(std::ostringstream& out, const std::vector<FlagSpec>& flags) {
  for (const auto& f : flags) {
    out << ".TP\n";
    std::string names;
    for (const auto& s : f.shorts) names += (names.empty() ? "" : ", ") + std::string("\\fB\\-") + s + "\\fR";
    for (const auto& l : f.longs)
      names += (names.empty() ? "" : ", ") + std::string("\\fB\\-\\-") + roff_escape(l) + "\\fR";
    if (f.takes_value) names += " \\fI" + roff_escape(f.value_name.empty() ? "VALUE" : f.value_name) + "\\fR";
    out << names << "\n" << roff_escape(f.description);
    if (!f.choices.empty()) {
      out << " (one of:";
      for (const auto& c : f.choices) out << " " << roff_escape(c);
      out << ")";
    }
    if (!f.default_value.empty()) out << " [default: " << roff_escape(f.default_value) << "]";
    if (f.repeatable && f.takes_value) out << " (repeatable)";
    out << "\n";
  }
}

std::string synopsis(const CommandSpec& c) {
  std::string s = "\\fB" + c.display_name() + "\\fR";
  if (!c.flags.empty() || !c.path.empty()) s += " [\\fIOPTIONS\\fR]";
  if (!c.subcommands.empty()) s += c.requires_subcommand ? " \\fICOMMAND\\fR" : " [\\fICOMMAND\\fR]";
  for (const auto& p : c.positionals) {
    std::string word = "\\fI" + roff_escape(upper(p.name)) + "\\fR" + (p.repeatable ? "..." : "");
    s += " " + (p.required ? word : "[" + word + "]");
  }
  if (c.takes_command_line) s += " \\fISERVICE\\fR [\\fICOMMAND\\fR] [\\fIARGS\\fR...]";
  return s;
}

std::string page(const CommandSpec& c, const std::vector<const CommandSpec*>& ancestors, const std::string& version,
                 const std::string& date) {
  std::ostringstream out;
  out << ".\\\" Made by `berth __man` from berth's own commands and flags; do not edit.\n";
  out << ".TH " << upper(c.page_name()) << " 1 \"" << date << "\" \"Berth " << version << "\" \"Berth Manual\"\n";
  out << ".SH NAME\n" << c.page_name() << " \\- " << roff_escape(short_description(c.description)) << "\n";
  out << ".SH SYNOPSIS\n" << synopsis(c) << "\n";
  out << ".SH DESCRIPTION\n" << roff_escape(c.description) << "\n";
  if (!c.aliases.empty()) {
    out << ".PP\nAliases:";
    for (const auto& a : c.aliases) out << " \\fB" << roff_escape(a) << "\\fR";
    out << "\n";
  }
  if (!c.subcommands.empty()) {
    out << ".SH COMMANDS\n";
    for (const auto& s : c.subcommands) {
      out << ".TP\n\\fB" << s.page_name() << "\\fR(1)\n" << roff_escape(short_description(s.description)) << "\n";
    }
  }
  if (!c.positionals.empty()) {
    out << ".SH ARGUMENTS\n";
    for (const auto& p : c.positionals)
      out << ".TP\n\\fI" << roff_escape(upper(p.name)) << "\\fR\n" << roff_escape(p.description) << "\n";
  }
  if (!c.flags.empty()) {
    out << ".SH OPTIONS\n";
    flag_entries(out, c.flags);
  }
  for (auto it = ancestors.rbegin(); it != ancestors.rend(); ++it) {
    if ((*it)->flags.empty()) continue;
    out << ".SH " << ((*it)->path.empty() ? "GLOBAL OPTIONS" : "OPTIONS OF " + upper((*it)->display_name())) << "\n";
    flag_entries(out, (*it)->flags);
  }
  out << ".SH SEE ALSO\n";
  std::vector<std::string> see;
  if (!ancestors.empty()) see.push_back(ancestors.back()->page_name());
  for (const auto& s : c.subcommands) see.push_back(s.page_name());
  for (std::size_t i = 0; i < see.size(); ++i) out << (i ? ",\n" : "") << "\\fB" << see[i] << "\\fR(1)";
  out << (see.empty() ? "\\fBberth\\fR(1)" : "") << "\n";
  return out.str();
}

void add_pages(const CommandSpec& c, std::vector<const CommandSpec*>& ancestors, const std::string& version,
               const std::string& date, std::map<std::string, std::string>& out) {
  out[c.page_name() + ".1"] = page(c, ancestors, version, date);
  ancestors.push_back(&c);
  for (const auto& s : c.subcommands) add_pages(s, ancestors, version, date, out);
  ancestors.pop_back();
}

}  // namespace

std::map<std::string, std::string> man_pages(const CommandSpec& root, const std::string& version,
                                             const std::string& date) {
  std::map<std::string, std::string> out;
  std::vector<const CommandSpec*> ancestors;
  add_pages(root, ancestors, version, date, out);
  return out;
}

}  // namespace berth::shell
