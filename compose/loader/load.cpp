// The loading pipeline (see load.hpp for the stages). Each file is parsed, interpolated and
// validated on its own, so problems point at the file and line the user wrote; `include`
// and `extends` are resolved per file, then the files merge in command-line order.
#include "compose/loader/load.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <iostream>
#include <iterator>
#include <memory>
#include <optional>
#include <set>
#include <sstream>

#include "common/atomic_file.hpp"
#include "common/sys_error.hpp"
#include "compose/loader/check.hpp"
#include "compose/loader/container_env.hpp"
#include "compose/loader/diagnostics.hpp"
#include "compose/loader/discover.hpp"
#include "compose/loader/extends.hpp"
#include "compose/loader/interpolate.hpp"
#include "compose/loader/merge.hpp"
#include "compose/loader/normalize.hpp"
#include "compose/loader/profiles.hpp"
#include "compose/loader/project_name.hpp"
#include "compose/loader/validate_schema.hpp"
#include "compose/loader/yaml_to_json.hpp"
#include "compose/model/dependencies.hpp"
#include "compose/model/json_io.hpp"

extern char** environ;

namespace berth::loader {

namespace {

using Json = nlohmann::json;

bool regular_file_exists(const std::string& p) {
  struct stat st {};
  return ::stat(p.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

/// All of standard input (`-f -`). Through rdbuf rather than istreambuf_iterator, which GCC 12
/// inlines into a string constructor and then warns about (-Wnull-dereference, a false positive).
std::string read_stdin() {
  std::ostringstream text;
  text << std::cin.rdbuf();
  return text.str();
}

std::string current_directory() {
  std::string buf(4096, '\0');
  if (!::getcwd(buf.data(), buf.size())) throw_errno("getcwd");
  buf.resize(std::char_traits<char>::length(buf.c_str()));
  return buf;
}

Lookup lookup_in(const Environment& env) {
  return [&env](std::string_view name) -> std::optional<std::string> {
    auto it = env.find(std::string(name));
    if (it == env.end()) return std::nullopt;
    return it->second;
  };
}

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i <= s.size()) {
    size_t j = s.find(sep, i);
    if (j == std::string::npos) j = s.size();
    std::string part = s.substr(i, j - i);
    part.erase(0, part.find_first_not_of(" \t"));
    part.erase(part.find_last_not_of(" \t") + 1);
    if (!part.empty()) out.push_back(part);
    i = j + 1;
  }
  return out;
}

/// `services: {web: }` declares a service with no keys (compose-go turns it into an empty
/// mapping before validating, and so do we).
void empty_services_are_mappings(Json& doc) {
  if (!doc.is_object() || !doc.contains("services") || !doc["services"].is_object()) return;
  for (auto& [name, svc] : doc["services"].items())
    if (svc.is_null()) svc = Json::object();
}

/// Loads one project: the main one, or one pulled in by `include`.
class ProjectLoader {
 public:
  ProjectLoader(const LoadOptions& opts, std::vector<std::string> include_stack)
      : m_opts(opts), m_include_stack(std::move(include_stack)) {}

  /// The resolved model after load(), in the loader's JSON form (for `include`).
  const Json& resolved() const { return m_resolved; }

