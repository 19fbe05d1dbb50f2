// Dockerfile instructions for `--change`, following the Dockerfile reference:
//   CMD/ENTRYPOINT ["exe","arg"] (exec form) or `CMD cmd args` (shell form: /bin/sh -c "...");
//   ENV k=v [k2="v 2" ...] or the legacy `ENV k the rest is the value`; LABEL likewise;
//   WORKDIR relative to the previous WorkingDir; EXPOSE 80 53/udp 8000-8002; VOLUME ["/a"] or /a /b;
//   USER user[:group]; STOPSIGNAL SIGTERM or 15.
// Words are split and unquoted like the Dockerfile shell lexer: '...' is literal, "..." allows
// \" \\ \$ escapes and expansion, a backslash outside quotes escapes the next character.
// Variables expand from the Env before the instruction (so `ENV a=1 b=$a` sees the old `a`).
#include "compose/image/change.hpp"

#include <cctype>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "compose/gocompat/path.hpp"

namespace berth::image {

namespace {

using nlohmann::json;
using Env = std::map<std::string, std::string>;

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }
bool is_name_char(char c, bool first) {
  return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (!first && c >= '0' && c <= '9');
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

class Lexer {
 public:
  Lexer(std::string_view text, const Env& env) : m_s(text), m_env(env) {}

  /// All words (split = true) or the whole text as one word (split = false).
  std::vector<std::string> words(bool split) {
    std::vector<std::string> out;
    std::string cur;
    bool have = false;
    while (m_i < m_s.size()) {
      char c = m_s[m_i];
      if (split && is_space(c)) {
        ++m_i;
        if (have) out.push_back(std::exchange(cur, {}));
        have = false;
        continue;
      }
      have = true;
      if (c == '\'') {
        size_t end = m_s.find('\'', m_i + 1);
        if (end == std::string_view::npos) throw std::invalid_argument("unterminated single quote");
        cur.append(m_s.substr(m_i + 1, end - m_i - 1));
        m_i = end + 1;
      } else if (c == '"') {
        ++m_i;
        for (;;) {
          if (m_i >= m_s.size()) throw std::invalid_argument("unterminated double quote");
          char d = m_s[m_i];
          if (d == '"') break;
          if (d == '\\' && m_i + 1 < m_s.size() &&
              (m_s[m_i + 1] == '"' || m_s[m_i + 1] == '\\' || m_s[m_i + 1] == '$')) {
            cur += m_s[m_i + 1];
            m_i += 2;
          } else if (d == '$') {
            cur += expand();
          } else {
            cur += d;
            ++m_i;
          }
        }
        ++m_i;
      } else if (c == '\\') {
        if (m_i + 1 < m_s.size())
          cur += m_s[m_i + 1];
        else
          cur += '\\';
        m_i += 2;
      } else if (c == '$') {
        cur += expand();
      } else {
        cur += c;
        ++m_i;
      }
    }
    if (have) out.push_back(std::move(cur));
    return out;
  }

 private:
  /// Expands the variable at m_i ('$'); a '$' not followed by a name is literal.
  std::string expand() {
    ++m_i;
    if (m_i < m_s.size() && m_s[m_i] == '{') {
      size_t close = m_s.find('}', m_i);
      if (close == std::string_view::npos) throw std::invalid_argument("missing '}' in variable substitution");
      std::string_view inner = m_s.substr(m_i + 1, close - m_i - 1);
      m_i = close + 1;
      size_t op = inner.find(':');
      std::string name(inner.substr(0, op));
      auto it = m_env.find(name);
      if (op == std::string_view::npos) return it == m_env.end() ? "" : it->second;
      if (op + 1 >= inner.size() || (inner[op + 1] != '-' && inner[op + 1] != '+'))
        throw std::invalid_argument("unsupported modifier in ${" + std::string(inner) + "}");
      std::vector<std::string> alt = Lexer(inner.substr(op + 2), m_env).words(false);
      std::string word = alt.empty() ? "" : alt.front();
      bool set = it != m_env.end() && !it->second.empty();
      if (inner[op + 1] == '-') return set ? it->second : word;
      return set ? word : "";
    }
    size_t start = m_i;
    while (m_i < m_s.size() && is_name_char(m_s[m_i], m_i == start)) ++m_i;
    if (m_i == start) return "$";
    auto it = m_env.find(std::string(m_s.substr(start, m_i - start)));
    return it == m_env.end() ? "" : it->second;
  }

  std::string_view m_s;
  const Env& m_env;
  size_t m_i = 0;
};

Env env_of(const json& config) {
  Env env;
  if (config.contains("Env") && config["Env"].is_array())
    for (const auto& kv : config["Env"]) {
      std::string s = kv.get<std::string>();
      size_t eq = s.find('=');
      env[s.substr(0, eq)] = eq == std::string::npos ? "" : s.substr(eq + 1);
    }
  return env;
}

/// The JSON (exec) form, when `args` is a JSON array of strings.
std::optional<std::vector<std::string>> json_form(std::string_view args) {
  if (args.empty() || args.front() != '[') return std::nullopt;
  json j = json::parse(args, nullptr, false);
  if (j.is_discarded() || !j.is_array()) return std::nullopt;
  std::vector<std::string> out;
  for (const auto& v : j) {
    if (!v.is_string()) return std::nullopt;
    out.push_back(v.get<std::string>());
  }
  return out;
}

/// key=value pairs, or the legacy `key value` form when the first word has no '='.
std::vector<std::pair<std::string, std::string>> name_values(std::string_view args, const Env& env, bool legacy_ok) {
  std::vector<std::pair<std::string, std::string>> out;
  std::vector<std::string> words = Lexer(args, env).words(true);
  if (words.empty()) throw std::invalid_argument("requires at least one argument");
  if (words.front().find('=') == std::string::npos) {
    if (!legacy_ok) throw std::invalid_argument("expected key=value");
    size_t sp = 0;
    while (sp < args.size() && !is_space(args[sp])) ++sp;
    std::vector<std::string> rest = Lexer(trim(args.substr(sp)), env).words(false);
    if (rest.empty()) throw std::invalid_argument("`" + words.front() + "` needs a value");
    out.emplace_back(words.front(), rest.front());
    return out;
  }
  for (const auto& w : words) {
    size_t eq = w.find('=');
    if (eq == std::string::npos || eq == 0) throw std::invalid_argument("`" + w + "`: expected key=value");
    out.emplace_back(w.substr(0, eq), w.substr(eq + 1));
  }
  return out;
}

std::string one_word(std::string_view args, const Env& env) {
  std::vector<std::string> w = Lexer(args, env).words(false);
  if (w.empty() || w.front().empty()) throw std::invalid_argument("requires exactly one argument");
  return w.front();
}

void expose(json& config, std::string_view args, const Env& env) {
  for (const std::string& w : Lexer(args, env).words(true)) {
    size_t slash = w.find('/');
    std::string ports = w.substr(0, slash), proto = slash == std::string::npos ? "tcp" : w.substr(slash + 1);
    for (char& c : proto) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (proto != "tcp" && proto != "udp" && proto != "sctp")
      throw std::invalid_argument("invalid protocol in `" + w + "`");
    size_t dash = ports.find('-');
    auto number = [&](const std::string& s) {
      if (s.empty() || s.find_first_not_of("0123456789") != std::string::npos || s.size() > 5 || std::stoi(s) > 65535)
        throw std::invalid_argument("invalid port `" + w + "`");
      return std::stoi(s);
    };
    int lo = number(ports.substr(0, dash)), hi = dash == std::string::npos ? lo : number(ports.substr(dash + 1));
    if (hi < lo) throw std::invalid_argument("invalid port range `" + w + "`");
    for (int p = lo; p <= hi; ++p) config["ExposedPorts"][std::to_string(p) + "/" + proto] = json::object();
  }
}

}  // namespace

void apply_change(json& config, std::string_view change) {
  std::string_view line = trim(change);
  size_t sp = 0;
  while (sp < line.size() && !is_space(line[sp])) ++sp;
  std::string keyword(line.substr(0, sp));
  for (char& c : keyword) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  std::string_view args = trim(line.substr(sp));
  Env env = env_of(config);
  try {
    if (keyword == "CMD" || keyword == "ENTRYPOINT") {
      auto exec = json_form(args);
      if (!exec && args.empty()) throw std::invalid_argument("requires at least one argument");
      config[keyword == "CMD" ? "Cmd" : "Entrypoint"] =
          exec ? *exec : std::vector<std::string>{"/bin/sh", "-c", std::string(args)};
    } else if (keyword == "ENV") {
      for (auto& [k, v] : name_values(args, env, true)) {
        json& list = config["Env"];
        if (!list.is_array()) list = json::array();
        bool replaced = false;
        for (auto& kv : list) {
          std::string s = kv.get<std::string>();
          if (s.substr(0, s.find('=')) != k) continue;
          kv = k + "=" + v;
          replaced = true;
        }
        if (!replaced) list.push_back(k + "=" + v);
      }
    } else if (keyword == "LABEL") {
      for (auto& [k, v] : name_values(args, env, true)) config["Labels"][k] = v;
    } else if (keyword == "WORKDIR") {
      std::string dir = one_word(args, env);
      std::string base = config.value("WorkingDir", std::string("/"));
      config["WorkingDir"] =
          gocompat::clean_path("/" + (dir.front() == '/' ? dir : (base.empty() ? "/" : base) + "/" + dir));
    } else if (keyword == "USER") {
      config["User"] = one_word(args, env);
    } else if (keyword == "STOPSIGNAL") {
      std::string sig = one_word(args, env);
      if (sig.find_first_of(" \t") != std::string::npos) throw std::invalid_argument("invalid signal `" + sig + "`");
      config["StopSignal"] = sig;
    } else if (keyword == "EXPOSE") {
      if (args.empty()) throw std::invalid_argument("requires at least one argument");
      expose(config, args, env);
    } else if (keyword == "VOLUME") {
      auto paths = json_form(args);
      std::vector<std::string> list = paths ? *paths : Lexer(args, env).words(true);
      if (list.empty()) throw std::invalid_argument("requires at least one argument");
      for (const auto& p : list) config["Volumes"][p] = json::object();
    } else {
      throw std::invalid_argument(
          "unsupported instruction (supported: CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, STOPSIGNAL, USER, VOLUME, "
          "WORKDIR)");
    }
  } catch (const std::invalid_argument& e) {
    throw std::invalid_argument("--change `" + std::string(line) + "`: " + (keyword.empty() ? "" : keyword + ": ") +
                                e.what());
  }
}

}  // namespace berth::image
