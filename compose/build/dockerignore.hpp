#pragma once
// `.dockerignore` as Docker reads it (moby/patternmatcher + the CLI's ReadAll): one pattern per
// line, `#` comments, blank lines skipped, surrounding whitespace trimmed, each pattern cleaned
// (filepath.Clean, a leading `/` dropped), `!` for an exception, Go filepath.Match syntax per path
// element plus `**` for any number of elements. A path is excluded when the last rule that
// matches it or one of its parent directories is not an exception ("last match wins"), so
// `!dir/keep` re-includes a file inside an excluded `dir`.
#include <string>
#include <string_view>
#include <vector>

namespace berth::build {

struct IgnoreRule {
  std::string pattern;     ///< cleaned, without the `!`
  bool exception = false;  ///< written with a leading `!`
  std::string file;        ///< the .dockerignore it came from (display path)
  int line = 0;            ///< 1-based
  std::string text;        ///< the line as written
};

class IgnoreMatcher {
 public:
  IgnoreMatcher() = default;  ///< ignores nothing

  /// Parses a .dockerignore's content; `file` names it in rules (and in errors for a pattern
  /// Go's filepath.Match would reject, e.g. an unterminated `[`: std::invalid_argument).
  static IgnoreMatcher parse(std::string_view text, const std::string& file);
  /// Rules from patterns given directly (COPY --exclude), as if each were one line of `file`.
  static IgnoreMatcher from_patterns(const std::vector<std::string>& patterns, const std::string& file);

  /// The rule that excludes `path` (relative to the context, '/'-separated, no leading "./"),
  /// or nullptr when the path is included.
  const IgnoreRule* excluded_by(std::string_view path) const;
  bool excluded(std::string_view path) const { return excluded_by(path) != nullptr; }
  /// Whether a walk must still enter an excluded directory `dir` because an exception rule
  /// could re-include something below it.
  bool may_include_below(std::string_view dir) const;

  bool empty() const noexcept { return m_rules.empty(); }
  const std::vector<IgnoreRule>& rules() const noexcept { return m_rules; }

 private:
  std::vector<IgnoreRule> m_rules;
};

/// The ignore file of a build: `<dockerfile>.dockerignore` beside the Dockerfile when it
/// exists, else `<context>/.dockerignore`, else an empty matcher. `dockerfile_path` may be "".
IgnoreMatcher load_dockerignore(const std::string& context_dir, const std::string& dockerfile_path);

}  // namespace berth::build
