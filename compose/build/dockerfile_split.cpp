// The per-line part of BuildKit's Dockerfile parser. Flag words are read as extractBuilderFlags
// reads them: quotes group, the escape character takes the next character literally, and the
// first word that does not start with `--` ends the flags. A heredoc marker is recognised the
// way BuildKit does it: lex the whole line keeping quotes and escapes, match every word against
// `^(\d*)<<(-?)\s*([^<]*)$`, and call the marker quoted ("do not expand") when lexing its name
// without keeping quotes loses quote characters.
#include "compose/build/dockerfile_split.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <stdexcept>

#include "compose/build/shell_lex.hpp"

namespace berth::build {

std::string_view dockerfile_trim(std::string_view text) {
  while (!text.empty() && dockerfile_is_space(text.front())) text.remove_prefix(1);
  while (!text.empty() && dockerfile_is_space(text.back())) text.remove_suffix(1);
  return text;
}

std::vector<std::string> split_whitespace(std::string_view text) {
  auto is_blank = [](char c) { return c == '\t' || c == '\v' || c == '\f' || c == '\r' || c == ' '; };
  std::vector<std::string> out;
  if (text.empty()) return out;
  std::string current;
  bool after_blank = false;
  for (char c : text) {
    if (is_blank(c)) {
      after_blank = true;
      continue;
    }
    if (after_blank) {
      out.push_back(std::move(current));
      current.clear();
      after_blank = false;
    }
    current += c;
  }
  // Go's regexp Split keeps a leading and a trailing empty field; BuildKit calls it on trimmed text.
  out.push_back(std::move(current));
  if (after_blank) out.emplace_back();
  return out;
}

namespace {

enum class FlagPhase { spaces, word, quote };

/// extractBuilderFlags: the flag words at the start of `line` and where the arguments begin.
std::pair<std::vector<std::string>, std::string_view> extract_builder_flags(std::string_view line, char escape) {
  std::vector<std::string> words;
  FlagPhase phase = FlagPhase::spaces;
  std::string word;
  char quote = 0;
  bool blank_ok = false;
  for (std::size_t pos = 0; pos <= line.size(); ++pos) {
    char c = pos < line.size() ? line[pos] : '\0';
    if (phase == FlagPhase::spaces) {
      if (pos == line.size()) break;
      if (dockerfile_is_space(c)) continue;
      if (c != '-' || pos + 1 == line.size() || line[pos + 1] != '-') return {std::move(words), line.substr(pos)};
      phase = FlagPhase::word;
    }
    if (pos == line.size()) {
      if (word != "--" && (blank_ok || !word.empty())) words.push_back(word);
      break;
    }
    if (phase == FlagPhase::word) {
      if (dockerfile_is_space(c)) {
        phase = FlagPhase::spaces;
        if (word == "--") return {std::move(words), line.substr(pos)};
        if (blank_ok || !word.empty()) words.push_back(word);
        word.clear();
        blank_ok = false;
        continue;
      }
      if (c == '\'' || c == '"') {
        quote = c;
        blank_ok = true;
        phase = FlagPhase::quote;
        continue;
      }
      if (c == escape) {
        if (pos + 1 == line.size()) continue;  // an escape at the very end is dropped
        c = line[++pos];
      }
      word += c;
      continue;
    }
    // FlagPhase::quote
    if (c == quote) {
      phase = FlagPhase::word;
      continue;
    }
    if (c == escape) {
      if (pos + 1 == line.size()) {
        phase = FlagPhase::word;
        continue;
      }
      c = line[++pos];
    }
    word += c;
  }
  return {std::move(words), std::string_view{}};
}

}  // namespace

SplitLine split_instruction_line(std::string_view line, char escape) {
  SplitLine out;
  std::string_view text = dockerfile_trim(line);
  std::size_t end = 0;
  while (end < text.size() && !dockerfile_is_space(text[end])) ++end;
  out.keyword = std::string(text.substr(0, end));
  std::string_view rest = text.substr(end);
  while (!rest.empty() && dockerfile_is_space(rest.front())) rest.remove_prefix(1);
  if (rest.empty()) return out;
  auto [flags, args] = extract_builder_flags(rest, escape);
  out.flag_words = std::move(flags);
  out.args = std::string(dockerfile_trim(args));
  return out;
}

std::optional<std::vector<std::string>> parse_exec_form(std::string_view args) {
  while (!args.empty() && dockerfile_is_space(args.front())) args.remove_prefix(1);
  if (args.empty() || args.front() != '[') return std::nullopt;
  nlohmann::json doc = nlohmann::json::parse(args, nullptr, false);
  if (doc.is_discarded() || !doc.is_array()) return std::nullopt;
  std::vector<std::string> out;
  for (const auto& element : doc) {
    if (!element.is_string()) {
      throw std::invalid_argument("when using JSON array syntax, arrays must be comprised of strings only");
    }
    out.push_back(element.get<std::string>());
  }
  return out;
}

std::optional<Heredoc> parse_heredoc_word(std::string_view word) {
  // ^(\d*)<<(-?)\s*([^<]*)$
  std::size_t i = 0;
  while (i < word.size() && word[i] >= '0' && word[i] <= '9') ++i;
  if (word.substr(i, 2) != "<<") return std::nullopt;
  i += 2;
  bool strip_tabs = i < word.size() && word[i] == '-';
  if (strip_tabs) ++i;
  while (i < word.size() &&
         (word[i] == ' ' || word[i] == '\t' || word[i] == '\n' || word[i] == '\f' || word[i] == '\r')) {
    ++i;
  }
  std::string_view rest = word.substr(i);
  if (rest.empty() || rest.find('<') != std::string_view::npos) return std::nullopt;

  VarLookup none = [](const std::string&) -> std::optional<std::string> { return std::nullopt; };
  LexOptions options;
  options.skip_unset_env = true;
  std::vector<std::string> words = lex(rest, none, '\\', options).words;
  if (words.size() != 1) return std::nullopt;
  options.raw_quotes = true;
  std::vector<std::string> raw = lex(rest, none, '\\', options).words;
  if (raw.size() != words.size()) {
    throw ExpandError("internal lexing of heredoc produced inconsistent results: " + std::string(rest));
  }
  auto quotes = [](const std::string& text) {
    return std::count(text.begin(), text.end(), '\'') + std::count(text.begin(), text.end(), '"');
  };
  Heredoc heredoc;
  heredoc.name = words[0];
  heredoc.expand = quotes(words[0]) == quotes(raw[0]);
  heredoc.strip_tabs = strip_tabs;
  return heredoc;
}

std::vector<Heredoc> heredoc_markers(std::string_view line) {
  VarLookup none = [](const std::string&) -> std::optional<std::string> { return std::nullopt; };
  LexOptions options;
  options.raw_quotes = true;
  options.raw_escapes = true;
  options.skip_unset_env = true;
  std::vector<std::string> words;
  try {
    words = lex(line, none, '\\', options).words;
  } catch (const ExpandError&) {
    return {};  // BuildKit ignores a line it cannot lex here: no heredocs
  }
  std::vector<Heredoc> out;
  for (const std::string& word : words) {
    if (auto heredoc = parse_heredoc_word(word)) out.push_back(std::move(*heredoc));
  }
  return out;
}

}  // namespace berth::build
