// services.*.build and services.*.deploy (plus gpus, whose entries share deploy's device-request
// shape), in compose-go's canonical form:
//   build: a string is the context; the context defaults to "." and is made absolute unless it is a
//     URL or git reference (or a "service:"/"docker-image://" context); `dockerfile` defaults to
//     "Dockerfile" unless `dockerfile_inline` is given, and stays relative to the context;
//     additional_contexts become a map with local paths made absolute; ssh becomes a list of
//     "default" / "id=path" with paths resolved; args (nulls kept), labels (nulls -> ""), secrets
//     (short name -> {source}), extra_hosts, shm_size and the string-or-list keys as elsewhere.
//   deploy: labels map; update/rollback delay and monitor, restart_policy delay and window as Go
//     durations ("60s" -> "1m0s"); resources cpus as numbers and memory as byte strings; device
//     requests get `count: -1` ("all", compose's encoding) when neither count nor device_ids is set.
#include <cctype>
#include <string>

#include "compose/loader/normalize_detail.hpp"

namespace berth::loader::detail {

namespace {

void resolve_context(json& value, const Context& ctx) {
  if (value.is_string() && !is_remote_context(value.get<std::string>())) {
    value = abs_path(value.get<std::string>(), ctx.opts);
  }
}

void normalize_ssh(json* ssh, const Context& ctx, const Pointer& at) {
  if (ssh == nullptr) return;
  json out = json::array();
  auto add = [&](const std::string& id, const json& path, const Pointer& here) {
    if (path.is_null()) {
      out.push_back(id);
      return;
    }
    std::string p = go_sprint(path);
    if (p.empty()) {
      ctx.error(here, "invalid ssh key \"" + id + "=\": empty path");
      return;
    }
    out.push_back(id + "=" + abs_path(p, ctx.opts));
  };
  if (ssh->is_string()) *ssh = json::array({*ssh});
  if (ssh->is_array()) {
    for (size_t i = 0; i < ssh->size(); ++i) {
      std::string entry = go_sprint((*ssh)[i]);
      auto eq = entry.find('=');
      if (eq == std::string::npos) {
        if (entry != "default")
          ctx.error(at / i, "invalid ssh key \"" + entry + "\": expected default or <id>=<path>");
        else
          out.push_back(entry);
        continue;
      }
      add(entry.substr(0, eq), entry.substr(eq + 1), at / i);
    }
  } else if (ssh->is_object()) {
    for (auto& [id, path] : ssh->items()) add(id, path, at / id);
  } else {
    return;
  }
  *ssh = std::move(out);
}

/// services.*.secrets / configs / build.secrets entries: a name is {source: name}; mode as octal string.
void normalize_file_refs(json* refs, const Context& ctx, const Pointer& at, const char* default_target_dir) {
  if (refs == nullptr || !refs->is_array()) return;
  for (size_t i = 0; i < refs->size(); ++i) {
    json& ref = (*refs)[i];
    if (ref.is_string()) ref = json{{"source", ref}};
    if (!ref.is_object()) continue;
    if (default_target_dir != nullptr && !ref.contains("target") && ref.contains("source")) {
      ref["target"] = std::string(default_target_dir) + go_sprint(ref["source"]);
    }
    for (const char* id : {"uid", "gid"}) {
      if (json* v = member(ref, id); v && v->is_number()) *v = go_sprint(*v);
    }
    file_mode_field(ref, "mode", ctx, at / i);
  }
}

void normalize_device_requests(json* requests, const Context& ctx, const Pointer& at) {
  if (requests == nullptr || !requests->is_array()) return;
  for (size_t i = 0; i < requests->size(); ++i) {
    json& req = (*requests)[i];
    if (!req.is_object()) continue;
    json* count = member(req, "count");
    if (count != nullptr && req.contains("device_ids")) {
      ctx.error(at / i, "\"count\" and \"device_ids\" are exclusive");
      continue;
    }
    if (count == nullptr && !req.contains("device_ids")) req["count"] = -1;
    if (count != nullptr && count->is_string()) {
      std::string text = count->get<std::string>();
      std::string lower;
      for (char c : text) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      if (lower == "all") {
        *count = -1;
      } else {
        try {
          size_t used = 0;
          long long n = std::stoll(text, &used);
          if (used != text.size()) throw std::invalid_argument(text);
          *count = n;
        } catch (const std::exception&) {
          ctx.error(at / i / "count", "invalid device count \"" + text + "\": expected \"all\" or a number");
        }
      }
    }
    to_mapping(member(req, "options"), NullValues::Empty);
  }
}

void normalize_resource(json* resource, const Context& ctx, const Pointer& at) {
  if (resource == nullptr || !resource->is_object()) return;
  number_field(*resource, "cpus", ctx, at);
  bytes_field(*resource, "memory", ctx, at);
  normalize_device_requests(member(*resource, "devices"), ctx, at / "devices");
}

}  // namespace

void normalize_build(json& service, const Context& ctx, const Pointer& at) {
  json* build = member(service, "build");
  if (build == nullptr) return;
  if (build->is_string()) *build = json{{"context", *build}};
  if (!build->is_object()) return;
  const Pointer here = at / "build";
  if (!build->contains("context")) (*build)["context"] = ".";
  resolve_context((*build)["context"], ctx);
  if (!build->contains("dockerfile") && !build->contains("dockerfile_inline")) (*build)["dockerfile"] = "Dockerfile";

  to_mapping(member(*build, "args"), NullValues::Keep);
  to_mapping(member(*build, "labels"), NullValues::Empty);
  if (json* contexts = member(*build, "additional_contexts")) {
    if (contexts->is_array()) {
      for (size_t i = 0; i < contexts->size(); ++i) {
        if (go_sprint((*contexts)[i]).find('=') == std::string::npos) {
          ctx.error(here / "additional_contexts" / i,
                    "invalid additional context \"" + go_sprint((*contexts)[i]) + "\": expected name=path");
        }
      }
    }
    to_mapping(contexts, NullValues::Empty);
    if (contexts->is_object()) {
      for (auto& [name, path] : contexts->items()) resolve_context(path, ctx);
    }
  }
  normalize_ssh(member(*build, "ssh"), ctx, here / "ssh");
  normalize_file_refs(member(*build, "secrets"), ctx, here / "secrets", nullptr);
  to_hosts_list(member(*build, "extra_hosts"), ctx, here / "extra_hosts");
  for (const char* key : {"cache_from", "cache_to", "no_cache_filter", "tags", "platforms"})
    string_to_list(member(*build, key));
  bytes_field(*build, "shm_size", ctx, here);
}

void normalize_deploy(json& service, const Context& ctx, const Pointer& at) {
  if (json* gpus = member(service, "gpus"); gpus && gpus->is_string()) *gpus = json::array({{{"count", "all"}}});
  normalize_device_requests(member(service, "gpus"), ctx, at / "gpus");
  json* deploy = member(service, "deploy");
  if (deploy == nullptr || !deploy->is_object()) return;
  const Pointer here = at / "deploy";
  to_mapping(member(*deploy, "labels"), NullValues::Empty);
  for (const char* key : {"update_config", "rollback_config"}) {
    if (json* cfg = member(*deploy, key); cfg && cfg->is_object()) {
      duration_field(*cfg, "delay", ctx, here / key);
      duration_field(*cfg, "monitor", ctx, here / key);
    }
  }
  if (json* policy = member(*deploy, "restart_policy"); policy && policy->is_object()) {
    duration_field(*policy, "delay", ctx, here / "restart_policy");
    duration_field(*policy, "window", ctx, here / "restart_policy");
  }
  if (json* resources = member(*deploy, "resources"); resources && resources->is_object()) {
    normalize_resource(member(*resources, "limits"), ctx, here / "resources" / "limits");
    normalize_resource(member(*resources, "reservations"), ctx, here / "resources" / "reservations");
  }
}

void normalize_service_file_refs(json& service, const Context& ctx, const Pointer& at) {
  normalize_file_refs(member(service, "configs"), ctx, at / "configs", nullptr);
  normalize_file_refs(member(service, "secrets"), ctx, at / "secrets", "/run/secrets/");
}

}  // namespace berth::loader::detail
