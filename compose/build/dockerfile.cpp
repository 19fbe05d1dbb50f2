// Dockerfile text → instructions, as BuildKit's parser (frontend/dockerfile/parser/parser.go)
// reads it. Line by line: parser directives only in the leading run of `# key=value` comments
// (the first other line, even an empty one, ends them); comment lines dropped; a line ending in
// the escape character (trailing blanks allowed, not when the escape is itself escaped) continues
// on the next, where comment and empty lines are skipped; after an instruction that may carry
// heredocs (RUN, COPY, ADD, also as an ONBUILD trigger; not in exec form) each marker's body is
// read up to its delimiter line, in order.
#include "compose/build/dockerfile.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <set>
#include <stdexcept>

#include "compose/build/dockerfile_split.hpp"
#include "compose/build/shell_lex.hpp"

namespace berth::build {

namespace {

constexpr std::array<std::string_view, 18> k_dockerfile_keywords{
    "ADD",   "ARG",        "CMD",     "COPY", "ENTRYPOINT", "ENV",        "EXPOSE", "FROM",   "HEALTHCHECK",
    "LABEL", "MAINTAINER", "ONBUILD", "RUN",  "SHELL",      "STOPSIGNAL", "USER",   "VOLUME", "WORKDIR"};

std::string dockerfile_upper(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

std::string dockerfile_lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool is_known_keyword(std::string_view upper) {
  return std::find(k_dockerfile_keywords.begin(), k_dockerfile_keywords.end(), upper) != k_dockerfile_keywords.end();
}

/// Levenshtein distance, for "did you mean".
std::size_t keyword_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

std::string unknown_instruction_message(std::string_view keyword) {
  std::string message = "unknown instruction: " + std::string(keyword);
  if (keyword.size() > 64) return message;
  std::string upper = dockerfile_upper(keyword);
  std::string_view best;
  std::size_t best_distance = 3;
  for (std::string_view known : k_dockerfile_keywords) {
    std::size_t d = keyword_distance(upper, known);
    if (d < best_distance) {
      best = known;
      best_distance = d;
    }
  }
  if (!best.empty() && best_distance < upper.size()) message += " (did you mean " + dockerfile_lower(best) + "?)";
  return message;
}

std::string_view df_trim_newline(std::string_view line) {
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);
  return line;
}

std::string_view df_trim_leading_space(std::string_view line) {
  while (!line.empty() && dockerfile_is_space(line.front())) line.remove_prefix(1);
  return line;
}

bool df_is_comment_line(std::string_view line) {
  line = df_trim_leading_space(line);
  return !line.empty() && line.front() == '#';
}

/// BuildKit's line continuation regex `([^E])E[ \t]*$|^E[ \t]*$`: the line without the escape
/// (and the blanks after it) and true when it continues.
std::pair<std::string_view, bool> df_trim_continuation(std::string_view line, char escape) {
  std::string_view s = line;
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  if (!s.empty() && s.back() == escape && (s.size() == 1 || s[s.size() - 2] != escape)) {
    return {s.substr(0, s.size() - 1), true};
  }
  return {line, false};
}

/// The parser directives at the top of the file (parser/directives.go).
class DirectiveReader {
 public:
  /// Reads `line` (leading blanks removed) as a possible directive; true when it was one.
  bool read(Dockerfile& df, std::string_view line, int line_no) {
    if (m_done) return false;
    if (line.empty() || line.front() != '#') {
      m_done = true;
      return false;
    }
    line = df_trim_leading_space(line.substr(1));
    // ^([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.+?)\s*$
    std::size_t i = 0;
    while (i < line.size() && std::isalnum(static_cast<unsigned char>(line[i])) != 0) ++i;
    std::string_view key = line.substr(0, i);
    std::string_view rest = df_trim_leading_space(line.substr(i));
    if (key.empty() || std::isalpha(static_cast<unsigned char>(key[0])) == 0 || rest.empty() || rest[0] != '=') {
      m_done = true;
      return false;
    }
    std::string_view value = dockerfile_trim(rest.substr(1));
    std::string name = dockerfile_lower(key);
    if (value.empty() || (name != "syntax" && name != "escape" && name != "check")) {
      m_done = true;
      return false;
    }
    if (!m_seen.insert(name).second) throw df.error(line_no, "only one " + name + " parser directive can be used");
    if (name == "escape") {
      if (value != "\\" && value != "`") {
        throw df.error(line_no, "invalid escape token '" + std::string(value) + "' does not match ` or \\");
      }
      df.escape = value[0];
    } else if (name == "syntax") {
      df.syntax = std::string(value);
      df.warnings.push_back(df.file + ":" + std::to_string(line_no) +
                            ": syntax directive ignored (building offline with Berth's own frontend): " + df.syntax);
    } else {
      df.check = std::string(value);
    }
    return true;
  }

