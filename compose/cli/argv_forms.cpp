#include "compose/cli/argv_forms.hpp"

#include <cctype>

namespace berth::cli {

namespace {

/// The option `name` ("-f", "--file") of `app` or of one of its parents.
const CLI::Option* find_option(const CLI::App* app, const std::string& name) {
  for (; app; app = app->get_parent())
    if (const CLI::Option* o = app->get_option_no_throw(name)) return o;
  return nullptr;
}

/// The subcommand `name` of `app`, or nullptr.
const CLI::App* find_subcommand(const CLI::App* app, const std::string& name) {
  auto named =
      app->get_subcommands([&](const CLI::App* sub) { return !sub->get_name().empty() && sub->check_name(name); });
  return named.empty() ? nullptr : named.front();
}

/// Walks the command line as CLI11 will read it, calling `visit(at, i, kind)` for each word:
/// `at` is the command it belongs to. Subcommand names descend; an option that takes a value and
/// was not given one with '=' takes the next word (kind Value); "--" ends the walk (kind Rest).
enum class Word { Option, Value, Command, Other, Rest };
template <typename F>
void walk_words(const CLI::App& app, const std::vector<std::string>& args, F&& visit) {
  const CLI::App* at = &app;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--") {
      visit(at, i, Word::Rest);
      return;
    }
    if (a.size() > 1 && a[0] == '-') {
      visit(at, i, Word::Option);
      if (a.find('=') != std::string::npos) continue;
      const bool is_long = a.rfind("--", 0) == 0;
      const CLI::Option* o = find_option(at, is_long ? a : a.substr(0, 2));
      if (o && o->get_items_expected_min() > 0 && (is_long || a.size() == 2) && i + 1 < args.size())
        visit(at, ++i, Word::Value);
      continue;
    }
    if (const CLI::App* sub = find_subcommand(at, a)) {
      at = sub;
      visit(at, i, Word::Command);
      continue;
    }
    visit(at, i, Word::Other);
  }
}

}  // namespace

std::vector<std::string> pflag_forms(const CLI::App& app, const std::vector<std::string>& args) {
  std::vector<std::string> out;
  walk_words(app, args, [&](const CLI::App* at, std::size_t i, Word kind) {
    const std::string& a = args[i];
    if (kind == Word::Rest) {
      out.insert(out.end(), args.begin() + static_cast<std::ptrdiff_t>(i), args.end());
      return;
    }
    const bool short_with_value =
        kind == Word::Option && a.size() > 2 && std::isalnum(static_cast<unsigned char>(a[1])) && a[2] == '=';
    const CLI::Option* o = short_with_value ? find_option(at, a.substr(0, 2)) : nullptr;
    if (!o) {
      out.push_back(a);
    } else if (o->get_items_expected_min() > 0) {  // -f=FILE: pflag's value is what follows '='
      out.push_back(a.substr(0, 2));
      out.push_back(a.substr(3));
    } else if (!o->get_lnames().empty()) {  // -d=false: the long form reads the value
      out.push_back("--" + o->get_lnames().front() + a.substr(2));
    } else {
      out.push_back(a);
    }
  });
  return out;
}

std::vector<std::string> global_words(const CLI::App& app, const std::vector<std::string>& args) {
  std::vector<std::string> out;
  bool global_option = false;
  walk_words(app, args, [&](const CLI::App* at, std::size_t i, Word kind) {
    const std::string& a = args[i];
    if (kind == Word::Option) {
      const bool is_long = a.rfind("--", 0) == 0;
      std::string name = is_long ? a.substr(0, a.find('=')) : a.substr(0, 2);
      const CLI::Option* o = find_option(at, name);
      global_option = o && o == app.get_option_no_throw(name) && (is_long || a.size() == 2 || a[2] == '=');
      if (global_option) out.push_back(a);
    } else if (kind == Word::Value) {
      if (global_option) out.push_back(a);
    } else {
      global_option = false;
    }
  });
  return out;
}

std::optional<std::string> unknown_command(const CLI::App& app, const std::vector<std::string>& args) {
  std::optional<std::string> unknown;
  bool done = false;
  walk_words(app, args, [&](const CLI::App* at, std::size_t i, Word kind) {
    if (done || kind != Word::Other) return;
    done = true;  // the first plain word decides: a command's argument, or an unknown command
    if (at->get_require_subcommand_min() == 0) return;
    std::string words;
    for (const CLI::App* p = at; p && p != &app; p = p->get_parent()) words.insert(0, p->get_name() + " ");
    unknown = words + args[i];
  });
  return unknown;
}

}  // namespace berth::cli
