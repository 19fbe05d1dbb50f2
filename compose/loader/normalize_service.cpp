// One service, key by key, into compose-go's canonical form. The bigger concerns live in their own
// files (ports, volumes, build and deploy); this file holds the rest:
//   - command/entrypoint (and hook commands) strings -> shell words; environment -> map, nulls kept;
//     labels/annotations/sysctls -> map of strings; extra_hosts -> sorted "host=ip" list;
//   - dns/dns_search/tmpfs/expose/label_file/env_file strings -> lists; expose items as strings;
//   - env_file entries -> {path (absolute), required?, format?} with `required` printed only when
//     false (always, as compose-go's map holds it, without interpolation); label_file paths absolute;
//   - networks list -> map of name: null; depends_on list -> map with condition service_started and
//     required true, which are also the defaults filled into the long form;
//   - devices "src[:dst[:perms]]" -> {source, target, permissions (rwm)};
//   - healthcheck test string -> ["CMD-SHELL", s], `disable: true` -> test ["NONE"], durations;
//   - stop_grace_period duration; mem_limit, mem_reservation, memswap_limit, mem_swappiness,
//     shm_size and blkio rates as byte strings; cpus as a number; pull_policy if_not_present -> missing;
//   - develop.watch entries with a list of paths are split, one per path, and paths made absolute.
#include <string>
#include <vector>

#include "compose/loader/normalize_detail.hpp"

