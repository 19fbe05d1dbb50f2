// docker compose's publish checks and layers (pkg/compose/publish.go), on the files as written:
// each compose file is read again on its own, without interpolation, so what is checked and what
// is published are the user's text, not the resolved model.
#include "compose/engine/compose_publish.hpp"

#include <algorithm>
#include <deque>
#include <filesystem>
#include <regex>
#include <set>

#include "common/atomic_file.hpp"
#include "compose/gocompat/sha256.hpp"
#include "compose/loader/discover.hpp"
#include "compose/loader/interpolate.hpp"
#include "compose/loader/yaml_to_json.hpp"
#include "compose/model/yaml_emit.hpp"

namespace berth::engine {

namespace {

using PJson = nlohmann::json;

std::vector<loader::Document> publish_documents(const std::string& file) {
  return loader::parse_yaml_documents(read_file(file), file);
}

/// A service's env_file entries as written: a string, a list of strings or of {path: ...}.
std::vector<std::string> publish_env_files(const PJson& service) {
  std::vector<std::string> out;
  if (!service.is_object() || !service.contains("env_file")) return out;
  const PJson& e = service["env_file"];
  if (e.is_string()) out.push_back(e.get<std::string>());
  if (e.is_array())
    for (const auto& item : e)
      out.push_back(item.is_string()   ? item.get<std::string>()
                    : item.is_object() ? item.value("path", std::string())
                                       : std::string());
  return out;
}

/// A path as compose-go's ResolvePaths leaves it: interpolated, absolute against the project.
std::string publish_path(const loader::Project& project, const std::string& path) {
  std::string text = path;
  try {
    text = loader::interpolate(path, [&](std::string_view name) -> std::optional<std::string> {
      auto it = project.environment.find(std::string(name));
      return it == project.environment.end() ? std::nullopt : std::optional(it->second);
    });
  } catch (const std::exception&) {  // the project loaded: the loader reported any real problem
  }
  return loader::absolute_path(text, project.working_dir);
}

/// A local `extends.file` of `service` (in a file of directory `dir`), "" for none or a remote one.
std::string publish_extends_parent(const PJson& service, const loader::Project& project) {
  if (!service.is_object() || !service.contains("extends") || !service["extends"].is_object()) return "";
  const std::string file = service["extends"].value("file", "");
  if (file.empty()) return "";
  const std::string path = publish_path(project, file);
  std::error_code ec;
  return std::filesystem::exists(path, ec) ? path : "";
}

bool publish_regular_file(const std::string& path) {
  std::error_code ec;
  return std::filesystem::is_regular_file(path, ec);
}

/// compose-go's ServiceVolumeConfig.String().
std::string publish_volume_text(const model::ServiceVolume& v) {
  std::string options = v.read_only ? "ro" : "rw";
  if (v.bind && !v.bind->selinux.empty()) options += "," + v.bind->selinux;
  if (v.bind && !v.bind->propagation.empty()) options += "," + v.bind->propagation;
  if (v.volume && v.volume->nocopy) options += ",nocopy";
  return v.source + ":" + v.target + ":" + options;
}

struct PublishFindings {
  bool env_file = false;
  std::set<std::string> keys;
};

/// The value of a raw `environment` entry, nullopt for a name without a value.
std::vector<std::pair<std::string, std::optional<std::string>>> publish_environment(const PJson& service) {
  std::vector<std::pair<std::string, std::optional<std::string>>> out;
  if (!service.is_object() || !service.contains("environment")) return out;
  const PJson& env = service["environment"];
  if (env.is_object()) {
    for (const auto& [k, v] : env.items()) {
      if (v.is_null())
        out.emplace_back(k, std::nullopt);
      else
        out.emplace_back(k, v.is_string() ? v.get<std::string>() : v.dump());
    }
  } else if (env.is_array()) {
    for (const auto& item : env) {
      if (!item.is_string()) continue;
      const std::string s = item.get<std::string>();
      const auto eq = s.find('=');
      if (eq == std::string::npos)
        out.emplace_back(s, std::nullopt);
      else
        out.emplace_back(s.substr(0, eq), s.substr(eq + 1));
    }
  }
  return out;
}

/// compose's `$$` escape stands for a literal `$`: an "X" keeps the literal a literal.
std::string publish_unescape(std::string value) {
  for (std::size_t at = 0; (at = value.find("$$", at)) != std::string::npos;) value.replace(at, 2, "X");
  return value;
}

std::string publish_quoted(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

/// Replaces the scalar at `pointer` of document `index` in `text` by `value`.
std::string publish_replace_node(const std::string& text, const std::string& file, std::size_t index,
                                 const loader::Pointer& pointer, const std::string& value) {
  std::vector<loader::Document> docs = loader::parse_yaml_documents(text, file);
  if (index >= docs.size()) return text;
  const loader::Location at = docs[index].positions.find(pointer);
  if (!at.known()) return text;
  // The loader records a mapping entry where its key is written: the value starts after the
  // key's colon (a sequence item after its dash), where go-yaml's node points.
  std::size_t start = 0;
  for (int l = 1; l < at.line && start != std::string::npos; ++l) start = text.find('\n', start) + 1;
  const std::size_t line_end = std::min(text.find('\n', start), text.size());
  const std::string line = text.substr(start, line_end - start);
  std::size_t col = static_cast<std::size_t>(at.column - 1);
  const std::string key = pointer.empty() ? "" : pointer.back();
  if (line.compare(col, key.size(), key) == 0) {
    std::size_t after = line.find_first_not_of(" \t", col + key.size());
    if (after != std::string::npos && line[after] == ':') col = line.find_first_not_of(" \t", after + 1);
  } else if (line.compare(col, 2, "- ") == 0) {
    col = line.find_first_not_of(" \t", col + 1);
  }
  if (col == std::string::npos) return text;
  return replace_at(text, at.line, static_cast<int>(col) + 1, value);
}

/// docker compose's processFile: the file's text with env_file paths and local extends files
/// replaced by their hashed names; `env_files` and `extends_files` get path → hashed name.
std::string publish_file_text(const loader::Project& project, const std::string& file,
                              std::map<std::string, std::string>& extends_files,
                              std::map<std::string, std::string>& env_files) {
  std::string text = read_file(file);
  const std::vector<loader::Document> docs = loader::parse_yaml_documents(text, file);
  for (std::size_t d = 0; d < docs.size(); ++d) {
    const PJson& value = docs[d].value;
    if (!value.is_object() || !value.contains("services") || !value["services"].is_object()) continue;
    for (const auto& [name, service] : value["services"].items()) {
      const std::vector<std::string> entries = publish_env_files(service);
      for (std::size_t i = 0; i < entries.size(); ++i) {
        const std::string path = publish_path(project, entries[i]);
        const std::string hashed = gocompat::sha256_hex(path) + ".env";
        if (publish_regular_file(path)) env_files[path] = hashed;
        loader::Pointer at = loader::Pointer("/services") / name / "env_file";
        if (service["env_file"].is_array()) {
          at = at / i;
          if (service["env_file"][i].is_object()) at = at / "path";
        }
        text = publish_replace_node(text, file, d, at, hashed);
      }
      const std::string parent = publish_extends_parent(service, project);
      if (parent.empty()) continue;
      const std::string hashed = gocompat::sha256_hex(parent) + ".yaml";
      extends_files[parent] = hashed;
      text = publish_replace_node(text, file, d, loader::Pointer("/services") / name / "extends" / "file", hashed);
    }
  }
  return text;
}

}  // namespace

std::string replace_at(const std::string& text, int line, int column, const std::string& value) {
  std::size_t start = 0;
  for (int l = 1; l < line; ++l) {
    const std::size_t nl = text.find('\n', start);
    if (nl == std::string::npos) return text;
    start = nl + 1;
  }
  start += static_cast<std::size_t>(column - 1);
  if (start > text.size()) return text;
  std::size_t end = text.find('\n', start);
  if (end == std::string::npos) end = text.size();
  return text.substr(0, start) + value + text.substr(end);
}

bool sensitive_literal(const std::string& key, const std::string& value) {
  static const std::regex key_re(
      R"(^\s*(?:(?:var|let|set|dim|declare|export|const|readonly)[\t ]+)?\[?[\t ]*['"]?[\.\[~\-\w]*)"
      R"((?:api[-_]?key|access[-_]?key|auth[-_]?key|service[-_]?key|account[-_]?key|db[-_]?key|database[-_]?key|)"
      R"(priv[-_]?key|private[-_]?key|client[-_]?key|db[-_]?pass|database[-_]?pass|key[-_]?pass|password|passwd|)"
      R"(pwd|secret|token|contraseña|contrasena)[\.\[\]~\-\w]*['"]?[\t ]*\]?\s*$)",
      std::regex::icase);
  static const std::regex value_re(R"(^\s*\[?[\t ]*['"]?[^${\s].+[^}\s]['"]?[\t ]*\]?[\t ]*;?\s*$)");
  auto any_line = [](const std::string& text, const std::regex& re) {
    std::size_t start = 0;
    for (;;) {
      const std::size_t nl = text.find('\n', start);
      if (std::regex_match(text.substr(start, nl == std::string::npos ? std::string::npos : nl - start), re))
        return true;
      if (nl == std::string::npos) return false;
      start = nl + 1;
    }
  };
  return any_line(key, key_re) && any_line(value, value_re);
}

