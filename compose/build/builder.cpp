// The build of one image (see builder.hpp). A Build holds what every stage shares (the parsed
// Dockerfile, the context, the caches, the store); each needed stage runs on its own thread and
// waits for the stages it reads (FROM <stage>, COPY --from, RUN --mount from=).
//
// Cache keys (BuildCache::key) chain from the stage's base: FROM → the base image's manifest
// digest (or the parent stage's key); each instruction adds its text after expansion and what it
// read: a COPY the hash of exactly the files it selects (context_hash.hpp), a RUN the build args
// in scope (they are its environment), so a changed ARG misses at its first use and not before.
// Every step — metadata ones too — records when it was first made; a fully cached rebuild thus
// reproduces the same history, config and image id.
#include "compose/build/builder.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <future>
#include <mutex>
#include <optional>
#include <set>
#include <variant>

#include <nlohmann/json.hpp>

#include "common/atomic_file.hpp"
#include "common/in_root.hpp"
#include "common/overlay_mount.hpp"
#include "common/sys_error.hpp"
#include "common/unique_fd.hpp"
#include "common/user_lookup.hpp"
#include "compose/build/build_cache.hpp"
#include "compose/build/build_context.hpp"
#include "compose/build/build_network.hpp"
#include "compose/build/context_hash.hpp"
#include "compose/build/copy_step.hpp"
#include "compose/build/dockerfile.hpp"
#include "compose/build/instructions.hpp"
#include "compose/build/remote_source.hpp"
#include "compose/build/run_step.hpp"
#include "compose/build/stage_state.hpp"
#include "compose/build/step_dir.hpp"
#include "compose/gocompat/path.hpp"
#include "compose/gocompat/rfc3339.hpp"
#include "compose/image/layer_tar.hpp"
#include "compose/image/oci_image.hpp"
#include "compose/image/platform.hpp"
#include "compose/image/reference.hpp"
#include "compose/image/store.hpp"
#include "compose/registry/config.hpp"
#include "compose/registry/credentials.hpp"
#include "compose/registry/pull.hpp"