  Project load() {
    Project p;
    m_cwd = m_opts.working_directory.empty() ? current_directory() : m_opts.working_directory;
    p.config_files = config_files();
    p.working_dir = m_opts.project_directory        ? absolute_path(*m_opts.project_directory, m_cwd)
                    : p.config_files.front() == "-" ? m_cwd
                                                    : dir_name(p.config_files.front());
    m_working_dir = p.working_dir;
    m_env = project_environment({env_directory(), p.working_dir});

    // Parse every file first: the top-level name decides COMPOSE_PROJECT_NAME, which the
    // files may interpolate.
    std::vector<Document> docs;
    for (const auto& f : p.config_files)
      for (auto& d : parse_file(f)) docs.push_back(std::move(d));
    m_diags.throw_if_any();
    p.name = project_name(docs, p.working_dir);
    if (!m_env.count("COMPOSE_PROJECT_NAME")) m_env["COMPOSE_PROJECT_NAME"] = p.name;
    m_name = p.name;

    Json model;
    for (size_t i = 0; i < docs.size(); ++i) {
      Document& doc = docs[i];
      prepare(doc, doc.file);
      m_positions.overlay(doc.positions);
      if (i == 0) {
        drop_reset_values(doc.value, doc.tags);
        model = std::move(doc.value);
      } else {
        merge_into(model, doc.value, doc.tags);
      }
    }
    m_diags.set_positions(&m_positions);
    m_diags.throw_if_any();
    if (!model.is_object()) model = Json::object();

    if (model.contains("version")) {
      p.warnings.push_back(
          "the attribute `version` is obsolete, it will be ignored, please remove it to avoid potential confusion");
      model.erase("version");
    }
    model["name"] = p.name;
    p.profiles = all_profiles(model);
    std::set<std::string> active(m_opts.profiles.begin(), m_opts.profiles.end());
    if (auto it = m_env.find("COMPOSE_PROFILES"); it != m_env.end())
      for (auto& prof : split(it->second, ',')) active.insert(prof);
    p.disabled_services = apply_profiles(model, active, m_opts.services);
    for (const auto& s : m_opts.services)
      if (!model.contains("services") || !model["services"].contains(s))
        m_diags.error_at({}, "", "no such service: " + s);
    m_diags.throw_if_any();

    normalize_project(
        model,
        NormalizeOptions{p.working_dir, home(), p.name, m_opts.normalize, !m_opts.interpolate, m_opts.resolve_paths},
        m_diags);
    m_diags.throw_if_any();
    // Without interpolation compose-go loads only the model (LoadModel): env files are folded
    // into a typed project's services, which it does not make then.
    if (m_opts.resolve_environment && m_opts.interpolate) {
      std::optional<std::set<std::string>> touched = touched_services(model);
      resolve_container_environment(model, m_env, m_diags, touched ? &*touched : nullptr);
      resolve_file_objects_environment(model, m_env);
    }
    // The loader's output is the typed model; every value must fit it (a string where a boolean
    // belongs, say, which the schema allows for interpolation's sake). The consistency checks'
    // findings come first, as they name what the user is most likely to have got wrong.
    std::optional<model::ModelError> type_error;
    try {
      p.model = model::project_from_json(model);
    } catch (const model::ModelError& e) {
      if (m_opts.interpolate) type_error = e;  // else: a value left uninterpolated (see Project::document)
    }
    // Without interpolation compose-go loads only the model (LoadModel), which it never checks
    // for consistency: its references may name what only interpolation gives.
    if (m_opts.check_consistency && m_opts.interpolate) {
      const model::DependencyMap deps = type_error ? model::DependencyMap{} : model::dependency_map(p.model);
      check_model(model, type_error ? nullptr : &deps, p.disabled_services, m_diags);
    }
    m_diags.throw_if_any();
    if (type_error) m_diags.error(Pointer(type_error->pointer()), type_error->detail());
    m_diags.throw_if_any();
    p.document = model;
    m_resolved = std::move(model);

    p.environment = std::move(m_env);
    return p;
  }

 private:
  std::vector<std::string> config_files() {
    std::vector<std::string> files = m_opts.files;
    const std::string start = m_opts.project_directory ? absolute_path(*m_opts.project_directory, m_cwd) : m_cwd;
    if (files.empty()) {
      // COMPOSE_FILE may come from the shell or from the .env file next to where we start.
      Environment env = project_environment({start});
      if (auto it = env.find("COMPOSE_FILE"); it != env.end()) {
        auto sep = env.find("COMPOSE_PATH_SEPARATOR");
        files = split_compose_file_env(it->second,
                                       sep == env.end() ? std::nullopt : std::optional<std::string>(sep->second));
        for (auto& f : files) f = absolute_path(f, start);
      }
    }
    if (files.empty()) {
      files = find_default_files(start);
      if (files.empty())
        throw LoadError({{Location{}, "",
                          "no configuration file provided: not found (looked for compose.yaml, "
                          "compose.yml, docker-compose.yaml, docker-compose.yml in " +
                              start + " and its parents)"}});
    }
    for (auto& f : files) {
      if (f == "-") continue;
      if (auto local = remote(f))
        f = *local;
      else
        f = absolute_path(f, m_cwd);
    }
    return files;
  }

  /// The local copy of a remote resource (`oci://...`); nullopt for a local path.
  std::optional<std::string> remote(const std::string& reference) const {
    if (!m_opts.remote_file) return std::nullopt;
    try {
      return m_opts.remote_file(reference);
    } catch (const LoadError&) {
      throw;
    } catch (const std::exception& e) {
      throw LoadError({{Location{}, "", e.what()}});
    }
  }
  bool is_remote(const std::string& reference) const { return reference.rfind("oci://", 0) == 0; }

  /// The services the command acts on and their dependencies; nullopt = all of them (none named,
  /// or a model whose edges cannot be read yet: its type error is reported later).
  std::optional<std::set<std::string>> touched_services(const Json& model) const {
    const std::vector<std::string>& names = m_opts.touched_services.empty() ? m_opts.services : m_opts.touched_services;
    if (names.empty()) return std::nullopt;
    try {
      return model::with_dependencies(model::dependency_map(model::project_from_json(model)), names);
    } catch (const model::ModelError&) {
      return std::nullopt;
    }
  }

  std::string home() const {
    auto it = m_opts.os_environment.find("HOME");
    return it == m_opts.os_environment.end() ? "/root" : it->second;
  }