namespace berth::loader::detail {

namespace {

void normalize_env_files(json* files, const Context& ctx, const Pointer& at) {
  if (files == nullptr) return;
  string_to_list(files);
  if (!files->is_array()) return;
  for (size_t i = 0; i < files->size(); ++i) {
    json& file = (*files)[i];
    if (file.is_string()) file = json{{"path", file}};
    if (!file.is_object()) continue;
    if (json* path = member(file, "path"); path && path->is_string())
      *path = abs_path(path->get<std::string>(), ctx.opts);
    if (json* required = member(file, "required")) {
      if (required->is_string()) {
        auto b = parse_go_bool(required->get<std::string>());
        if (b)
          *required = *b;
        else
          ctx.error(at / i / "required", "invalid boolean \"" + required->get<std::string>() + "\"");
      }
      // true is the default, which the typed model does not print (compose-go's OptOut); its map
      // (LoadModel: `config --no-interpolate`) holds what its canonical transform wrote, `required: true`.
      if (required->is_boolean() && required->get<bool>() && !ctx.opts.keep_uninterpolated) file.erase("required");
    } else if (ctx.opts.keep_uninterpolated) {
      file["required"] = true;
    }
  }
}

void normalize_networks(json* networks) {
  if (networks == nullptr) return;
  if (networks->is_array()) {
    json map = json::object();
    for (const auto& name : *networks) map[go_sprint(name)] = nullptr;
    *networks = std::move(map);
    return;
  }
  if (!networks->is_object()) return;
  for (auto& [name, cfg] : networks->items()) {
    if (cfg.is_object()) to_options(member(cfg, "driver_opts"));
  }
}

void normalize_depends_on(json* depends_on) {
  if (depends_on == nullptr) return;
  if (depends_on->is_array()) {
    json map = json::object();
    for (const auto& name : *depends_on) map[go_sprint(name)] = {{"condition", "service_started"}, {"required", true}};
    *depends_on = std::move(map);
    return;
  }
  if (!depends_on->is_object()) return;
  for (auto& [name, dep] : depends_on->items()) {
    if (dep.is_null()) dep = json::object();
    if (!dep.is_object()) continue;
    if (!dep.contains("condition")) dep["condition"] = "service_started";
    if (!dep.contains("required")) dep["required"] = true;
  }
}

void normalize_devices(json* devices, const Context& ctx, const Pointer& at) {
  if (devices == nullptr || !devices->is_array()) return;
  for (size_t i = 0; i < devices->size(); ++i) {
    json& device = (*devices)[i];
    if (!device.is_string()) continue;
    std::string spec = device.get<std::string>();
    std::vector<std::string> parts;
    for (size_t pos = 0;;) {
      size_t colon = spec.find(':', pos);
      parts.push_back(spec.substr(pos, colon - pos));
      if (colon == std::string::npos) break;
      pos = colon + 1;
    }
    if (parts.size() > 3) {
      ctx.error(at / i, "invalid device \"" + spec + "\": confusing device mapping, use the long syntax");
      continue;
    }
    std::string source = parts[0];
    std::string target = parts.size() >= 2 && !parts[1].empty() ? parts[1] : source;
    std::string permissions = parts.size() == 3 ? parts[2] : "rwm";
    device = {{"source", source}, {"target", target}, {"permissions", permissions}};
  }
}

void normalize_healthcheck(json* hc, const Context& ctx, const Pointer& at) {
  if (hc == nullptr || !hc->is_object()) return;
  if (json* test = member(*hc, "test"); test && test->is_string()) *test = json::array({"CMD-SHELL", *test});
  if (json* disable = member(*hc, "disable")) {
    if (disable->is_string()) {
      if (auto b = parse_go_bool(disable->get<std::string>())) *disable = *b;
    }
    // docker compose runs a disabled healthcheck as test ["NONE"]; say so in the model.
    if (disable->is_boolean() && disable->get<bool>()) (*hc)["test"] = json::array({"NONE"});
  }
  for (const char* key : {"interval", "timeout", "start_period", "start_interval"}) duration_field(*hc, key, ctx, at);
}

/// post_start / pre_stop / pre_start items and develop.watch exec: command words, environment map.
void normalize_hook(json& hook, const Context& ctx, const Pointer& at) {
  if (!hook.is_object()) return;
  command_field(hook, "command", ctx, at);
  to_mapping(member(hook, "environment"), NullValues::Keep);
}

void normalize_develop(json* develop, const Context& ctx, const Pointer& at) {
  json* watch = develop ? member(*develop, "watch") : nullptr;
  if (watch == nullptr || !watch->is_array()) return;
  json out = json::array();
  for (size_t i = 0; i < watch->size(); ++i) {
    json entry = (*watch)[i];
    if (!entry.is_object()) {
      out.push_back(entry);
      continue;
    }
    string_to_list(member(entry, "ignore"));
    string_to_list(member(entry, "include"));
    if (json* exec = member(entry, "exec")) normalize_hook(*exec, ctx, at / "watch" / i / "exec");
    json paths = entry.value("path", json());
    if (!paths.is_array()) paths = json::array({paths});
    for (const auto& path : paths) {
      json one = entry;
      one["path"] = path.is_string() ? json(abs_path(path.get<std::string>(), ctx.opts)) : path;
      out.push_back(std::move(one));
    }
  }
  *watch = std::move(out);
}

}  // namespace

void normalize_service(json& service, const Context& ctx, const Pointer& at) {
  if (!service.is_object()) return;
  normalize_build(service, ctx, at);
  normalize_deploy(service, ctx, at);
  normalize_ports(service, ctx, at);
  normalize_service_volumes(service, ctx, at);
  normalize_service_file_refs(service, ctx, at);

  command_field(service, "command", ctx, at);
  command_field(service, "entrypoint", ctx, at);
  to_mapping(member(service, "environment"), NullValues::Keep);
  for (const char* key : {"labels", "annotations", "sysctls"}) to_mapping(member(service, key), NullValues::Empty);
  to_hosts_list(member(service, "extra_hosts"), ctx, at / "extra_hosts");
  if (json* logging = member(service, "logging"); logging && logging->is_object())
    to_options(member(*logging, "options"));
  to_options(member(service, "storage_opt"));

  for (const char* key : {"dns", "dns_search", "tmpfs", "expose"}) string_to_list(member(service, key));
  if (json* expose = member(service, "expose"); expose && expose->is_array()) {
    for (auto& port : *expose) port = go_sprint(port);
  }
  normalize_env_files(member(service, "env_file"), ctx, at / "env_file");
  if (json* label_files = member(service, "label_file")) {
    string_to_list(label_files);
    if (label_files->is_array()) {
      for (auto& file : *label_files) {
        if (file.is_string()) file = abs_path(file.get<std::string>(), ctx.opts);
      }
    }
  }

  normalize_networks(member(service, "networks"));
  normalize_depends_on(member(service, "depends_on"));
  normalize_devices(member(service, "devices"), ctx, at / "devices");
  normalize_healthcheck(member(service, "healthcheck"), ctx, at / "healthcheck");
  duration_field(service, "stop_grace_period", ctx, at);
  for (const char* key : {"mem_limit", "mem_reservation", "memswap_limit", "mem_swappiness", "shm_size"})
    bytes_field(service, key, ctx, at);
  number_field(service, "cpus", ctx, at);
  // Real-time CPU budget: an integer in microseconds, or a duration string ("400ms").
  for (const char* key : {"cpu_rt_runtime", "cpu_rt_period"}) {
    json* v = member(service, key);
    if (v == nullptr || !v->is_string()) continue;
    const std::string text = v->get<std::string>();
    if (auto ns = gocompat::parse_duration_ns(text))
      *v = *ns / 1000;
    else if (text.find_first_not_of("-0123456789") == std::string::npos && !text.empty())
      *v = std::stoll(text);
    else
      ctx.error(at / key, "invalid duration \"" + text + "\": expected microseconds or a duration such as 400ms");
  }
  if (json* blkio = member(service, "blkio_config"); blkio && blkio->is_object()) {
    for (const char* key : {"device_read_bps", "device_write_bps", "device_read_iops", "device_write_iops"}) {
      json* limits = member(*blkio, key);
      if (limits == nullptr || !limits->is_array()) continue;
      for (size_t i = 0; i < limits->size(); ++i) {
        if ((*limits)[i].is_object()) bytes_field((*limits)[i], "rate", ctx, at / "blkio_config" / key / i);
      }
    }
  }
  if (json* policy = member(service, "pull_policy"); policy && *policy == "if_not_present") *policy = "missing";
  if (json* models = member(service, "models"); models && models->is_array()) normalize_networks(models);

  for (const char* key : {"post_start", "pre_stop", "pre_start"}) {
    json* hooks = member(service, key);
    if (hooks == nullptr || !hooks->is_array()) continue;
    for (size_t i = 0; i < hooks->size(); ++i) normalize_hook((*hooks)[i], ctx, at / key / i);
  }
  normalize_develop(member(service, "develop"), ctx, at / "develop");
}

}  // namespace berth::loader::detail