std::string build_only_refusal(const model::Project& project) {
  std::string names;
  for (const auto& [name, svc] : project.services)
    if (svc.image.empty() && svc.build) names += "- " + publish_quoted(name) + "\n";
  if (names.empty()) return "";
  return "your Compose stack cannot be published as it only contains a build section for service(s):\n" + names;
}

bool has_local_include(const std::vector<std::string>& compose_files) {
  auto remote = [](const std::string& p) {
    return p.rfind("oci://", 0) == 0 || p.rfind("git@", 0) == 0 || p.rfind("https://", 0) == 0 ||
           p.rfind("http://", 0) == 0;
  };
  for (const auto& file : compose_files) {
    if (file == "-") continue;
    for (const auto& doc : publish_documents(file)) {
      if (!doc.value.is_object() || !doc.value.contains("include") || !doc.value["include"].is_array()) continue;
      for (const auto& inc : doc.value["include"]) {
        const PJson paths = inc.is_string()   ? PJson::array({inc})
                            : inc.is_object() ? inc.value("path", PJson())
                                              : PJson();
        for (const auto& p : paths.is_string() ? PJson::array({paths}) : paths)
          if (p.is_string() && !remote(p.get<std::string>())) return true;
      }
    }
  }
  return false;
}

std::vector<std::string> publish_prompts(const loader::Project& project, bool with_env) {
  std::vector<std::string> prompts;
  std::string binds;
  for (const auto& [name, svc] : project.model.services) {
    std::string lines;
    for (const auto& v : svc.volumes)
      if (v.type == "bind") lines += publish_volume_text(v) + "\n";
    if (!lines.empty()) binds += name + lines;  // docker compose writes the name and the mounts so
  }
  if (!binds.empty())
    prompts.push_back(
        "you are about to publish bind mounts declaration within your OCI artifact.\n"
        "only the bind mount declarations will be added to the OCI artifact (not content)\n"
        "please double check that you are not mounting potential user's sensitive directories or data\n" +
        binds + "Are you ok to publish these bind mount declarations?");

  // Every file that goes into the artifact: the compose files, then local extends parents.
  std::map<std::string, PublishFindings> services;
  std::set<std::string> literal_configs, seen;
  std::deque<std::string> queue(project.config_files.begin(), project.config_files.end());
  while (!queue.empty()) {
    const std::string file = queue.front();
    queue.pop_front();
    if (file == "-" || !seen.insert(file).second) continue;
    for (const auto& doc : publish_documents(file)) {
      if (!doc.value.is_object()) continue;
      const PJson services_of = doc.value.value("services", PJson::object());
      for (const auto& [name, service] : services_of.items()) {
        bool env_file = !publish_env_files(service).empty();
        std::set<std::string> keys;
        for (const auto& [k, v] : publish_environment(service))
          if (v && sensitive_literal(k, publish_unescape(*v))) keys.insert(k);
        if (env_file || !keys.empty()) {
          PublishFindings& f = services[name];
          f.env_file = f.env_file || env_file;
          f.keys.insert(keys.begin(), keys.end());
        }
        if (const std::string parent = publish_extends_parent(service, project); !parent.empty())
          queue.push_back(parent);
      }
      const PJson configs_of = doc.value.value("configs", PJson::object());
      for (const auto& [name, config] : configs_of.items())
        if (config.is_object() && config.contains("content") && config["content"].is_string() &&
            sensitive_literal("password", publish_unescape(config["content"].get<std::string>())))
          literal_configs.insert(name);
    }
  }
  if (!with_env && !services.empty()) {
    std::string m =
        "you are about to publish env-related declarations within your OCI artifact.\n"
        "env_file paths and literal values for sensitive-looking keys are embedded as-is in the published YAML;\n"
        "interpolated values like \"${VAR}\" are kept symbolic and have already been excluded.\n";
    for (const auto& [name, f] : services) {
      if (f.env_file) m += "  service " + publish_quoted(name) + ": env_file declared\n";
      if (!f.keys.empty()) {
        std::string list;
        for (const auto& k : f.keys) list += (list.empty() ? "" : ", ") + publish_quoted(k);
        m += "  service " + publish_quoted(name) + ": literal value for " + list + "\n";
      }
    }
    m += "Use --with-env to silence this prompt and always publish env declarations.\n";
    m += "Are you ok to publish these env declarations?";
    prompts.push_back(m);
  }
  if (!literal_configs.empty()) {
    std::string m = "you are about to publish literal inline config content within your OCI artifact.\n";
    for (const auto& name : literal_configs) m += "  config " + publish_quoted(name) + "\n";
    prompts.push_back(m + "Are you ok to publish these config contents?");
  }
  return prompts;
}