 private:
  bool m_done = false;
  std::set<std::string> m_seen;
};

/// Keyword, flags, arguments and exec form of one joined instruction line.
Instruction make_instruction(const Dockerfile& df, const std::string& line, int start_line) {
  SplitLine split = split_instruction_line(line, df.escape);
  Instruction in;
  in.keyword = dockerfile_upper(split.keyword);
  in.line = start_line;
  in.original = line;
  if (!is_known_keyword(in.keyword)) throw df.error(start_line, unknown_instruction_message(split.keyword));
  for (const std::string& word : split.flag_words) {
    std::string_view flag = std::string_view(word).substr(std::min<std::size_t>(2, word.size()));
    std::size_t eq = flag.find('=');
    in.flags.emplace_back(std::string(flag.substr(0, eq)),
                          eq == std::string_view::npos ? std::string() : std::string(flag.substr(eq + 1)));
  }
  in.flag_words = std::move(split.flag_words);
  in.args = std::move(split.args);

  static constexpr std::array<std::string_view, 7> k_maybe_json{"CMD",  "ENTRYPOINT", "RUN",   "SHELL",
                                                                "COPY", "ADD",        "VOLUME"};
  std::string_view json_part;
  bool may_be_json = false;
  if (std::find(k_maybe_json.begin(), k_maybe_json.end(), in.keyword) != k_maybe_json.end()) {
    json_part = in.args;
    may_be_json = true;
  } else if (in.keyword == "HEALTHCHECK") {
    std::size_t sep = 0;
    while (sep < in.args.size() && !dockerfile_is_space(in.args[sep])) ++sep;
    json_part = df_trim_leading_space(std::string_view(in.args).substr(sep));
    may_be_json = sep > 0 && !json_part.empty();
  }
  if (may_be_json) {
    try {
      if (auto elements = parse_exec_form(json_part)) {
        in.json_form = true;
        in.json_args = std::move(*elements);
      }
    } catch (const std::invalid_argument& e) {
      throw df.error(start_line, e.what());
    }
  }
  return in;
}

/// RUN, COPY and ADD in shell form, also as an ONBUILD trigger, may carry heredocs.
bool can_contain_heredoc(const Dockerfile& df, const Instruction& in) {
  std::string keyword = in.keyword;
  bool json = in.json_form;
  if (keyword == "ONBUILD") {
    SplitLine trigger = split_instruction_line(in.args, df.escape);
    keyword = dockerfile_upper(trigger.keyword);
    try {
      json = parse_exec_form(trigger.args).has_value();
    } catch (const std::invalid_argument&) {
      json = false;
    }
  }
  return (keyword == "RUN" || keyword == "COPY" || keyword == "ADD") && !json;
}

std::string df_strip_leading_tabs(std::string_view content) {
  std::string out;
  bool line_start = true;
  for (char c : content) {
    if (line_start && c == '\t') continue;
    line_start = c == '\n';
    out += c;
  }
  return out;
}

std::vector<std::string_view> df_split_raw_lines(std::string_view text) {
  std::vector<std::string_view> lines;
  while (!text.empty()) {
    std::size_t nl = text.find('\n');
    std::size_t len = nl == std::string_view::npos ? text.size() : nl + 1;
    lines.push_back(text.substr(0, len));
    text.remove_prefix(len);
  }
  return lines;
}

}  // namespace

Dockerfile parse_dockerfile(std::string_view text, const std::string& file) {
  Dockerfile df;
  df.file = file;
  if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);
  std::vector<std::string_view> raw = df_split_raw_lines(text);
  for (std::string_view line : raw) df.lines.emplace_back(df_trim_newline(line));

  DirectiveReader directives;
  std::size_t next = 0;
  while (next < raw.size()) {
    int start_line = static_cast<int>(next) + 1;
    std::string_view first = df_trim_leading_space(df_trim_newline(raw[next++]));
    directives.read(df, first, start_line);
    if (df_is_comment_line(first)) first = {};
    auto [head, continues] = df_trim_continuation(first, df.escape);
    if (!continues && head.empty()) continue;

    std::string line(head);
    bool empty_continuation = false;
    while (continues && next < raw.size()) {
      std::string_view part = df_trim_newline(raw[next++]);
      if (df_is_comment_line(part)) continue;
      if (df_trim_leading_space(part).empty()) {
        empty_continuation = true;
        continue;
      }
      auto [body, more] = df_trim_continuation(part, df.escape);
      line += body;
      continues = more;
    }
    if (empty_continuation) {
      df.warnings.push_back(df.file + ":" + std::to_string(next) + ": empty continuation line found in: " + line +
                            " (empty continuation lines will become errors in a future release)");
    }

    Instruction in = make_instruction(df, line, start_line);
    if (can_contain_heredoc(df, in) && line.find("<<") != std::string::npos) {
      std::vector<Heredoc> markers;
      try {
        markers = heredoc_markers(line);
      } catch (const ExpandError& e) {
        throw df.error(start_line, e.what());
      }
      for (Heredoc& heredoc : markers) {
        bool terminated = false;
        while (next < raw.size()) {
          std::string_view body_line = raw[next++];
          std::string_view candidate = df_trim_newline(body_line);
          if (heredoc.strip_tabs)
            candidate.remove_prefix(std::min(candidate.size(), candidate.find_first_not_of('\t')));
          if (candidate == heredoc.name) {
            terminated = true;
            break;
          }
          heredoc.content += body_line;
        }
        if (!terminated) throw df.error(start_line, "unterminated heredoc");
        if (heredoc.strip_tabs) heredoc.content = df_strip_leading_tabs(heredoc.content);
        in.heredocs.push_back(std::move(heredoc));
      }
    }
    in.end_line = static_cast<int>(next);
    df.instructions.push_back(std::move(in));
  }

  if (df.instructions.empty()) throw df.error(1, "the Dockerfile cannot be empty");
  for (const Instruction& in : df.instructions) {
    if (in.keyword == "FROM") return df;
    if (in.keyword != "ARG") {
      throw df.error(in.line,
                     "no build stage in current context: the first instruction must be FROM (only ARG may "
                     "come before it), not " +
                         in.keyword);
    }
  }
  throw df.error(df.instructions.back().line, "dockerfile contains no stages to build: no FROM instruction");
}

}  // namespace berth::build
