#include "compose/loader/container_env.hpp"

#include <sys/stat.h>

#include <cctype>
#include <cerrno>
#include <cstring>

namespace berth::loader {

namespace {

using Json = nlohmann::json;

/// "" when `p` exists, else Go's os.Stat error text as compose-go wraps it:
/// "stat /x/.env: no such file or directory" (Go's errno strings are strerror's, lower-cased).
std::string env_file_stat_error(const std::string& p) {
  struct stat st {};
  if (::stat(p.c_str(), &st) == 0) return "";
  std::string text = std::strerror(errno);
  if (!text.empty()) text[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(text[0])));
  return "stat " + p + ": " + text;
}

/// Folds the files listed under `files_key` and then the map under `map_key` into one map.
void fold(Json& svc, const Pointer& ptr, const char* files_key, const char* map_key, const Lookup& lookup,
          Diagnostics& diags, bool resolve_unset, bool touched) {
  Json merged = Json::object();
  if (svc.contains(files_key) && svc[files_key].is_array()) {
    const Json& files = svc[files_key];
    for (size_t i = 0; i < files.size(); ++i) {
      const Json& entry = files[i];
      std::string path = entry.is_string() ? entry.get<std::string>() : entry.value("path", "");
      bool required = entry.is_object() ? entry.value("required", true) : true;
      std::string format = entry.is_object() ? entry.value("format", "") : "";
      if (std::string missing = env_file_stat_error(path); !missing.empty()) {
        const std::string what = files_key == std::string("env_file") ? "env file " : "label file ";
        if (required && touched) diags.error(ptr / files_key / i, what + path + " not found: " + missing);
        continue;
      }
      try {
        for (auto& [k, v] : read_env_file(path, format, lookup)) merged[k] = v;
      } catch (const LoadError& e) {
        diags.append(e.items());
      } catch (const std::exception& e) {
        diags.error(ptr / files_key / i, e.what());
      }
    }
  }
  if (svc.contains(map_key) && svc[map_key].is_object()) {
    for (auto& [k, v] : svc[map_key].items()) {
      if (v.is_null() && resolve_unset) {
        if (auto val = lookup(k))
          merged[k] = *val;
        else
          merged[k] = nullptr;
      } else {
        merged[k] = v;
      }
    }
  }
  if (!merged.empty()) svc[map_key] = std::move(merged);
}

}  // namespace

void resolve_container_environment(Json& model, const Environment& project_env, Diagnostics& diags,
                                   const std::set<std::string>* touched) {
  if (!model.contains("services") || !model["services"].is_object()) return;
  Lookup lookup = [&](std::string_view name) -> std::optional<std::string> {
    auto it = project_env.find(std::string(name));
    if (it == project_env.end()) return std::nullopt;
    return it->second;
  };
  for (auto& [name, svc] : model["services"].items()) {
    if (!svc.is_object()) continue;
    Pointer ptr = Pointer("/services") / name;
    const bool used = touched == nullptr || touched->count(name) > 0;
    fold(svc, ptr, "env_file", "environment", lookup, diags, true, used);
    fold(svc, ptr, "label_file", "labels", lookup, diags, false, used);
  }
}

void resolve_file_objects_environment(Json& model, const Environment& project_env) {
  for (const char* kind : {"secrets", "configs"}) {
    if (!model.contains(kind) || !model[kind].is_object()) continue;
    for (auto& [name, obj] : model[kind].items()) {
      if (!obj.is_object() || !obj.contains("environment") || !obj["environment"].is_string() ||
          obj.contains("content"))
        continue;
      if (auto it = project_env.find(obj["environment"].get<std::string>()); it != project_env.end())
        obj["content"] = it->second;
    }
  }
}

}  // namespace berth::loader