std::vector<registry::ArtifactLayer> publish_layers(const loader::Project& project, bool with_env,
                                                    const std::map<std::string, std::string>& pinned_images) {
  std::vector<registry::ArtifactLayer> layers;
  std::map<std::string, std::string> extends_files, env_files;
  for (const auto& file : project.config_files) {
    if (file == "-") throw std::runtime_error("cannot publish a compose file read from standard input");
    layers.push_back(registry::compose_file_layer(file, publish_file_text(project, file, extends_files, env_files)));
  }
  // The extends parents, and theirs in turn (their own env files are not published, as with
  // docker compose).
  std::set<std::string> done;
  for (std::map<std::string, std::string> pending = extends_files; !pending.empty();) {
    std::map<std::string, std::string> more, ignored_env;
    for (const auto& [file, hashed] : pending) {
      if (!done.insert(file).second) continue;
      registry::ArtifactLayer layer =
          registry::compose_file_layer(hashed, publish_file_text(project, file, more, ignored_env));
      layer.annotations["com.docker.compose.extends"] = "true";
      layers.push_back(std::move(layer));
    }
    std::erase_if(more, [&](const auto& entry) { return done.count(entry.first) > 0; });
    pending = std::move(more);
  }
  if (with_env)
    for (const auto& [path, hashed] : env_files) {
      try {
        layers.push_back(registry::env_file_layer(hashed, read_file(path)));
      } catch (const std::exception&) {  // as docker compose: a file it cannot read is left out
      }
    }
  if (!pinned_images.empty()) {
    std::vector<std::string> names;
    for (const auto& [name, image] : pinned_images) names.push_back(name);
    std::stable_sort(names.begin(), names.end(), model::yaml_key_less);
    nlohmann::ordered_json services = nlohmann::ordered_json::object();
    for (const auto& name : names) services[name] = nlohmann::ordered_json{{"image", pinned_images.at(name)}};
    layers.push_back(registry::compose_file_layer("image-digests.yaml",
                                                  model::to_yaml(nlohmann::ordered_json{{"services", services}})));
  }
  return layers;
}

}  // namespace berth::engine
