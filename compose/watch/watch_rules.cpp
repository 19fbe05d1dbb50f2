// develop.watch rules and their path matchers (see watch_rules.hpp).
#include "compose/watch/watch_rules.hpp"

#include <algorithm>

#include "compose/gocompat/path.hpp"

namespace berth::watch {

namespace {

std::string trim_space(const std::string& s) {
  const auto first = s.find_first_not_of(" \t\r\n\v\f");
  if (first == std::string::npos) return "";
  return s.substr(first, s.find_last_not_of(" \t\r\n\v\f") - first + 1);
}

/// absPatterns: each pattern cleaned, its `!` split off, made absolute against `root`; the
/// leading "/" then dropped, as the matcher compares paths relative to "/".
std::vector<std::string> absolute_patterns(const std::string& root, const std::vector<std::string>& patterns) {
  std::vector<std::string> out;
  for (const auto& raw : patterns) {
    std::string p = trim_space(raw);
    if (p.empty()) continue;
    p = gocompat::clean_path(p);
    const bool exception = p[0] == '!';
    std::string path = exception ? p.substr(1) : p;
    if (path.empty() || path[0] != '/') path = gocompat::clean_path(root + "/" + path);
    out.push_back((exception ? "!" : "") + path.substr(1));
  }
  return out;
}

}  // namespace

PathMatcher::PathMatcher(const std::string& root, std::vector<std::string> patterns) {
  // docker compose: with "*" among the patterns only the exceptions are kept (so that "*" plus
  // "!src" in a .dockerignore still lets changes under src through).
  if (std::find(patterns.begin(), patterns.end(), "*") != patterns.end())
    std::erase_if(patterns, [](const std::string& p) { return !p.empty() && p[0] != '!'; });
  const std::string abs_root = gocompat::clean_path(root.empty() ? "/" : root);
  m_matcher = build::IgnoreMatcher::from_patterns(absolute_patterns(abs_root, patterns), "develop.watch");
}

bool PathMatcher::matches(const std::string& path) const {
  if (m_matcher.empty()) return false;
  const std::string clean = gocompat::clean_path(path);
  if (clean == "/") return false;
  return m_matcher.excluded(std::string_view(clean).substr(clean[0] == '/' ? 1 : 0));
}

bool is_child(const std::string& dir, const std::string& path) {
  const std::string d = gocompat::clean_path(dir), p = gocompat::clean_path(path);
  if (d == p || d == "/") return true;
  return p.size() > d.size() && p.compare(0, d.size(), d) == 0 && p[d.size()] == '/';
}

std::optional<PathMapping> WatchRule::matches(const std::string& path) const {
  if (!is_child(trigger.path, path)) return std::nullopt;
  if (include && !include->matches(path)) return std::nullopt;
  for (const auto& m : ignore)
    if (m.matches(path)) return std::nullopt;
  PathMapping mapping{path, ""};
  if (!trigger.target.empty()) {
    const std::string root = gocompat::clean_path(trigger.path), p = gocompat::clean_path(path);
    const std::string rel = p.size() > root.size() ? p.substr(root.size() + (root == "/" ? 0 : 1)) : "";
    mapping.container_path = gocompat::clean_path(rel.empty() ? trigger.target : trigger.target + "/" + rel);
  }
  return mapping;
}

PathMatcher ephemeral_matcher() {
  return PathMatcher("/", {// GoLand
                           "**/*___jb_old___", "**/*___jb_tmp___", "**/.idea/**",
                           // Emacs
                           "**/.#*", "**/#*#",
                           // Vim (.swp, then .swo, .swn... when taken)
                           "**/4913", "**/*~", "**/.*.swp", "**/.*.swx", "**/.*.swo", "**/.*.swn",
                           // Kate
                           "**/.*.kate-swp",
                           // the Go tool's umask probes
                           "**/*-go-tmp-umask"});
}

PathMatcher dockerignore_matcher(const model::Service& service) {
  if (!service.build || service.build->context.empty()) return {};
  const std::string& context = service.build->context;
  std::string dockerfile = service.build->dockerfile.empty() ? "Dockerfile" : service.build->dockerfile;
  if (dockerfile[0] != '/') dockerfile = context + "/" + dockerfile;
  build::IgnoreMatcher ignore = build::load_dockerignore(context, dockerfile);
  std::vector<std::string> patterns;
  for (const auto& rule : ignore.rules()) patterns.push_back((rule.exception ? "!" : "") + rule.pattern);
  return PathMatcher(context, patterns);
}

std::vector<WatchRule> watch_rules(const model::Service& service) {
  std::vector<WatchRule> rules;
  if (!service.develop) return rules;
  const PathMatcher dockerignore = dockerignore_matcher(service);
  for (const auto& trigger : service.develop->watch) {
    WatchRule rule;
    rule.trigger = trigger;
    rule.service = service.name;
    if (!trigger.include.empty()) rule.include = PathMatcher(trigger.path, trigger.include);
    rule.ignore = {dockerignore, ephemeral_matcher(), PathMatcher("/", {".git/"}),
                   PathMatcher(trigger.path, trigger.ignore)};
    rules.push_back(std::move(rule));
  }
  return rules;
}

}  // namespace berth::watch
