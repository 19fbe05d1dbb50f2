// Typed instructions: BuildKit's instructions.ParseInstruction followed by the Expand step its
// dispatcher runs, in one call. Argument shapes follow the parser's per-keyword functions
// (parseMaybeJSON, parseNameVal, parseStringsWhitespaceDelimited, parseString); what expands
// follows each command's Expand method (ENV/LABEL/ARG keys and values, WORKDIR, USER,
// STOPSIGNAL, VOLUME, COPY/ADD sources, destination, --chown/--chmod/--checksum, heredoc bodies
// whose marker was not quoted, RUN --mount values, FROM's image and --platform, EXPOSE with word
// splitting). RUN, CMD, ENTRYPOINT, HEALTHCHECK, SHELL, MAINTAINER, ONBUILD triggers, --exclude
// and RUN's --network/--security stay as written; COPY --from must not need expansion. Parse-stage errors read as
// BuildKit's ("dockerfile parse error on line N: ..."); expansion errors as its lexer's ("failed to process ...").
#include "compose/build/instructions.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <map>
#include <stdexcept>

#include "compose/build/dockerfile_split.hpp"
#include "compose/build/instruction_parts.hpp"
#include "compose/gocompat/units.hpp"

namespace berth::build {

namespace {

std::string instruction_upper(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

std::string instruction_lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

/// One compile: the instruction, its scope and the error helpers.
class InstructionCompiler {
 public:
  InstructionCompiler(const Dockerfile& df, const Instruction& in, const VarLookup& vars)
      : m_df(df), m_in(in), m_vars(vars) {}

  Command compile() {
    try {
      return dispatch();
    } catch (const std::invalid_argument& e) {
      throw fail(e.what());
    }
  }

 private:
  /// A parse-stage error, worded as BuildKit's instructions.Parse.
  DockerfileError fail(const std::string& message) const {
    return m_df.error(m_in.line, "dockerfile parse error on line " + std::to_string(m_in.line) + ": " + message);
  }

  std::string expand(std::string_view word) const {
    try {
      return expand_word(word, m_vars, m_df.escape);
    } catch (const ExpandError& e) {
      throw m_df.error(m_in.line, e.what());
    }
  }

  void parse_flags(InstructionFlags& flags) const { flags.parse(); }

  /// parseMaybeJSONToList: the exec form's elements or the whitespace-separated words.
  std::vector<std::string> json_or_words() const {
    return m_in.json_form ? m_in.json_args : split_whitespace(m_in.args);
  }

  Command dispatch() {
    const std::string& k = m_in.keyword;
    if (k == "FROM") return from();
    if (k == "RUN") return run();
    if (k == "COPY" || k == "ADD") return copy(k == "ADD");
    if (k == "ENV") return EnvCmd{key_values("ENV")};
    if (k == "LABEL") return LabelCmd{key_values("LABEL")};
    if (k == "ARG") return arg();
    if (k == "WORKDIR") return WorkdirCmd{expand(one_argument("WORKDIR"))};
    if (k == "USER") return UserCmd{expand(one_argument("USER"))};
    if (k == "EXPOSE") return expose();
    if (k == "VOLUME") return volume();
    if (k == "CMD" || k == "ENTRYPOINT") return command(k == "ENTRYPOINT");
    if (k == "HEALTHCHECK") return healthcheck();
    if (k == "SHELL") return shell();
    if (k == "STOPSIGNAL") {
      if (m_in.args.empty()) throw std::invalid_argument("STOPSIGNAL requires exactly one argument");
      return StopsignalCmd{expand(m_in.args)};  // BuildKit reads no flags here
    }
    if (k == "ONBUILD") return onbuild();
    if (k == "MAINTAINER") return MaintainerCmd{one_argument("MAINTAINER")};
    throw std::invalid_argument("unknown instruction: " + k);
  }

  /// parseString + "requires exactly one argument", after the flags (none are known).
  std::string one_argument(const std::string& keyword) const {
    if (m_in.args.empty()) throw std::invalid_argument(keyword + " requires exactly one argument");
    InstructionFlags flags(m_in.flag_words);
    parse_flags(flags);
    return m_in.args;
  }

  FromCmd from() {
    std::vector<std::string> args = split_whitespace(m_in.args);
    FromCmd cmd;
    if (args.size() == 3 && instruction_lower(args[1]) == "as") {
      cmd.alias = instruction_lower(args[2]);
      bool valid = !cmd.alias.empty() && cmd.alias[0] >= 'a' && cmd.alias[0] <= 'z' &&
                   std::all_of(cmd.alias.begin(), cmd.alias.end(), [](char c) {
                     return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
                   });
      if (!valid) {
        throw std::invalid_argument("invalid name for build stage: \"" + args[2] +
                                    "\", name can't start with a number or contain symbols");
      }
    } else if (args.size() != 1) {
      throw std::invalid_argument("FROM requires either one or three arguments");
    }
    InstructionFlags flags(m_in.flag_words);
    flags.add_string("platform");
    parse_flags(flags);
    cmd.image = expand(args[0]);
    if (cmd.image.empty()) throw m_df.error(m_in.line, "base name (" + args[0] + ") should not be blank");
    cmd.platform = expand(flags.value("platform"));
    return cmd;
  }

  RunCmd run() {
    InstructionFlags flags(m_in.flag_words);
    flags.add_strings("mount");
    flags.add_string("network");
    flags.add_string("security");
    parse_flags(flags);
    RunCmd cmd;
    if (flags.used("network")) {
      cmd.network = flags.value("network");
      if (cmd.network != "default" && cmd.network != "none" && cmd.network != "host") {
        throw std::invalid_argument("invalid network mode \"" + cmd.network + "\"");
      }
    }
    if (flags.used("security")) {
      cmd.security = flags.value("security");
      if (cmd.security != "sandbox" && cmd.security != "insecure") {
        throw std::invalid_argument("security \"" + cmd.security + "\" is not valid");
      }
    }
    auto expander = [this](std::string_view value) { return expand(value); };
    for (const std::string& spec : flags.values("mount")) cmd.mounts.push_back(parse_run_mount(spec, expander));
    cmd.shell_form = !m_in.json_form;
    if (m_in.json_form) {
      cmd.argv = m_in.json_args;
    } else {
      cmd.script = m_in.args;
    }
    cmd.heredocs = m_in.heredocs;
    return cmd;
  }

  CopyCmd copy(bool add) {
    const char* name = add ? "ADD" : "COPY";
    std::vector<std::string> args = json_or_words();
    if (args.size() < 2) {
      throw std::invalid_argument(std::string(name) +
                                  " requires at least two arguments, but only one was provided. Destination could "
                                  "not be determined");
    }
    InstructionFlags flags(m_in.flag_words);
    flags.add_string("chown");
    flags.add_string("chmod");
    flags.add_bool("link");
    flags.add_strings("exclude");
    if (add) {
      flags.add_bool("keep-git-dir");
      flags.add_string("checksum");
      flags.add_bool("unpack");
    } else {
      flags.add_string("from");
      flags.add_bool("parents");
    }
    parse_flags(flags);
    if (parse_heredoc_marker(args.back())) {
      throw std::invalid_argument(std::string(name) + " cannot accept a heredoc as a destination");
    }
    std::map<std::string, const Heredoc*> bodies;
    for (const Heredoc& heredoc : m_in.heredocs) bodies[heredoc.name] = &heredoc;

    CopyCmd cmd;
    cmd.add = add;
    args.pop_back();
    for (const std::string& source : args) {
      if (auto marker = parse_heredoc_marker(source)) {
        auto it = bodies.find(marker->name);
        if (it != bodies.end()) marker->content = it->second->content;
        if (marker->expand) marker->content = expand_heredoc(marker->content);
        cmd.heredocs.push_back(std::move(*marker));
      } else {
        cmd.sources.push_back(expand(source));
      }
    }
    cmd.dest = expand(json_or_words().back());
    cmd.chown = expand(flags.value("chown"));
    cmd.chmod = expand(flags.value("chmod"));
    cmd.link = flags.is_true("link");
    cmd.excludes = flags.values("exclude");  // BuildKit does not expand these
    if (add) {
      cmd.checksum = expand(flags.value("checksum"));
      cmd.keep_git_dir = flags.is_true("keep-git-dir");
      if (flags.used("unpack")) cmd.unpack = flags.is_true("unpack");
    } else {
      cmd.from = copy_from(flags.value("from"));
      cmd.parents = flags.is_true("parents");
    }
    return cmd;
  }

  /// COPY --from is not expanded: BuildKit lexes it without variables and refuses any change.
  std::string copy_from(const std::string& from) const {
    if (from.empty()) return from;
    VarLookup none = [](const std::string&) -> std::optional<std::string> { return std::nullopt; };
    std::string lexed;
    try {
      lexed = expand_word(from, none, m_df.escape);
    } catch (const ExpandError& e) {
      throw m_df.error(m_in.line, e.what());
    }
    if (lexed != from) {
      throw m_df.error(m_in.line,
                       "variable expansion is not supported for --from, define a new stage with FROM using "
                       "ARG from global scope as a workaround");
    }
    return from;
  }

  std::optional<Heredoc> parse_heredoc_marker(std::string_view word) const {
    try {
      return parse_heredoc_word(word);
    } catch (const ExpandError&) {
      return std::nullopt;  // BuildKit's MustParseHeredoc: not a heredoc
    }
  }

  /// A COPY/ADD heredoc body: variables only, with BuildKit's fixed `\` escape.
  std::string expand_heredoc(std::string_view content) const {
    try {
      return expand_only(content, m_vars, '\\');
    } catch (const ExpandError& e) {
      throw m_df.error(m_in.line, e.what());
    }
  }

  /// ENV and LABEL: `k=v k2="v 2"` or the legacy `k value with spaces`.
  std::vector<std::pair<std::string, std::string>> key_values(const std::string& keyword) {
    std::vector<std::string> words = split_quoted_words(m_in.args, m_df.escape);
    std::vector<std::pair<std::string, std::string>> raw;
    if (!words.empty() && words[0].find('=') == std::string::npos) {
      std::size_t blank = m_in.args.find_first_of(" \t\v\f\r");
      if (blank == std::string::npos) throw std::invalid_argument(keyword + " must have two arguments");
      std::size_t value_start = m_in.args.find_first_not_of(" \t\v\f\r", blank);
      raw.emplace_back(m_in.args.substr(0, blank), m_in.args.substr(value_start));
    } else {
      for (const std::string& word : words) {
        std::size_t eq = word.find('=');
        if (eq == std::string::npos) {
          throw std::invalid_argument("Syntax error - can't find = in \"" + word +
                                      "\". Must be of the form: name=value");
        }
        raw.emplace_back(word.substr(0, eq), word.substr(eq + 1));
      }
    }
    InstructionFlags flags(m_in.flag_words);
    parse_flags(flags);
    if (raw.empty()) throw std::invalid_argument(keyword + " requires at least one argument");
    std::vector<std::pair<std::string, std::string>> out;
    for (const auto& [key, value] : raw) {
      if (key.empty()) throw std::invalid_argument(keyword + " names can not be blank");
    }
    for (const auto& [key, value] : raw) out.emplace_back(expand(key), expand(value));
    return out;
  }

  ArgCmd arg() {
    std::vector<std::string> words = split_quoted_words(m_in.args, m_df.escape);
    if (words.empty()) throw std::invalid_argument("ARG requires at least one argument");
    ArgCmd cmd;
    for (const std::string& word : words) {
      std::size_t eq = word.find('=');
      if (eq == 0) throw std::invalid_argument("ARG names can not be blank");
      if (eq == std::string::npos) {
        cmd.args.emplace_back(word, std::nullopt);
      } else {
        cmd.args.emplace_back(word.substr(0, eq), word.substr(eq + 1));
      }
    }
    // BuildKit reads no flags on ARG.
    for (auto& [key, value] : cmd.args) {
      key = expand(key);
      if (value) value = expand(*value);
    }
    return cmd;
  }

  ExposeCmd expose() {
    std::vector<std::string> args = split_whitespace(m_in.args);
    if (args.empty()) throw std::invalid_argument("EXPOSE requires at least one argument");
    InstructionFlags flags(m_in.flag_words);
    parse_flags(flags);
    std::vector<std::string> words;
    for (const std::string& arg : args) {
      try {
        for (std::string& word : expand_words(arg, m_vars, m_df.escape)) words.push_back(std::move(word));
      } catch (const ExpandError& e) {
        throw m_df.error(m_in.line, e.what());
      }
    }
    try {
      return ExposeCmd{parse_expose_ports(words)};
    } catch (const std::invalid_argument& e) {
      throw m_df.error(m_in.line, e.what());
    }
  }

  VolumeCmd volume() {
    std::vector<std::string> args = json_or_words();
    if (args.empty()) throw std::invalid_argument("VOLUME requires at least one argument");
    InstructionFlags flags(m_in.flag_words);
    parse_flags(flags);
    VolumeCmd cmd;
    for (const std::string& arg : args) {
      std::string_view path = dockerfile_trim(arg);
      if (path.empty()) throw std::invalid_argument("VOLUME specified can not be an empty string");
      cmd.paths.push_back(expand(path));
    }
    return cmd;
  }

  CommandCmd command(bool entrypoint) {
    InstructionFlags flags(m_in.flag_words);
    parse_flags(flags);
    CommandCmd cmd;
    cmd.entrypoint = entrypoint;
    cmd.shell_form = !m_in.json_form;
    if (m_in.json_form) {
      cmd.args = m_in.json_args;
    } else if (!m_in.args.empty()) {
      cmd.args = {m_in.args};
    }
    return cmd;
  }

  std::chrono::nanoseconds health_interval(InstructionFlags& flags, const std::string& name) const {
    const std::string& text = flags.value(name);
    if (text.empty()) return std::chrono::nanoseconds{0};
    // gocompat's parser also takes go-str2duration's d and w, which time.ParseDuration does not.
    std::optional<int64_t> ns;
    if (text.find_first_of("dw") == std::string::npos) ns = gocompat::parse_duration_ns(text);
    if (!ns) throw std::invalid_argument("time: invalid duration \"" + text + "\"");
    if (*ns == 0) return std::chrono::nanoseconds{0};
    if (*ns < 1'000'000) throw std::invalid_argument("Interval \"" + name + "\" cannot be less than 1ms");
    return std::chrono::nanoseconds{*ns};
  }

  HealthcheckCmd healthcheck() {
    std::string_view args = m_in.args;
    if (args.empty()) throw std::invalid_argument("HEALTHCHECK requires at least one argument");
    std::size_t sep = 0;
    while (sep < args.size() && !dockerfile_is_space(args[sep])) ++sep;
    std::string type = instruction_upper(args.substr(0, sep));
    std::string_view rest = dockerfile_trim(args.substr(sep));
    HealthcheckCmd cmd;
    if (type == "NONE") {
      if (!rest.empty()) throw std::invalid_argument("HEALTHCHECK NONE takes no arguments");
      cmd.none = true;
      cmd.test = {"NONE"};
      return cmd;
    }
    InstructionFlags flags(m_in.flag_words);
    for (const char* name : {"interval", "timeout", "start-period", "start-interval", "retries"})
      flags.add_string(name);
    parse_flags(flags);
    if (type != "CMD") throw std::invalid_argument("Unknown type \"" + type + "\" in HEALTHCHECK (try CMD)");
    if (m_in.json_form) {
      if (m_in.json_args.empty()) throw std::invalid_argument("Missing command after HEALTHCHECK CMD");
      cmd.test = {"CMD"};
      cmd.test.insert(cmd.test.end(), m_in.json_args.begin(), m_in.json_args.end());
    } else {
      if (rest.empty()) throw std::invalid_argument("Missing command after HEALTHCHECK CMD");
      cmd.test = {"CMD-SHELL", std::string(rest)};
    }
    cmd.interval = health_interval(flags, "interval");
    cmd.timeout = health_interval(flags, "timeout");
    cmd.start_period = health_interval(flags, "start-period");
    cmd.start_interval = health_interval(flags, "start-interval");
    const std::string& retries = flags.value("retries");
    if (!retries.empty()) {
      std::string_view digits = retries;
      if (digits.front() == '+') digits.remove_prefix(1);
      int value = 0;
      auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
      if (digits.empty() || end != digits.data() + digits.size() || ec == std::errc::invalid_argument) {
        throw std::invalid_argument("strconv.ParseInt: parsing \"" + retries + "\": invalid syntax");
      }
      if (ec == std::errc::result_out_of_range) {
        throw std::invalid_argument("strconv.ParseInt: parsing \"" + retries + "\": value out of range");
      }
      if (value < 0) throw std::invalid_argument("--retries cannot be negative (" + std::to_string(value) + ")");
      cmd.retries = value;
    }
    return cmd;
  }

  ShellCmd shell() {
    InstructionFlags flags(m_in.flag_words);
    parse_flags(flags);
    if (m_in.json_form ? m_in.json_args.empty() : m_in.args.empty()) {
      throw std::invalid_argument("SHELL requires at least one argument");
    }
    if (!m_in.json_form) throw std::invalid_argument("SHELL requires the arguments to be in JSON form");
    return ShellCmd{m_in.json_args};
  }

  OnbuildCmd onbuild() {
    if (m_in.args.empty()) throw std::invalid_argument("ONBUILD requires at least one argument");
    InstructionFlags flags(m_in.flag_words);
    parse_flags(flags);
    SplitLine trigger = split_instruction_line(m_in.args, m_df.escape);
    std::string keyword = instruction_upper(trigger.keyword);
    if (keyword == "ONBUILD") throw std::invalid_argument("Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed");
    if (keyword == "MAINTAINER" || keyword == "FROM") {
      throw std::invalid_argument(keyword + " isn't allowed as an ONBUILD trigger");
    }
    // The original line without `ONBUILD` (case-insensitive) and the blanks after it.
    std::string_view original = m_in.original;
    while (!original.empty() && dockerfile_is_space(original.front())) original.remove_prefix(1);
    if (original.size() >= 7 && instruction_upper(original.substr(0, 7)) == "ONBUILD") original.remove_prefix(7);
    while (!original.empty() && dockerfile_is_space(original.front())) original.remove_prefix(1);
    std::string expression(original);
    for (const Heredoc& heredoc : m_in.heredocs) expression += "\n" + heredoc.content + heredoc.name;
    return OnbuildCmd{expression};
  }

  const Dockerfile& m_df;
  const Instruction& m_in;
  const VarLookup& m_vars;
};

}  // namespace

Command compile_instruction(const Dockerfile& df, const Instruction& in, const VarLookup& vars) {
  return InstructionCompiler(df, in, vars).compile();
}

const std::vector<std::string>& predefined_args() {
  static const std::vector<std::string> names{"HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "FTP_PROXY",
                                              "ftp_proxy",  "NO_PROXY",   "no_proxy",    "ALL_PROXY",   "all_proxy"};
  return names;
}

}  // namespace berth::build
