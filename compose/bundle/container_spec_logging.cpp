// `logging:` → the shim's org.berth.log-* annotations (runtime-shim/container/bundle.hpp).
//
// The service's logging is laid over Berth's default (SpecInput::default_logging, from the config
// file's log-driver/log-opts) as dockerd's mergeAndVerifyLogConfig does: no driver named = the
// default driver; the default's options fill in keys the service left out when the drivers match.
// Then the options are checked as Docker's drivers check them (jsonfilelog.New/ValidateLogOpt,
// local's validateConfig), so a file Docker refuses is refused here too, naming service and key:
//   json-file  max-size (go-units FromHumanSize: decimal k/m/g), max-file (default 1), compress
//              (needs max-file >= 2 and max-size)
//   local      the same keys; defaults 20 MiB x 5 files, compressed (Docker's local driver; Berth
//              writes json-file lines, which `berth logs` reads; Docker's protobuf format is not
//              something other tools read either)
//   none       no log file
// Other drivers (syslog, journald, gelf, fluentd, awslogs, ...) send logs to a service Berth does
// not talk to: a warning names the driver and the container logs to json-file with the defaults,
// so a compose file written for a production host still runs on a laptop.
// Docker's generic `mode` and `max-buffer-size` are accepted: Berth always writes through a buffer
// (never blocking the container); max-buffer-size sizes it.
#include <string>

#include "compose/bundle/container_spec_detail.hpp"
#include "compose/gocompat/units.hpp"

namespace berth::bundle::detail {

namespace {

bool log_driver_supported(const std::string& d) { return d == "json-file" || d == "local" || d == "none"; }

/// Go's strconv.ParseBool.
std::optional<bool> parse_go_bool(const std::string& s) {
  if (s == "1" || s == "t" || s == "T" || s == "true" || s == "TRUE" || s == "True") return true;
  if (s == "0" || s == "f" || s == "F" || s == "false" || s == "FALSE" || s == "False") return false;
  return std::nullopt;
}

/// The effective driver and options: the service's over the default, as dockerd merges them.
model::Logging merged_logging(const model::Logging& defaults, const std::optional<model::Logging>& service) {
  model::Logging out;
  out.driver = defaults.driver.empty() ? "json-file" : defaults.driver;
  if (service && !service->driver.empty() && service->driver != out.driver) {
    out.driver = service->driver;
    out.options = service->options;
    return out;
  }
  out.options = defaults.options;
  if (service)
    for (const auto& [k, v] : service->options) out.options[k] = v;
  return out;
}

}  // namespace

void build_logging(Build& b) {
  const model::Service& s = b.in.service;
  model::Logging log = merged_logging(b.in.default_logging, s.logging);
  if (!log_driver_supported(log.driver)) {
    b.warn("logging.driver", "\"" + log.driver + "\" is not supported by Berth; the container logs to json-file" +
                                 (log.options.empty() ? "" : " (its options are ignored)"));
    model::Logging fallback = merged_logging(b.in.default_logging, std::nullopt);
    log = log_driver_supported(fallback.driver) ? fallback : model::Logging{"json-file", {}, {}};
  }
  auto& ann = b.config["annotations"];
  ann["org.berth.log-driver"] = log.driver;
  if (log.driver == "none") return;
  // Beside config.json under the root, as dockerd keeps <id>-json.log: the run dir is a tmpfs, and
  // a log there would not outlive a reboot (or `system restore`).
  if (!b.in.bundle_dir.empty()) ann["org.berth.log-path"] = b.in.bundle_dir + "/container.log";

  const bool local = log.driver == "local";
  int64_t max_size = local ? 20 * 1024 * 1024 : -1;
  int64_t max_file = local ? 5 : 1;
  bool compress = local;
  const std::string at = "logging.options.";
  for (const auto& [key, value] : log.options) {
    if (key == "max-size") {
      auto n = gocompat::parse_human_size(value);
      if (!n) b.fail(at + key, "invalid size \"" + value + "\" (a number with an optional k, m or g suffix)");
      if (*n <= 0 && !local) b.fail(at + key, "max-size must be a positive number");
      max_size = *n;
    } else if (key == "max-file") {
      size_t used = 0;
      long long n = 0;
      try {
        n = std::stoll(value, &used);
      } catch (const std::exception&) {
        used = std::string::npos;
      }
      if (used != value.size()) b.fail(at + key, "\"" + value + "\" is not a number");
      if (n < (local ? 0 : 1))
        b.fail(at + key, local ? "max file count cannot be less than 0" : "max-file cannot be less than 1");
      max_file = n;
    } else if (key == "compress") {
      auto v = parse_go_bool(value);
      if (!v) b.fail(at + key, "\"" + value + "\" is not true or false");
      compress = *v;
    } else if (key == "max-buffer-size") {
      auto n = gocompat::parse_bytes(value);  // Docker reads it with RAMInBytes
      if (!n || *n <= 0) b.fail(at + key, "invalid size \"" + value + "\"");
      ann["org.berth.log-max-buffer"] = std::to_string(*n);
    } else if (key == "mode") {
      if (value != "blocking" && value != "non-blocking")
        b.fail(at + key, "\"" + value + "\" is not blocking or non-blocking");
    } else if (!local &&
               (key == "labels" || key == "labels-regex" || key == "env" || key == "env-regex" || key == "tag")) {
      b.warn(at + key, "not supported by Berth's json-file log (no attributes are added to lines), ignored");
    } else {
      b.fail(at + key, "unknown log opt '" + key + "' for " + log.driver + " log driver");
    }
  }
  if (local) {
    // Docker's local driver: 0 means "no limit" for the size and the default for the count.
    if (max_size == 0) max_size = -1;
    if (max_file == 0) max_file = 5;
    if (compress && max_file <= 1)
      b.fail("logging.options.compress", "compression cannot be enabled when max file count is 1");
  } else if (compress && (max_file == 1 || max_size == -1)) {
    b.fail("logging.options.compress", "compress cannot be true when max-file is less than 2 or max-size is not set");
  }
  if (max_size > 0) {
    ann["org.berth.log-max-size"] = std::to_string(max_size);
    ann["org.berth.log-max-file"] = std::to_string(max_file);
    ann["org.berth.log-compress"] = compress ? "true" : "false";
  }
}

}  // namespace berth::bundle::detail