  /// Where docker compose looks for `.env` before it knows the compose files: --project-directory,
  /// else the directory of the first -f file, else the current directory.
  std::string env_directory() const {
    if (m_opts.project_directory) return absolute_path(*m_opts.project_directory, m_cwd);
    if (!m_opts.files.empty() && m_opts.files.front() != "-" && !is_remote(m_opts.files.front()))
      return dir_name(absolute_path(m_opts.files.front(), m_cwd));
    return m_cwd;
  }

  /// The shell's environment, then --env-file's files (later files override earlier ones);
  /// without --env-file, the `.env` of each of `dirs` in turn, each adding only what is not yet
  /// set. docker compose reads .env twice: from env_directory() before it looks for the compose
  /// files, and from the project directory once it has found them (a nested working directory's
  /// .env wins over the project's).
  Environment project_environment(const std::vector<std::string>& dirs) {
    Environment env = m_opts.os_environment;
    if (std::vector<std::string> given = env_file_flags(); !given.empty()) {
      std::vector<std::string> files;
      for (const auto& f : given) files.push_back(absolute_path(f, m_cwd));
      add_env_files(env, files);
    } else {
      std::set<std::string> seen;
      for (const auto& dir : dirs)
        if (seen.insert(dir).second && regular_file_exists(dir + "/.env")) add_env_files(env, {dir + "/.env"});
    }
    m_diags.throw_if_any();
    return env;
  }

  /// --env-file, else COMPOSE_ENV_FILES (comma-separated) from the shell: docker compose makes
  /// the variable the flag's default, so a .env file cannot set it.
  std::vector<std::string> env_file_flags() const {
    if (!m_opts.env_files.empty()) return m_opts.env_files;
    auto it = m_opts.os_environment.find("COMPOSE_ENV_FILES");
    return it == m_opts.os_environment.end() ? std::vector<std::string>{} : split(it->second, ',');
  }

  /// Adds the variables of `files` that `env` does not hold. A dotenv file may refer to what
  /// `env` holds and to the earlier files' variables.
  void add_env_files(Environment& env, const std::vector<std::string>& files) {
    Environment from_files;
    for (const auto& f : files) {
      if (!regular_file_exists(f)) {
        m_diags.error_at({f, 0, 0}, "", "env file not found");
        continue;
      }
      Environment layered = from_files;
      for (const auto& [k, v] : env) layered[k] = v;
      try {
        for (auto& [k, v] : read_env_file(f, "", lookup_in(layered))) from_files[k] = v;
      } catch (const LoadError& e) {
        m_diags.append(e.items());
      }
    }
    for (auto& [k, v] : from_files) env.emplace(k, v);
  }

  /// The documents of one compose file (a `---` separated stream holds several).
  std::vector<Document> parse_file(const std::string& file) {
    std::vector<Document> failed;
    failed.push_back(Document{file, Json(), {}, {}});
    std::string text;
    try {
      text = file == "-" ? (m_opts.read_stdin ? m_opts.read_stdin() : read_stdin()) : read_file(file);
    } catch (const SysError& e) {
      m_diags.error_at({file, 0, 0}, "", std::string("cannot read compose file: ") + e.what());
      return failed;
    }
    try {
      return parse_yaml_documents(text, file);
    } catch (const LoadError& e) {
      m_diags.append(e.items());
      return failed;
    }
  }

  std::string project_name(const std::vector<Document>& docs, const std::string& dir) {
    ProjectNameSources src;
    src.flag = m_opts.project_name;
    if (auto it = m_env.find("COMPOSE_PROJECT_NAME"); it != m_env.end()) src.environment = it->second;
    for (const auto& d : docs) {
      if (!d.value.is_object() || !d.value.contains("name") || !d.value["name"].is_string()) continue;
      try {
        src.file = m_opts.interpolate ? interpolate(d.value["name"].get<std::string>(), lookup_in(m_env))
                                      : d.value["name"].get<std::string>();
      } catch (const InterpolationError& e) {
        Diagnostics local(&d.positions);
        local.error(Pointer("/name"), e.what());
        m_diags.append(local.items());
      }
    }
    src.directory = dir;
    m_diags.throw_if_any();
    try {
      return choose_project_name(src);
    } catch (const std::invalid_argument& e) {
      throw LoadError({{Location{}, "", e.what()}});
    }
  }

  /// Interpolation, schema, include and extends for one parsed file.
  void prepare(Document& doc, const std::string& file) {
    Diagnostics local(&doc.positions);
    if (m_opts.interpolate) interpolate_tree(doc.value, lookup_in(m_env), local);
    empty_services_are_mappings(doc.value);
    if (!doc.value.is_null()) validate_schema(doc.value, local);
    if (!local.empty()) {
      m_diags.append(local.items());
      return;
    }
    if (doc.value.is_null()) return;
    resolve_includes(doc, file, local);
    DocumentSource source = [this](const std::string& path) -> const Document& { return extended_file(path); };
    resolve_extends(doc, file, source, local);
    canonicalize_for_merge(doc.value);
    m_diags.append(local.items());
  }

