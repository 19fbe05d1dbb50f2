#pragma once
// The small value types a service is made of: references to secrets/configs, ulimits, devices,
// env files, healthcheck, logging, dependencies, blkio, provider, models. Field order is
// compose-go's (types/types.go), keys it lacks but the spec has are placed next to their kin.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "compose/model/values.hpp"

namespace berth::model {

/// A service's (or a build's) use of a secret or config (compose-go's FileReferenceConfig).
struct FileReference {
  std::string source;  ///< key in the top-level `secrets`/`configs`
  std::string target;  ///< path or name in the container
  std::string uid;
  std::string gid;
  std::optional<FileMode> mode;
  Extensions extensions;
};

/// One `ulimits` entry: either a single value for soft and hard, or both.
struct Ulimit {
  std::int64_t single = 0;  ///< non-zero: `nofile: 1024` form
  std::int64_t soft = 0;
  std::int64_t hard = 0;
};

/// One `devices` entry: a host device mapped into the container.
struct DeviceMapping {
  std::string source;
  std::string target;
  std::string permissions;  ///< cgroup permissions, "rwm"
  Extensions extensions;
};

/// One `env_file` entry.
struct EnvFile {
  std::string path;
  bool required = true;
  std::string format;
};

/// `healthcheck`.
struct Healthcheck {
  std::vector<std::string> test;  ///< ["CMD", ...], ["CMD-SHELL", "cmd"] or ["NONE"]
  std::optional<Duration> timeout;
  std::optional<Duration> interval;
  std::optional<std::uint64_t> retries;
  std::optional<Duration> start_period;
  std::optional<Duration> start_interval;
  bool disable = false;
  Extensions extensions;
};

/// `logging`.
struct Logging {
  std::string driver;
  Mapping options;
  Extensions extensions;
};

/// One `depends_on` entry (compose-go's ServiceDependency).
struct ServiceDependency {
  std::string condition;  ///< service_started, service_healthy, service_completed_successfully
  bool restart = false;
  bool required = true;
  Extensions extensions;
};

/// A `depends_on` entry, by the name the spec uses.
using DependsOn = ServiceDependency;

/// `credential_spec` (Windows).
struct CredentialSpec {
  std::string config;
  std::string file;
  std::string registry;
  Extensions extensions;
};

/// `extends` (normally resolved and removed by the loader).
struct Extends {
  std::string file;
  std::string service;
};

/// `provider`: a service implemented by a plugin instead of a container.
struct Provider {
  std::string type;
  std::map<std::string, std::vector<std::string>> options;  ///< an option may repeat
  Extensions extensions;
};

/// One entry of a service's `models`.
struct ServiceModel {
  std::string endpoint_var;
  std::string model_var;
  Extensions extensions;
};

/// One `blkio_config.weight_device` entry.
struct WeightDevice {
  std::string path;
  std::uint16_t weight = 0;
};

/// One `blkio_config.device_{read,write}_{bps,iops}` entry.
struct ThrottleDevice {
  std::string path;
  Bytes rate;
};

/// `blkio_config`.
struct BlkioConfig {
  std::uint16_t weight = 0;
  std::vector<WeightDevice> weight_device;
  std::vector<ThrottleDevice> device_read_bps;
  std::vector<ThrottleDevice> device_read_iops;
  std::vector<ThrottleDevice> device_write_bps;
  std::vector<ThrottleDevice> device_write_iops;
};

template <Is<FileReference> S, class V>
void fields(S& s, V&& v) {
  v("source", s.source);
  v("target", s.target);
  v("uid", s.uid);
  v("gid", s.gid);
  v("mode", s.mode);
}

template <Is<DeviceMapping> S, class V>
void fields(S& s, V&& v) {
  v("source", s.source);
  v("target", s.target);
  v("permissions", s.permissions);
}

template <Is<EnvFile> S, class V>
void fields(S& s, V&& v) {
  v("path", s.path);
  v("required", s.required, Field{.omit = Omit::WhenTrue});
  v("format", s.format);
}

template <Is<Healthcheck> S, class V>
void fields(S& s, V&& v) {
  v("test", s.test);
  v("timeout", s.timeout);
  v("interval", s.interval);
  v("retries", s.retries);
  v("start_period", s.start_period);
  v("start_interval", s.start_interval);
  v("disable", s.disable);
}

template <Is<Logging> S, class V>
void fields(S& s, V&& v) {
  v("driver", s.driver);
  v("options", s.options);
}

template <Is<ServiceDependency> S, class V>
void fields(S& s, V&& v) {
  v("condition", s.condition);
  v("restart", s.restart);
  v("required", s.required, Field{.omit = Omit::Never});
}

template <Is<CredentialSpec> S, class V>
void fields(S& s, V&& v) {
  v("config", s.config);
  v("file", s.file);
  v("registry", s.registry);
}

template <Is<Extends> S, class V>
void fields(S& s, V&& v) {
  v("file", s.file);
  v("service", s.service);
}

template <Is<Provider> S, class V>
void fields(S& s, V&& v) {
  v("type", s.type);
  v("options", s.options, Field{.scalar_as_list = true});
}

template <Is<ServiceModel> S, class V>
void fields(S& s, V&& v) {
  v("endpoint_var", s.endpoint_var);
  v("model_var", s.model_var);
}

// compose-go declares these two without struct tags: go-yaml lower-cases the Go field names and
// prints them even when zero, encoding/json prints the Go names as they are ("Path", "Weight").
template <Is<WeightDevice> S, class V>
void fields(S& s, V&& v) {
  v("path", s.path, Field{.omit = Omit::Never, .json_key = "Path"});
  v("weight", s.weight, Field{.omit = Omit::Never, .json_key = "Weight"});
}

template <Is<ThrottleDevice> S, class V>
void fields(S& s, V&& v) {
  v("path", s.path, Field{.omit = Omit::Never, .json_key = "Path"});
  v("rate", s.rate, Field{.omit = Omit::Never, .json_key = "Rate"});
}

template <Is<BlkioConfig> S, class V>
void fields(S& s, V&& v) {
  v("weight", s.weight);
  v("weight_device", s.weight_device);
  v("device_read_bps", s.device_read_bps);
  v("device_read_iops", s.device_read_iops);
  v("device_write_bps", s.device_write_bps);
  v("device_write_iops", s.device_write_iops);
}

}  // namespace berth::model
