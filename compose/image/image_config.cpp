// Typed reading of an image config's `config` object. The JSON keys are the ones docker writes
// and image-spec config.md names (Env, Cmd, Entrypoint, WorkingDir, User, ExposedPorts, Volumes,
// Labels, StopSignal) plus Docker's Healthcheck, whose durations are integer nanoseconds.
// Null is the same as absent: docker writes `"Cmd": null` freely.
#include "compose/image/image_config.hpp"

#include <stdexcept>

namespace berth::image {

namespace {

using nlohmann::json;

[[noreturn]] void bad(const std::string& field, const char* expected) {
  throw std::runtime_error("image config: config." + field + ": expected " + expected);
}

const json* field(const json& obj, const char* key) {
  auto it = obj.find(key);
  return it == obj.end() || it->is_null() ? nullptr : &*it;
}

std::vector<std::string> strings(const json& obj, const char* key) {
  std::vector<std::string> out;
  const json* v = field(obj, key);
  if (!v) return out;
  if (!v->is_array()) bad(key, "an array of strings");
  for (const auto& s : *v) {
    if (!s.is_string()) bad(key, "an array of strings");
    out.push_back(s.get<std::string>());
  }
  return out;
}

std::string string(const json& obj, const char* key, const std::string& where) {
  const json* v = field(obj, key);
  if (!v) return {};
  if (!v->is_string()) bad(where, "a string");
  return v->get<std::string>();
}

/// Keys of an object-as-set ({"80/tcp": {}}), the form ExposedPorts and Volumes take.
std::vector<std::string> keys(const json& obj, const char* key) {
  std::vector<std::string> out;
  const json* v = field(obj, key);
  if (!v) return out;
  if (!v->is_object()) bad(key, "an object");
  for (const auto& [k, _] : v->items()) out.push_back(k);
  return out;  // nlohmann's object keeps keys sorted
}

std::chrono::nanoseconds duration(const json& hc, const char* key) {
  const json* v = field(hc, key);
  if (!v) return std::chrono::nanoseconds(0);
  if (!v->is_number_integer()) bad(std::string("Healthcheck.") + key, "an integer number of nanoseconds");
  return std::chrono::nanoseconds(v->get<std::int64_t>());
}

}  // namespace

std::string json_string(const json& obj, const char* key) {
  if (!obj.is_object()) return {};
  auto it = obj.find(key);
  return it != obj.end() && it->is_string() ? it->get<std::string>() : std::string();
}

ImageConfig parse_image_config(const json& blob) {
  ImageConfig out;
  if (!blob.is_object()) throw std::runtime_error("image config: expected a JSON object");
  if (const json* os = field(blob, "os"); os && os->is_string()) out.os = os->get<std::string>();
  if (const json* arch = field(blob, "architecture"); arch && arch->is_string())
    out.architecture = arch->get<std::string>();
  const json* c = field(blob, "config");
  if (!c) return out;
  if (!c->is_object()) throw std::runtime_error("image config: config: expected an object");
  out.env = strings(*c, "Env");
  out.cmd = strings(*c, "Cmd");
  out.entrypoint = strings(*c, "Entrypoint");
  out.working_dir = string(*c, "WorkingDir", "WorkingDir");
  out.user = string(*c, "User", "User");
  out.stop_signal = string(*c, "StopSignal", "StopSignal");
  out.exposed_ports = keys(*c, "ExposedPorts");
  out.volumes = keys(*c, "Volumes");
  if (const json* labels = field(*c, "Labels")) {
    if (!labels->is_object()) bad("Labels", "an object of strings");
    for (const auto& [k, v] : labels->items()) {
      if (!v.is_string()) bad("Labels." + k, "a string");
      out.labels[k] = v.get<std::string>();
    }
  }
  if (const json* hc = field(*c, "Healthcheck")) {
    if (!hc->is_object()) bad("Healthcheck", "an object");
    ImageHealthcheck h;
    h.test = strings(*hc, "Test");
    h.interval = duration(*hc, "Interval");
    h.timeout = duration(*hc, "Timeout");
    h.start_period = duration(*hc, "StartPeriod");
    h.start_interval = duration(*hc, "StartInterval");
    if (const json* r = field(*hc, "Retries")) {
      if (!r->is_number_integer()) bad("Healthcheck.Retries", "an integer");
      h.retries = r->get<int>();
    }
    out.healthcheck = std::move(h);
  }
  return out;
}

}  // namespace berth::image