  const Document& extended_file(const std::string& path) {
    if (auto it = m_extended.find(path); it != m_extended.end()) return *it->second;
    if (!regular_file_exists(path)) throw LoadError({{Location{path, 0, 0}, "", "extended file not found"}});
    auto doc = std::make_unique<Document>(parse_yaml(read_file(path), path));
    Diagnostics local(&doc->positions);
    if (m_opts.interpolate) interpolate_tree(doc->value, lookup_in(m_env), local);
    empty_services_are_mappings(doc->value);
    validate_schema(doc->value, local);
    local.throw_if_any();
    m_positions.overlay(doc->positions);
    return *m_extended.emplace(path, std::move(doc)).first->second;
  }

  void resolve_includes(Document& doc, const std::string& file, Diagnostics& diags) {
    if (!doc.value.contains("include")) return;
    Json includes = doc.value["include"];
    doc.value.erase("include");
    const std::string base = file == "-" ? m_cwd : dir_name(file);
    for (size_t i = 0; i < includes.size(); ++i) {
      const Json& inc = includes[i];
      Pointer at = Pointer("/include") / i;
      LoadOptions sub;
      sub.os_environment = m_opts.os_environment;
      sub.os_environment.erase("COMPOSE_ENV_FILES");  // an include reads its env_file, else its own .env
      sub.working_directory = base;
      sub.read_stdin = m_opts.read_stdin;
      sub.remote_file = m_opts.remote_file;
      sub.project_name = m_name;
      const Json paths = inc.is_string() ? Json::array({inc}) : inc.value("path", Json::array());
      for (const auto& p : paths.is_string() ? Json::array({paths}) : paths) {
        std::optional<std::string> local;
        try {
          local = remote(p.get<std::string>());
        } catch (const LoadError& e) {
          diags.error(at, e.items().front().message);
          continue;
        }
        sub.files.push_back(local ? *local : absolute_path(p.get<std::string>(), base));
      }
      if (sub.files.empty()) continue;
      if (inc.is_object() && inc.contains("project_directory"))
        sub.project_directory = absolute_path(inc["project_directory"].get<std::string>(), base);
      if (inc.is_object() && inc.contains("env_file")) {
        const Json& e = inc["env_file"];
        for (const auto& f : e.is_string() ? Json::array({e}) : e)
          sub.env_files.push_back(absolute_path(f.get<std::string>(), base));
      }
      std::vector<std::string> stack = m_include_stack;
      stack.push_back(file);
      if (std::find(stack.begin(), stack.end(), sub.files.front()) != stack.end()) {
        std::string chain;
        for (const auto& s : stack) chain += s + " -> ";
        diags.error(at, "include cycle: " + chain + sub.files.front());
        continue;
      }
      for (const auto& f : sub.files)
        if (!regular_file_exists(f)) diags.error(at, "included file " + f + " not found");
      if (!diags.empty()) continue;
      try {
        ProjectLoader included(sub, stack);
        included.load();
        add_included(doc.value, included.resolved(), at, diags);
      } catch (const LoadError& e) {
        diags.append(e.items());
      }
    }
  }

  /// Resources of an included project join this file's; a name defined on both sides must
  /// describe the same thing.
  static void add_included(Json& target, const Json& included, const Pointer& at, Diagnostics& diags) {
    for (const char* kind : {"services", "networks", "volumes", "secrets", "configs", "models"}) {
      if (!included.contains(kind) || !included[kind].is_object()) continue;
      for (const auto& [name, def] : included[kind].items()) {
        if (target.contains(kind) && target[kind].contains(name)) {
          if (target[kind][name] != def)
            diags.error(at, std::string(kind) + "." + name + " conflicts with the imported resource of the same name");
          continue;
        }
        target[kind][name] = def;
      }
    }
  }

  const LoadOptions& m_opts;
  std::vector<std::string> m_include_stack;
  Json m_resolved;  ///< the model load() made, as JSON: what an including project merges
  std::string m_cwd, m_working_dir, m_name;
  Environment m_env;
  Diagnostics m_diags;
  SourceMap m_positions;
  std::map<std::string, std::unique_ptr<Document>> m_extended;
};

}  // namespace

std::map<std::string, std::string> process_environment() {
  std::map<std::string, std::string> env;
  for (char** e = environ; e && *e; ++e) {
    std::string kv = *e;
    auto eq = kv.find('=');
    if (eq != std::string::npos) env[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  return env;
}

Project load_project(const LoadOptions& opts) { return ProjectLoader(opts, {}).load(); }

}  // namespace berth::loader