namespace berth::build {

namespace {

using nlohmann::json;

/// One `FROM` and the instructions up to the next.
struct Stage {
  int index = 0;
  std::string name;  ///< `AS` name, "" when none
  const Instruction* from = nullptr;
  std::vector<const Instruction*> body;
  int steps = 1;  ///< FROM + the instructions that make a vertex (RUN, COPY, ADD, WORKDIR)
};

bool makes_vertex(const std::string& keyword) {
  return keyword == "RUN" || keyword == "COPY" || keyword == "ADD" || keyword == "WORKDIR";
}

std::string join_words(const std::vector<std::string>& words) {
  std::string out;
  for (const auto& w : words) out += (out.empty() ? "" : " ") + w;
  return out;
}

void set_env(json& config, const std::string& key, const std::string& value) {
  json& env = config["Env"];
  if (!env.is_array()) env = json::array();
  const std::string entry = key + "=" + value;
  for (auto& e : env)
    if (e.is_string() && e.get<std::string>().substr(0, e.get<std::string>().find('=')) == key) {
      e = entry;
      return;
    }
  env.push_back(entry);
}

/// A read-only view of a stage's or image's files for COPY --from / RUN --mount from=: the single
/// layer dir itself, or an overlay of the lowers (overlayfs needs two for a lower-only mount).
class SourceRoot {
 public:
  SourceRoot(const StepDir& dir, const std::vector<std::string>& lowers, const std::string& shown) {
    std::string path = dir.lowers_or_empty(lowers).front();
    if (lowers.size() > 1) {
      path = dir.path() + "/source-" + std::to_string(s_counter++);
      if (::mkdir(path.c_str(), 0755) != 0) throw_errno("mkdir `" + path + "`");
      m_mount.emplace(path, lowers, "", "");
    }
    m_path = path;
    m_fd.reset(::open(path.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (!m_fd) throw_errno("open " + shown + " at `" + path + "`");
  }
  int fd() const noexcept { return m_fd.get(); }
  const std::string& path() const noexcept { return m_path; }

 private:
  static inline std::atomic<int> s_counter{0};
  std::optional<OverlayMount> m_mount;
  std::string m_path;
  UniqueFd m_fd;
};

/// BuildKit's automatic platform ARGs, in the global scope (a stage sees them after `ARG NAME`).
std::map<std::string, std::string> platform_args(const std::string& requested) {
  const image::Platform build = image::host_platform();
  const image::Platform target = requested.empty() ? build : image::parse_platform(requested);
  return {{"BUILDPLATFORM", build.str()},      {"BUILDOS", build.os},
          {"BUILDARCH", build.architecture},   {"BUILDVARIANT", build.variant},
          {"TARGETPLATFORM", target.str()},    {"TARGETOS", target.os},
          {"TARGETARCH", target.architecture}, {"TARGETVARIANT", target.variant}};
}

class Build {
 public:
  Build(const BuildEnv& env, const BuildRequest& req, BuildProgress& progress)
      : m_env(env),
        m_req(req),
        m_progress(progress),
        m_store(env.root),
        m_cache(env.root),
        m_stat_cache(env.root + "/build-cache/stat-cache"),
        m_platform_args(platform_args(req.platform)) {}

  BuildResult run();

 private:
  // ---- setup ----
  void load_dockerfile();
  void split_stages();
  int target_stage() const;
  std::optional<int> stage_by_ref(const std::string& ref, int before) const;
  /// A global ARG's value (build arg or default), else one of BuildKit's automatic platform ARGs.
  std::optional<std::string> global_arg(const std::string& name) const;
  std::shared_future<StageState> stage_future(int index);

  // ---- a stage ----
  StageState build_stage(int index);
  StageState from_base(const Stage& stage, const FromCmd& from);
  /// The image `ref` names, pulled when the store lacks it (or with --pull), for `platform`
  /// ("" = the build's --platform, else this machine's).
  image::ImageRecord base_image(const std::string& ref, const std::string& platform = "");
  VarLookup stage_lookup(const StageState& state, const std::map<std::string, std::string>& args) const;
  void metadata(StageState& s, const Instruction& in, const Command& cmd, std::vector<std::string>& shell);
  void run_step(StageState& s, const Stage& stage, int step, const Instruction& in, const RunCmd& cmd,
                const std::vector<std::string>& shell, const std::map<std::string, std::string>& args);
  void copy_step(StageState& s, const Stage& stage, int step, const Instruction& in, const CopyCmd& cmd);
  void workdir_step(StageState& s, const Stage& stage, int step, const Instruction& in, const std::string& dir);

  /// The cached outcome of `key`, unless --no-cache.
  std::optional<CacheRecord> cached(const std::string& key) const;
  /// A new step's creation time: now, or the SOURCE_DATE_EPOCH build arg (BuildKit's
  /// reproducible builds: every new step, and so the image, is dated then).
  std::string created_now() const;
  /// Applies a step's outcome: layer, history, key, created time; records it in the cache.
  void commit_step(StageState& s, const std::string& key, const std::string& created_by, const CacheRecord& rec,
                   bool from_cache);
  /// Turns the step dir's upper into a layer (none when the step changed nothing).
  std::optional<image::ImageLayer> commit_upper(const StepDir& dir, const StageState& s);
  std::string step_name(const Stage& stage, int step, const std::string& text) const;
  BuildResult export_image(const StageState& s);

  const BuildEnv& m_env;
  const BuildRequest& m_req;
  BuildProgress& m_progress;
  image::ImageStore m_store;
  BuildCache m_cache;
  StatCache m_stat_cache;
  std::mutex m_stat_mutex;
  Dockerfile m_df;
  std::unique_ptr<BuildContext> m_context;
  std::vector<Stage> m_stages;
  std::vector<std::pair<std::string, std::optional<std::string>>> m_global_args;  ///< declared before FROM
  std::set<std::string> m_used_args;
  std::mutex m_mutex;  ///< m_futures, m_used_args, m_warnings
  std::map<int, std::shared_future<StageState>> m_futures;
  std::vector<std::string> m_warnings;
  std::map<std::string, std::unique_ptr<BuildContext>> m_named_contexts;  ///< additional contexts that are dirs
  std::map<std::string, std::string> m_platform_args;                     ///< BUILDPLATFORM, TARGETARCH, ...

  /// An image reference, or the image an additional context `docker-image://REF` stands for.
  std::string image_ref(const std::string& name) const {
    auto it = m_req.additional_contexts.find(name);
    if (it == m_req.additional_contexts.end()) return name;
    const std::string prefix = "docker-image://";
    if (it->second.rfind(prefix, 0) == 0) return it->second.substr(prefix.size());
    throw std::runtime_error("additional context \"" + name + "\" (" + it->second +
                             ") is a directory: it can only be a COPY --from source");
  }
};

// ---------------------------------------------------------------------------------------------
// setup

void Build::load_dockerfile() {
  namespace fs = std::filesystem;
  std::string text, shown = "Dockerfile", path;
  if (!m_req.dockerfile_inline.empty()) {
    text = m_req.dockerfile_inline;
  } else {
    const std::string name = m_req.dockerfile.empty() ? "Dockerfile" : m_req.dockerfile;
    path = name.front() == '/' ? name : m_req.context + "/" + name;
    shown = name;
    try {
      text = read_file(path);
    } catch (const std::exception& e) {
      throw std::runtime_error("failed to read dockerfile: " + std::string(e.what()));
    }
  }
  int v = m_progress.begin("[internal] load build definition from " + fs::path(shown).filename().string());
  m_progress.note(v, "transferring dockerfile: " + std::to_string(text.size()) + "B done");
  m_df = parse_dockerfile(text, shown);
  for (const auto& w : m_df.warnings) m_warnings.push_back(w);
  m_progress.done(v);

  v = m_progress.begin("[internal] load .dockerignore");
  m_context = std::make_unique<BuildContext>(m_req.context, load_dockerignore(m_req.context, path));
  for (const auto& [name, where] : m_req.additional_contexts) {
    if (where.rfind("docker-image://", 0) == 0) continue;
    if (where.find("://") != std::string::npos)
      throw std::runtime_error("additional context \"" + name + "\": " + where +
                               " is not supported (a directory or docker-image://)");
    std::string dir = where.front() == '/' ? where : m_req.context + "/" + where;
    m_named_contexts.emplace(name, std::make_unique<BuildContext>(dir, load_dockerignore(dir, "")));
  }
  m_progress.done(v);
}

void Build::split_stages() {
  for (const Instruction& in : m_df.instructions) {
    if (in.keyword == "FROM") {
      Stage s;
      s.index = static_cast<int>(m_stages.size());
      s.from = &in;
      m_stages.push_back(s);
      continue;
    }
    if (m_stages.empty()) {
      if (in.keyword != "ARG") throw m_df.error(in.line, "no build stage in current context");
      // Global ARGs: expanded with the ones before them and the build args.
      auto cmd =
          std::get<ArgCmd>(compile_instruction(m_df, in, [this](const std::string& n) { return global_arg(n); }));
      for (auto& [name, def] : cmd.args) {
        std::optional<std::string> value = def;
        if (auto it = m_req.args.find(name); it != m_req.args.end()) {
          value = it->second;
          m_used_args.insert(name);
        }
        m_global_args.emplace_back(name, value);
      }
      continue;
    }
    Stage& s = m_stages.back();
    s.body.push_back(&in);
    if (makes_vertex(in.keyword)) ++s.steps;
  }
  if (m_stages.empty()) throw std::runtime_error(m_df.file + ": no build stage (FROM) found");
  auto global = [this](const std::string& n) { return global_arg(n); };
  for (Stage& s : m_stages) s.name = std::get<FromCmd>(compile_instruction(m_df, *s.from, global)).alias;
}

std::optional<std::string> Build::global_arg(const std::string& name) const {
  for (auto it = m_global_args.rbegin(); it != m_global_args.rend(); ++it)
    if (it->first == name) return it->second;
  if (auto a = m_platform_args.find(name); a != m_platform_args.end()) return a->second;
  return std::nullopt;
}

int Build::target_stage() const {
  if (m_req.target.empty()) return static_cast<int>(m_stages.size()) - 1;
  for (const Stage& s : m_stages)
    if (s.name == m_req.target) return s.index;
  throw std::runtime_error("target stage \"" + m_req.target + "\" could not be found");
}

std::optional<int> Build::stage_by_ref(const std::string& ref, int before) const {
  std::string lower = ref;  // stage names are case-insensitive (`AS Build` is `build`)
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (int i = 0; i < before; ++i)
    if (!m_stages[i].name.empty() && m_stages[i].name == lower) return i;
  if (!ref.empty() && ref.find_first_not_of("0123456789") == std::string::npos) {
    int i = std::stoi(ref);
    if (i < before) return i;
  }
  return std::nullopt;
}

std::shared_future<StageState> Build::stage_future(int index) {
  std::lock_guard lock(m_mutex);
  auto it = m_futures.find(index);
  if (it != m_futures.end()) return it->second;
  auto f = std::async(std::launch::async, [this, index] { return build_stage(index); }).share();
  m_futures.emplace(index, f);
  return f;
}

// ---------------------------------------------------------------------------------------------
// a stage

VarLookup Build::stage_lookup(const StageState& state, const std::map<std::string, std::string>& args) const {
  return [&state, &args](const std::string& name) -> std::optional<std::string> {
    if (auto v = state.env(name)) return v;  // ENV wins over ARG, as the reference says
    if (auto it = args.find(name); it != args.end()) return it->second;
    return std::nullopt;
  };
}

std::string Build::step_name(const Stage& stage, int step, const std::string& text) const {
  std::string prefix =
      m_stages.size() > 1 ? (stage.name.empty() ? "stage-" + std::to_string(stage.index) : stage.name) + " " : "";
  return "[" + prefix + std::to_string(step) + "/" + std::to_string(stage.steps) + "] " + text;
}

image::ImageRecord Build::base_image(const std::string& text, const std::string& platform) {
  const std::string wanted = platform.empty() ? m_req.platform : platform;
  image::Reference ref = image::parse_reference(text);
  if (!m_req.pull)
    if (auto rec = m_store.resolve(ref)) {
      // A stored image of another platform than FROM --platform asks for is pulled again.
      const std::string arch = rec->config.value("architecture", "");
      if (wanted.empty() || arch.empty() || image::parse_platform(wanted).architecture == arch) return *rec;
    }
  registry::Puller puller(m_store, registry::load_config(m_env.environment),
                          registry::CredentialStore(registry::docker_config_path(m_env.environment)));
  registry::PullOptions options;
  if (!wanted.empty()) options.platform = image::parse_platform(wanted);
  registry::PullResult got = puller.pull(ref, options);
  return m_store.record(got.manifest);
}

StageState Build::from_base(const Stage& stage, const FromCmd& from) {
  if (auto parent = stage_by_ref(from.image, stage.index)) {
    StageState s = stage_future(*parent).get();
    s.key = BuildCache::key(s.key, "FROM stage");
    return s;
  }
  StageState s;
  if (from.image == "scratch") {
    image::Platform p = m_req.platform.empty() ? image::host_platform() : image::parse_platform(m_req.platform);
    s.architecture = p.architecture;
    s.variant = p.variant;
    s.key = BuildCache::key("", "FROM scratch " + p.str());
    return s;
  }
  image::ImageRecord base = base_image(image_ref(from.image), from.platform);
  s.layers = base.layers;
  s.config = base.config.value("config", json::object());
  if (s.config.is_null()) s.config = json::object();
  s.history = base.config.value("history", json::array());
  s.os = base.config.value("os", "linux");
  s.architecture = base.config.value("architecture", "");
  s.variant = base.config.value("variant", "");
  s.created = base.config.value("created", "");
  s.key = BuildCache::key("", "FROM " + base.manifest_digest.str());
  return s;
}

std::string Build::created_now() const {
  auto it = m_req.args.find("SOURCE_DATE_EPOCH");
  if (it == m_req.args.end() || it->second.empty()) return gocompat::rfc3339_now();
  char* end = nullptr;
  errno = 0;
  const long long epoch = std::strtoll(it->second.c_str(), &end, 10);
  if (errno != 0 || *end != '\0' || epoch < 0)
    throw std::runtime_error("invalid SOURCE_DATE_EPOCH `" + it->second + "`: expected seconds since 1970");
  const std::time_t t = static_cast<std::time_t>(epoch);
  std::tm tm{};
  char text[32];
  if (::gmtime_r(&t, &tm) == nullptr || std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
    throw std::runtime_error("invalid SOURCE_DATE_EPOCH `" + it->second + "`: out of range");
  return text;
}

std::optional<CacheRecord> Build::cached(const std::string& key) const {
  if (m_req.no_cache) return std::nullopt;
  return m_cache.get(key, m_store);
}

void Build::commit_step(StageState& s, const std::string& key, const std::string& created_by, const CacheRecord& rec,
                        bool from_cache) {
  if (!from_cache) m_cache.put(key, rec);
  json h = {{"created", rec.created}, {"created_by", created_by}, {"comment", "buildkit.dockerfile.v0"}};
  if (rec.layer)
    s.layers.push_back(*rec.layer);
  else
    h["empty_layer"] = true;
  s.history.push_back(h);
  s.key = key;
  s.created = rec.created;
}

std::optional<image::ImageLayer> Build::commit_upper(const StepDir& dir, const StageState& s) {
  if (image::clean_overlay_upper(dir.upper()) == 0) return std::nullopt;
  image::LayerBlob blob = image::put_layer_blob(m_store, dir.upper());
  image::StoreLock lock = m_store.lock();
  image::LayerInfo info = m_store.adopt_layer(lock, dir.upper(), s.top_chain(), blob.digest, blob.stats.content_size);
  return image::ImageLayer{blob.digest, image::kOciLayerTar, blob.size, blob.digest, info.chain_id};
}

void Build::metadata(StageState& s, const Instruction& in, const Command& cmd, std::vector<std::string>& shell) {
  json& c = s.config;
  std::string text = in.keyword + " " + in.args;
  std::visit(
      [&](const auto& x) {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, EnvCmd>) {
          text = "ENV";
          for (const auto& [k, v] : x.vars) {
            set_env(c, k, v);
            text += " " + k + "=" + v;
          }
        } else if constexpr (std::is_same_v<T, UserCmd>) {
          c["User"] = x.user;
          text = "USER " + x.user;
        } else if constexpr (std::is_same_v<T, ExposeCmd>) {
          if (!c.contains("ExposedPorts") || !c["ExposedPorts"].is_object()) c["ExposedPorts"] = json::object();
          for (const auto& p : x.ports) c["ExposedPorts"][p] = json::object();
          text = "EXPOSE " + join_words(x.ports);
        } else if constexpr (std::is_same_v<T, VolumeCmd>) {
          if (!c.contains("Volumes") || !c["Volumes"].is_object()) c["Volumes"] = json::object();
          for (const auto& p : x.paths) c["Volumes"][p] = json::object();
          text = "VOLUME " + json(x.paths).dump();
        } else if constexpr (std::is_same_v<T, LabelCmd>) {
          if (!c.contains("Labels") || !c["Labels"].is_object()) c["Labels"] = json::object();
          text = "LABEL";
          for (const auto& [k, v] : x.labels) {
            c["Labels"][k] = v;
            text += " " + k + "=" + v;
          }
        } else if constexpr (std::is_same_v<T, CommandCmd>) {
          std::vector<std::string> args = x.args;
          if (x.shell_form) {
            args = shell;
            args.push_back(x.args.empty() ? "" : x.args.front());
          }
          if (x.entrypoint) {
            c["Entrypoint"] = args;
            // The reference: an ENTRYPOINT resets a CMD inherited from the base image.
            if (!s.cmd_set) c["Cmd"] = nullptr;
            text = "ENTRYPOINT " + json(args).dump();
          } else {
            c["Cmd"] = args;
            s.cmd_set = true;
            text = "CMD " + json(args).dump();
          }
        } else if constexpr (std::is_same_v<T, HealthcheckCmd>) {
          if (x.none) {
            c["Healthcheck"] = {{"Test", {"NONE"}}};
          } else {
            json h = {{"Test", x.test}};
            if (x.interval.count()) h["Interval"] = x.interval.count();
            if (x.timeout.count()) h["Timeout"] = x.timeout.count();
            if (x.start_period.count()) h["StartPeriod"] = x.start_period.count();
            if (x.start_interval.count()) h["StartInterval"] = x.start_interval.count();
            if (x.retries) h["Retries"] = x.retries;
            c["Healthcheck"] = h;
          }
          text = "HEALTHCHECK " + c["Healthcheck"].dump();
        } else if constexpr (std::is_same_v<T, ShellCmd>) {
          shell = x.shell;
          c["Shell"] = x.shell;
          text = "SHELL " + json(x.shell).dump();
        } else if constexpr (std::is_same_v<T, StopsignalCmd>) {
          c["StopSignal"] = x.signal;
          text = "STOPSIGNAL " + x.signal;
        } else if constexpr (std::is_same_v<T, OnbuildCmd>) {
          if (!c.contains("OnBuild") || !c["OnBuild"].is_array()) c["OnBuild"] = json::array();
          c["OnBuild"].push_back(x.instruction);
          text = "ONBUILD " + x.instruction;
        } else if constexpr (std::is_same_v<T, MaintainerCmd>) {
          s.author = x.name;
          text = "MAINTAINER " + x.name;
        }
      },
      cmd);
  const std::string key = BuildCache::key(s.key, text);
  std::optional<CacheRecord> rec = m_cache.get(key, m_store);
  bool hit = rec.has_value();
  if (!rec) rec = CacheRecord{created_now(), std::nullopt};
  commit_step(s, key, text, *rec, hit);
}

void Build::workdir_step(StageState& s, const Stage& stage, int step, const Instruction& in, const std::string& dir) {
  std::string path = dir;
  if (path.empty() || path.front() != '/') {
    std::string base = s.config.value("WorkingDir", "");
    path = (base.empty() ? "/" : base) + "/" + path;
  }
  path = gocompat::clean_path(path);
  s.config["WorkingDir"] = path;
  const std::string text = "WORKDIR " + path;
  const std::string key = BuildCache::key(s.key, text);
  int v = m_progress.begin(step_name(stage, step, text));
  if (auto rec = cached(key)) {
    m_progress.cached(v);
    return commit_step(s, key, text, *rec, true);
  }
  try {
    StepDir sd(m_env.root);
    {
      OverlayMount mount(sd.rootfs(), sd.lowers_or_empty(s.lower_dirs(m_store)), sd.upper(), sd.work());
      UniqueFd root(::open(sd.rootfs().c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
      if (!root) throw_errno("open `" + sd.rootfs() + "`");
      ensure_in_root(root.get(), path, NodeKind::Directory);
    }
    commit_step(s, key, text, CacheRecord{created_now(), commit_upper(sd, s)}, false);
  } catch (const std::exception& e) {
    m_progress.error(v, e.what());
    throw m_df.error(in.line, e.what());
  }
  m_progress.done(v);
}

void Build::run_step(StageState& s, const Stage& stage, int step, const Instruction& in, const RunCmd& cmd,
                     const std::vector<std::string>& shell, const std::map<std::string, std::string>& args) {
  if (cmd.shell_form ? cmd.script.empty() && cmd.heredocs.empty() : cmd.argv.empty())
    throw m_df.error(in.line, "RUN requires at least one argument");
  RunSpec spec;
  if (cmd.shell_form) {
    std::string script = cmd.script;
    if (!cmd.heredocs.empty()) {
      // A RUN that is only a heredoc runs its body; otherwise the shell reads the heredocs itself.
      std::string only = "<<" + cmd.heredocs.front().name;
      if (cmd.heredocs.size() == 1 && (script == only || script == "<<-" + cmd.heredocs.front().name)) {
        script = cmd.heredocs.front().content;
      } else {
        for (const auto& h : cmd.heredocs) script += "\n" + h.content + h.name;
      }
    }
    spec.argv = shell;
    spec.argv.push_back(script);
  } else {
    spec.argv = cmd.argv;
  }
  spec.env = s.config.value("Env", std::vector<std::string>{});
  std::vector<std::string> arg_env;
  for (const auto& [k, v] : args)
    if (!s.env(k)) arg_env.push_back(k + "=" + v);
  spec.env.insert(spec.env.end(), arg_env.begin(), arg_env.end());
  spec.user = s.config.value("User", "");
  spec.workdir = s.config.value("WorkingDir", "");
  spec.network = cmd.network.empty() || cmd.network == "default" ? m_req.network : cmd.network;
  if (spec.network == "default") spec.network.clear();
  spec.extra_hosts = m_req.extra_hosts;
  spec.shm_size = m_req.shm_size;
  const std::string shown = join_words(spec.argv);
  spec.label = step_name(stage, step, "RUN " + (cmd.shell_form ? cmd.script : json(cmd.argv).dump()));

  json mounts = json::array();
  for (const RunMount& m : cmd.mounts)
    mounts.push_back({{"type", m.type}, {"target", m.target}, {"source", m.source}, {"from", m.from}, {"id", m.id}});
  const std::string text = "RUN " + json(spec.argv).dump() + " args=" + json(arg_env).dump() +
                           " mounts=" + mounts.dump() + " network=" + spec.network;
  std::string key = BuildCache::key(s.key, text);
  const std::string created_by = "RUN " + shown + " # buildkit";
  int v = m_progress.begin(spec.label);
  if (auto rec = cached(key)) {
    m_progress.cached(v);
    return commit_step(s, key, created_by, *rec, true);
  }
  try {
    StepDir sd(m_env.root);
    std::vector<std::unique_ptr<SourceRoot>> sources;
    std::vector<std::string> from_keys;
    for (const RunMount& m : cmd.mounts) {
      model::ServiceVolume vol;
      vol.target = m.target;
      if (m.type == "cache") {
        vol.type = "bind";
        vol.source = m_cache.cache_mount_dir(m.id.empty() ? m.target : m.id);
        vol.read_only = m.readonly;
      } else if (m.type == "tmpfs") {
        vol.type = "tmpfs";
      } else if (m.type == "secret") {
        const std::string id = m.id.empty() ? std::filesystem::path(m.target).filename().string() : m.id;
        auto it = m_req.secrets.find(id);
        if (it == m_req.secrets.end()) {
          if (m.required) throw std::runtime_error("secret " + id + ": not provided");
          continue;
        }
        vol.type = "bind";
        vol.source = it->second;
        vol.read_only = true;
        if (vol.target.empty()) vol.target = "/run/secrets/" + id;
      } else if (m.type == "bind") {
        vol.type = "bind";
        vol.read_only = m.readonly;
        if (m.from.empty()) {
          auto paths = m_context->resolve(m.source.empty() ? "." : m.source);
          vol.source = m_context->dir() + "/" + paths.front();
        } else {
          auto from = stage_by_ref(m.from, stage.index);
          StageState other = from ? stage_future(*from).get() : StageState{};
          std::vector<std::string> lowers;
          if (from) {
            lowers = other.lower_dirs(m_store);
          } else {
            image::ImageRecord rec = base_image(m.from);
            lowers = m_store.lower_dirs(rec);
          }
          sources.push_back(std::make_unique<SourceRoot>(sd, lowers, m.from));
          vol.source = sources.back()->path() + "/" + m.source;
        }
      } else {
        throw std::runtime_error("RUN --mount=type=" + m.type + " is not available in offline builds");
      }
      if (vol.type == "bind") vol.bind = model::ServiceVolumeBind{};
      spec.mounts.push_back(vol);
    }
    std::unique_ptr<BuildNetwork::Attachment> net;
    if (spec.network.empty()) {
      net = BuildNetwork(m_env.root, m_env.run).attach(sd.id());
      spec.netns = net->netns();
    }
    RunOutcome out = run_in_container(m_env.root, m_env.run, sd, s.lower_dirs(m_store), spec,
                                      [&](std::string_view chunk) { m_progress.output(v, chunk); });
    m_progress.output(v, "", true);
    net.reset();
    sources.clear();
    if (out.exit_code != 0) {
      std::string message =
          "process \"" + shown + "\" did not complete successfully: exit code: " + std::to_string(out.exit_code);
      m_progress.error(v, message);
      std::string tail;
      for (const auto& l : out.last_lines) tail += "\n  " + l;
      throw m_df.error(in.line, spec.label + ": " + message + (tail.empty() ? "" : "\nlast output:" + tail));
    }
    commit_step(s, key, created_by, CacheRecord{created_now(), commit_upper(sd, s)}, false);
  } catch (const DockerfileError&) {
    throw;
  } catch (const std::exception& e) {
    m_progress.error(v, e.what());
    throw m_df.error(in.line, spec.label + ": " + e.what());
  }
  m_progress.done(v);
}

void Build::copy_step(StageState& s, const Stage& stage, int step, const Instruction& in, const CopyCmd& cmd) {
  const std::string word = cmd.add ? "ADD" : "COPY";
  std::string dest = cmd.dest;
  const bool dest_slash = !dest.empty() && dest.back() == '/';
  if (dest.empty() || dest.front() != '/') {
    std::string base = s.config.value("WorkingDir", "");
    dest = (base.empty() ? "/" : base) + "/" + dest;
  }
  dest = gocompat::clean_path(dest);
  const std::size_t source_count = cmd.sources.size() + cmd.heredocs.size();
  if (source_count > 1 && !dest_slash)
    throw m_df.error(
        in.line,
        "When using " + word + " with more than one source file, the destination must be a directory and end with a /");

  int v = m_progress.begin(step_name(stage, step, word + " " + in.args));
  try {
    // What the step reads, for its key: context files (hashed), URLs (downloaded and hashed
    // first, as BuildKit does), or another stage or image (its key or digest).
    std::unique_ptr<StepDir> sd;
    std::optional<int> from_stage;
    std::optional<image::ImageRecord> from_image;
    std::vector<std::string> resolved, downloaded;
    std::string read_key;
    // COPY --from=<name> of an additional context that is a directory reads it as the context.
    const BuildContext* context = m_context.get();
    if (auto named = m_named_contexts.find(cmd.from); named != m_named_contexts.end()) context = named->second.get();
    if (!cmd.from.empty() && context == m_context.get()) {
      from_stage = stage_by_ref(cmd.from, stage.index);
      if (!from_stage) from_image = base_image(image_ref(cmd.from));
      read_key = from_stage ? stage_future(*from_stage).get().key : from_image->manifest_digest.str();
      resolved = cmd.sources;
    } else {
      for (const auto& src : cmd.sources) {
        if (!is_remote_source(src)) {
          for (auto& p : context->resolve(src)) resolved.push_back(p);
          continue;
        }
        if (!cmd.add) throw std::runtime_error("source can't be a URL for COPY");
        if (!sd) {
          sd = std::make_unique<StepDir>(m_env.root);
          std::filesystem::create_directories(sd->path() + "/downloads");
        }
        Download d = download_source(src, sd->path() + "/downloads", cmd.checksum);
        downloaded.push_back(d.name);
        read_key += src + "=" + d.digest + " ";
      }
      std::lock_guard lock(m_stat_mutex);
      read_key += hash_sources(*context, resolved, cmd.excludes, m_stat_cache);
    }
    json heredocs = json::array();
    for (const auto& h : cmd.heredocs) heredocs.push_back({h.name, h.content});
    const std::string text = word + " " + json(resolved).dump() + " " + heredocs.dump() + " -> " + dest +
                             (dest_slash ? "/" : "") + " chown=" + cmd.chown + " chmod=" + cmd.chmod +
                             " parents=" + (cmd.parents ? "1" : "0") + " exclude=" + json(cmd.excludes).dump() +
                             " read=" + read_key;
    const std::string key = BuildCache::key(s.key, text);
    const std::string created_by = word + " " + in.args + " # buildkit";
    if (auto rec = cached(key)) {
      m_progress.cached(v);
      return commit_step(s, key, created_by, *rec, true);
    }

    if (!sd) sd = std::make_unique<StepDir>(m_env.root);
    {
      OverlayMount mount(sd->rootfs(), sd->lowers_or_empty(s.lower_dirs(m_store)), sd->upper(), sd->work());
      UniqueFd root(::open(sd->rootfs().c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
      if (!root) throw_errno("open `" + sd->rootfs() + "`");
      CopyOptions o;
      o.dest = dest;
      o.dest_is_dir = dest_slash;
      o.parents = cmd.parents;
      o.extract_archives = cmd.add && cmd.unpack.value_or(true);
      o.excludes = cmd.excludes;
      if (!cmd.chown.empty()) {
        ResolvedUser u = resolve_user(root.get(), cmd.chown, {});
        o.uid = u.uid;
        o.gid = u.gid;
      }
      if (!cmd.chmod.empty()) o.mode = parse_chmod(cmd.chmod);
      for (const auto& h : cmd.heredocs)
        write_file_into(root.get(), dest_slash || source_count > 1 ? dest + "/" + h.name : dest, h.content, o.uid,
                        o.gid, o.mode);
      if (!downloaded.empty()) {
        UniqueFd downloads(::open((sd->path() + "/downloads").c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
        if (!downloads) throw_errno("open `" + sd->path() + "/downloads`");
        CopyOptions d = o;
        d.sources = downloaded;
        d.extract_archives = cmd.unpack.value_or(false);  // a downloaded archive stays a file unless --unpack
        copy_into(root.get(), CopySource{nullptr, downloads.get(), "the downloads"}, d);
      }
      if (!resolved.empty()) {
        if (cmd.from.empty() || context != m_context.get()) {
          o.sources = resolved;
          copy_into(root.get(), CopySource{context, -1, "the build context"}, o);
        } else {
          std::vector<std::string> lowers =
              from_stage ? stage_future(*from_stage).get().lower_dirs(m_store) : m_store.lower_dirs(*from_image);
          SourceRoot src(*sd, lowers, "--from=" + cmd.from);
          for (const auto& p : cmd.sources) {
            UniqueFd probe = open_in_root(src.fd(), p, O_PATH | O_NOFOLLOW);
            if (!probe) throw std::runtime_error("\"" + p + "\": not found in --from=" + cmd.from);
          }
          o.sources = cmd.sources;
          copy_into(root.get(), CopySource{nullptr, src.fd(), "--from=" + cmd.from}, o);
        }
      }
    }
    commit_step(s, key, created_by, CacheRecord{created_now(), commit_upper(*sd, s)}, false);
  } catch (const DockerfileError&) {
    throw;
  } catch (const std::exception& e) {
    m_progress.error(v, e.what());
    throw m_df.error(in.line, step_name(stage, step, word + " " + in.args) + ": " + e.what());
  }
  m_progress.done(v);
}

StageState Build::build_stage(int index) {
  const Stage& stage = m_stages[index];
  // FROM expands with the global ARGs only.
  std::map<std::string, std::string> args;
  auto global_value = [this](const std::string& n) { return global_arg(n); };
  FromCmd from = std::get<FromCmd>(compile_instruction(m_df, *stage.from, global_value));
  int v = m_progress.begin(step_name(stage, 1, "FROM " + from.image));
  StageState s;
  try {
    s = from_base(stage, from);
  } catch (const DockerfileError&) {
    throw;
  } catch (const std::exception& e) {
    m_progress.error(v, e.what());
    throw m_df.error(stage.from->line, e.what());
  }
  m_progress.done(v);
  s.cmd_set = false;  // a CMD of this stage's own, not the base's, survives an ENTRYPOINT
  std::vector<std::string> shell = s.config.value("Shell", std::vector<std::string>{"/bin/sh", "-c"});
  for (const auto& name : predefined_args())
    if (auto it = m_req.args.find(name); it != m_req.args.end()) args[name] = it->second;

  // The base image's ONBUILD triggers run first, as if written right after FROM (errors point at
  // the FROM line); the new image does not inherit them.
  std::vector<Instruction> triggers;
  if (s.config.contains("OnBuild") && s.config["OnBuild"].is_array()) {
    for (const auto& t : s.config["OnBuild"]) {
      if (!t.is_string()) continue;
      Dockerfile one = parse_dockerfile("FROM scratch\n" + t.get<std::string>() + "\n", m_df.file);
      for (std::size_t i = 1; i < one.instructions.size(); ++i) {
        Instruction in = one.instructions[i];
        in.line = in.end_line = stage.from->line;
        triggers.push_back(std::move(in));
      }
    }
    s.config.erase("OnBuild");
  }
  Stage with_triggers = stage;
  std::vector<const Instruction*> body;
  for (const auto& t : triggers) {
    body.push_back(&t);
    if (makes_vertex(t.keyword)) ++with_triggers.steps;
  }
  body.insert(body.end(), stage.body.begin(), stage.body.end());

  int step = 1;
  for (const Instruction* in : body) {
    Command cmd = compile_instruction(m_df, *in, stage_lookup(s, args));
    if (makes_vertex(in->keyword)) ++step;
    if (auto* a = std::get_if<ArgCmd>(&cmd)) {
      for (auto& [name, def] : a->args) {
        std::optional<std::string> value = def;
        if (auto it = m_req.args.find(name); it != m_req.args.end()) {
          value = it->second;
        } else if (!def) {
          value = global_value(name);
        }
        {
          std::lock_guard lock(m_mutex);
          m_used_args.insert(name);
        }
        if (value) args[name] = *value;
      }
      s.key = BuildCache::key(s.key, "ARG " + in->args);
    } else if (auto* r = std::get_if<RunCmd>(&cmd)) {
      run_step(s, with_triggers, step, *in, *r, shell, args);
    } else if (auto* c = std::get_if<CopyCmd>(&cmd)) {
      copy_step(s, with_triggers, step, *in, *c);
    } else if (auto* w = std::get_if<WorkdirCmd>(&cmd)) {
      workdir_step(s, with_triggers, step, *in, w->path);
    } else if (std::holds_alternative<FromCmd>(cmd)) {
      throw m_df.error(in->line, "unexpected FROM");
    } else {
      metadata(s, *in, cmd, shell);
    }
  }
  return s;
}

BuildResult Build::export_image(const StageState& s) {
  int v = m_progress.begin("exporting to image");
  json config = s.config;
  if (!m_req.labels.empty()) {
    if (!config.contains("Labels") || !config["Labels"].is_object()) config["Labels"] = json::object();
    for (const auto& [k, val] : m_req.labels) config["Labels"][k] = val;
  }
  json diff_ids = json::array(), layers = json::array();
  for (const auto& l : s.layers) {
    diff_ids.push_back(l.diff_id.str());
    layers.push_back({{"mediaType", l.media_type}, {"digest", l.blob.str()}, {"size", l.blob_size}});
  }
  json blob = {{"architecture", s.architecture.empty() ? image::host_platform().architecture : s.architecture},
               {"os", s.os},
               {"config", config},
               {"rootfs", {{"type", "layers"}, {"diff_ids", diff_ids}}},
               {"history", s.history}};
  if (!s.created.empty()) blob["created"] = s.created;
  if (!s.variant.empty()) blob["variant"] = s.variant;
  if (!s.author.empty()) blob["author"] = s.author;
  const auto [manifest_digest, config_digest] = image::put_oci_image(m_store, blob, layers);
  m_progress.note(v, "exporting layers done");
  m_store.sync();
  std::vector<image::Reference> refs;
  for (const auto& t : m_req.tags) refs.push_back(image::parse_reference(t));
  {
    image::StoreLock lock = m_store.lock();
    if (refs.empty()) m_store.add_untagged(lock, manifest_digest);
    for (const auto& r : refs) m_store.tag(lock, r, manifest_digest);
  }
  m_progress.note(v, "writing image " + config_digest.str() + " done");
  for (const auto& r : refs) m_progress.note(v, "naming to " + r.str() + " done");
  m_progress.done(v);
  return BuildResult{manifest_digest, config_digest, m_warnings};
}

BuildResult Build::run() {
  sweep_stale_steps(m_env.root, m_env.run);
  load_dockerfile();
  split_stages();
  const int target = target_stage();
  // Start every stage the target reads, so independent ones build side by side.
  std::set<int> needed{target};
  for (int i = target; i >= 0; --i) {
    if (!needed.count(i)) continue;
    const Stage& st = m_stages[i];
    auto mark = [&](const std::string& ref) {
      if (auto j = stage_by_ref(ref, i)) needed.insert(*j);
    };
    for (const Instruction* in : st.body)
      for (const auto& [flag, value] : in->flags)
        if (flag == "from") mark(value);
    for (const Instruction* in : st.body)
      if (in->keyword == "RUN")
        for (const auto& [flag, value] : in->flags)
          if (flag == "mount")
            if (auto p = value.find("from="); p != std::string::npos)
              mark(value.substr(p + 5, value.find(',', p) - p - 5));
    mark(st.from->args.substr(0, st.from->args.find(' ')));
  }
  for (int i : needed) stage_future(i);
  std::optional<StageState> result;
  std::exception_ptr error;
  for (int i : needed) {  // wait for all, so no stage runs on after an error is reported
    try {
      StageState s = stage_future(i).get();
      if (i == target) result = std::move(s);
    } catch (...) {
      if (!error) error = std::current_exception();
    }
  }
  {
    std::lock_guard lock(m_stat_mutex);
    m_stat_cache.save();
  }
  if (error) std::rethrow_exception(error);
  std::vector<std::string> unused;
  for (const auto& [k, v] : m_req.args)
    if (!m_used_args.count(k) && k != "SOURCE_DATE_EPOCH" &&
        std::find(predefined_args().begin(), predefined_args().end(), k) == predefined_args().end())
      unused.push_back(k);
  if (!unused.empty())
    m_warnings.push_back("[Warning] One or more build-args [" + join_words(unused) + "] were not consumed");
  return export_image(*result);
}

}  // namespace

BuildResult build_image(const BuildEnv& env, const BuildRequest& request, BuildProgress& progress) {
  return Build(env, request, progress).run();
}

std::uint64_t prune_build_cache(const BuildEnv& env) {
  sweep_stale_steps(env.root, env.run);
  image::ImageStore store(env.root);
  std::uint64_t freed = BuildCache(env.root).prune(store);
  BuildNetwork(env.root, env.run).remove();
  return freed;
}

}  // namespace berth::build
