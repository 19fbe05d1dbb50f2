// services.*.volumes: short syntax -> long syntax, then path resolution of bind sources.
//
// The short syntax is parsed like compose-go's format.ParseVolume: fields are separated by ':'
// (except inside ${...}, and except the ':' of a Windows drive letter "C:"), giving
// [source:]target[:options]. One field is an anonymous volume; a source starting with ".", "/",
// "~" (or "\\" or a drive letter) makes a bind mount with `bind: {}`, anything else a named volume
// with `volume: {}`. Options are a comma-separated list: ro, rw, nocopy, z/Z (SELinux), and the
// propagation modes; compose-go ignores unknown options and so does this parser. A spec of one or two
// characters is taken as the target of an anonymous volume, without `volume: {}`, as compose-go does.
// The target of a short spec is cleaned (path.Clean); long-syntax entries are kept as written, apart
// from bind sources resolved against the project directory, tmpfs sizes as byte strings and
// `bind.create_host_path: true` dropped (true is the default; compose prints it only when false).
#include <stdexcept>

#include "compose/gocompat/path.hpp"
#include "compose/loader/normalize_detail.hpp"

namespace berth::loader {

namespace {

bool is_ascii_letter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

bool is_file_path(const std::string& source) {
  if (source.empty()) return false;
  if (source[0] == '.' || source[0] == '/' || source[0] == '~') return true;
  if (source.rfind("\\\\", 0) == 0) return true;  // Windows named pipe
  return source.size() >= 2 && is_ascii_letter(source[0]) && source[1] == ':';
}

bool is_propagation(const std::string& o) {
  return o == "rprivate" || o == "private" || o == "rshared" || o == "shared" || o == "rslave" || o == "slave";
}

void apply_options(const std::string& options, nlohmann::json& volume) {
  size_t pos = 0;
  while (pos <= options.size()) {
    size_t comma = options.find(',', pos);
    if (comma == std::string::npos) comma = options.size();
    std::string option = options.substr(pos, comma - pos);
    pos = comma + 1;
    if (option == "ro")
      volume["read_only"] = true;
    else if (option == "rw")
      volume.erase("read_only");
    else if (option == "nocopy")
      volume["volume"] = {{"nocopy", true}};
    else if (option == "z" || option == "Z")
      volume["bind"]["selinux"] = option;
    else if (is_propagation(option))
      volume["bind"]["propagation"] = option;
    // anything else is ignored, as compose-go does
  }
}

}  // namespace

nlohmann::json parse_volume_spec(const std::string& spec) {
  nlohmann::json volume = nlohmann::json::object();
  if (spec.empty()) throw std::invalid_argument("invalid volume \"\": empty volume spec");
  if (spec.size() <= 2) {
    volume["type"] = "volume";
    volume["target"] = spec;
    return volume;
  }
  auto fail = [&](const char* why) { return std::invalid_argument("invalid volume \"" + spec + "\": " + why); };
  std::string source, target, buffer;
  bool have_source = false, have_target = false;
  int in_substitution = 0;  // nesting depth of ${...}
  for (size_t i = 0; i <= spec.size(); ++i) {
    const bool at_end = i == spec.size();
    const char c = at_end ? '\0' : spec[i];
    if (!at_end && c == '$' && i + 1 < spec.size() && spec[i + 1] == '{') {
      ++in_substitution;
      buffer += c;
      continue;
    }
    if (!at_end && c == '}' && in_substitution > 0) {
      --in_substitution;
      buffer += c;
      continue;
    }
    if (c == ':' && buffer.size() == 1 && is_ascii_letter(buffer[0])) {  // Windows drive letter
      buffer += c;
      continue;
    }
    if (!(at_end || c == ':') || in_substitution > 0) {
      buffer += c;
      continue;
    }
    if (buffer.empty()) throw fail("empty section between colons");
    if (!have_source && at_end) {
      target = buffer;  // anonymous volume
      have_target = true;
    } else if (!have_source) {
      source = buffer;
      have_source = true;
    } else if (!have_target) {
      target = buffer;
      have_target = true;
    } else if (!at_end) {
      throw fail("too many colons");
    } else {
      apply_options(buffer, volume);
    }
    buffer.clear();
  }
  nlohmann::json out = nlohmann::json::object();
  const bool bind = is_file_path(source);
  out["type"] = bind ? "bind" : "volume";
  if (!source.empty()) out["source"] = source;
  if (!target.empty()) out["target"] = target;
  for (auto& [k, v] : volume.items()) out[k] = v;
  if (bind && !out.contains("bind")) out["bind"] = nlohmann::json::object();
  if (!bind && !out.contains("volume")) out["volume"] = nlohmann::json::object();
  return out;
}

namespace detail {

void normalize_service_volumes(json& service, const Context& ctx, const Pointer& at) {
  json* volumes = member(service, "volumes");
  if (volumes == nullptr || !volumes->is_array()) return;
  for (size_t i = 0; i < volumes->size(); ++i) {
    json& entry = (*volumes)[i];
    const Pointer here = at / "volumes" / i;
    if (entry.is_string()) {
      try {
        json parsed = parse_volume_spec(entry.get<std::string>());
        if (json* target = member(parsed, "target")) *target = gocompat::clean_path(target->get<std::string>());
        entry = std::move(parsed);
      } catch (const std::invalid_argument& e) {
        ctx.error(here, e.what());
        continue;
      }
    }
    if (!entry.is_object()) continue;
    if (entry.value("type", "") == "bind") {
      json* source = member(entry, "source");
      if (source == nullptr || !source->is_string() || source->get<std::string>().empty()) {
        ctx.error(here, "invalid bind mount: source must not be empty");
      } else {
        *source = abs_path(source->get<std::string>(), ctx.opts);
      }
    }
    if (json* bind = member(entry, "bind"); bind && bind->is_object()) {
      json* create = member(*bind, "create_host_path");
      if (create && create->is_string()) {
        if (auto b = parse_go_bool(create->get<std::string>())) *create = *b;
      }
      if (create && create->is_boolean() && create->get<bool>()) bind->erase("create_host_path");
    }
    if (json* tmpfs = member(entry, "tmpfs"); tmpfs && tmpfs->is_object())
      bytes_field(*tmpfs, "size", ctx, here / "tmpfs");
    if (json* volume = member(entry, "volume"); volume && volume->is_object())
      to_mapping(member(*volume, "labels"), NullValues::Empty);
  }
}

}  // namespace detail

}  // namespace berth::loader
