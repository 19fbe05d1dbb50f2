#pragma once
// A service, with every key of the Compose Specification's service definition (checked against
// compose-spec.json by tests/unit/model/json_io_test.cpp). Field order is compose-go's ServiceConfig,
// which is the order `docker compose config` prints; the spec keys compose-go lacks
// (pre_start, pull_refresh_after) sit next to their kin.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "compose/model/build.hpp"
#include "compose/model/deploy.hpp"
#include "compose/model/develop.hpp"
#include "compose/model/network.hpp"
#include "compose/model/port.hpp"
#include "compose/model/service_parts.hpp"
#include "compose/model/values.hpp"
#include "compose/model/volume.hpp"

namespace berth::model {

/// One entry of `services`, in long syntax.
struct Service {
  std::string name;  ///< the key in `services`; not a compose key, filled in by project_from_json

  std::vector<std::string> profiles;
  Mapping annotations;
  std::optional<bool> attach;
  std::optional<BuildConfig> build;
  std::optional<Develop> develop;
  std::optional<BlkioConfig> blkio_config;
  std::vector<std::string> cap_add;
  std::vector<std::string> cap_drop;
  std::string cgroup_parent;
  std::string cgroup;  ///< host, private
  std::int64_t cpu_count = 0;
  float cpu_percent = 0;
  std::int64_t cpu_period = 0;
  std::int64_t cpu_quota = 0;
  std::int64_t cpu_rt_period = 0;
  std::int64_t cpu_rt_runtime = 0;
  float cpus = 0;
  std::string cpuset;
  std::int64_t cpu_shares = 0;
  Command command;
  std::vector<FileReference> configs;
  std::string container_name;
  std::optional<CredentialSpec> credential_spec;
  std::map<std::string, ServiceDependency> depends_on;
  std::optional<Deploy> deploy;
  std::vector<std::string> device_cgroup_rules;
  std::vector<DeviceMapping> devices;
  std::vector<std::string> dns;
  std::vector<std::string> dns_opt;
  std::vector<std::string> dns_search;
  std::string domainname;
  Command entrypoint;
  std::optional<Provider> provider;
  MappingWithEquals environment;
  std::vector<EnvFile> env_file;
  std::vector<std::string> expose;
  std::optional<Extends> extends;
  std::vector<std::string> external_links;
  std::vector<std::string> extra_hosts;  ///< "host=ip"
  std::vector<std::string> group_add;
  std::vector<DeviceRequest> gpus;
  std::string hostname;
  std::optional<Healthcheck> healthcheck;
  std::string image;
  std::optional<bool> init;
  std::string ipc;
  std::string isolation;
  Mapping labels;
  std::vector<std::string> label_file;
  std::vector<std::string> links;
  std::optional<Logging> logging;
  Bytes mem_limit;
  Bytes mem_reservation;
  Bytes memswap_limit;
  Bytes mem_swappiness;  ///< compose-go types it as UnitBytes, so it prints as a string too
  std::string mac_address;
  std::map<std::string, std::optional<ServiceModel>> models;
  std::string network_mode;
  std::map<std::string, std::optional<ServiceNetwork>> networks;  ///< nullopt: joined with defaults
  bool oom_kill_disable = false;
  std::int64_t oom_score_adj = 0;
  std::string pid;
  std::int64_t pids_limit = 0;
  std::string platform;
  std::vector<ServicePort> ports;
  bool privileged = false;
  std::string pull_policy;
  std::string pull_refresh_after;
  bool read_only = false;
  std::string restart;
  std::string runtime;
  std::optional<std::int64_t> scale;
  std::vector<FileReference> secrets;
  std::vector<std::string> security_opt;
  Bytes shm_size;
  bool stdin_open = false;
  std::optional<Duration> stop_grace_period;
  std::string stop_signal;
  Mapping storage_opt;
  Mapping sysctls;
  std::vector<std::string> tmpfs;
  bool tty = false;
  std::map<std::string, Ulimit> ulimits;
  bool use_api_socket = false;
  std::string user;
  std::string userns_mode;
  std::string uts;
  std::vector<ServiceVolume> volumes;
  std::vector<std::string> volumes_from;
  std::string working_dir;
  std::vector<ServiceHook> pre_start;
  std::vector<ServiceHook> post_start;
  std::vector<ServiceHook> pre_stop;
  Extensions extensions;
};

template <Is<Service> S, class V>
void fields(S& s, V&& v) {
  v("profiles", s.profiles);
  v("annotations", s.annotations);
  v("attach", s.attach);
  v("build", s.build);
  v("develop", s.develop);
  v("blkio_config", s.blkio_config);
  v("cap_add", s.cap_add);
  v("cap_drop", s.cap_drop);
  v("cgroup_parent", s.cgroup_parent);
  v("cgroup", s.cgroup);
  v("cpu_count", s.cpu_count);
  v("cpu_percent", s.cpu_percent);
  v("cpu_period", s.cpu_period);
  v("cpu_quota", s.cpu_quota);
  v("cpu_rt_period", s.cpu_rt_period);
  v("cpu_rt_runtime", s.cpu_rt_runtime);
  v("cpus", s.cpus);
  v("cpuset", s.cpuset);
  v("cpu_shares", s.cpu_shares);
  v("command", s.command, Field{.omit = Omit::YamlOnly});
  v("configs", s.configs);
  v("container_name", s.container_name);
  v("credential_spec", s.credential_spec);
  v("depends_on", s.depends_on);
  v("deploy", s.deploy);
  v("device_cgroup_rules", s.device_cgroup_rules);
  v("devices", s.devices);
  v("dns", s.dns);
  v("dns_opt", s.dns_opt);
  v("dns_search", s.dns_search);
  v("domainname", s.domainname);
  v("entrypoint", s.entrypoint, Field{.omit = Omit::YamlOnly});
  v("provider", s.provider);
  v("environment", s.environment);
  v("env_file", s.env_file);
  v("expose", s.expose);
  v("extends", s.extends);
  v("external_links", s.external_links);
  v("extra_hosts", s.extra_hosts, Field{.sorted = true});
  v("group_add", s.group_add);
  v("gpus", s.gpus);
  v("hostname", s.hostname);
  v("healthcheck", s.healthcheck);
  v("image", s.image);
  v("init", s.init);
  v("ipc", s.ipc);
  v("isolation", s.isolation);
  v("labels", s.labels);
  v("label_file", s.label_file);
  v("links", s.links);
  v("logging", s.logging);
  v("mem_limit", s.mem_limit);
  v("mem_reservation", s.mem_reservation);
  v("memswap_limit", s.memswap_limit);
  v("mem_swappiness", s.mem_swappiness);
  v("mac_address", s.mac_address);
  v("models", s.models);
  v("network_mode", s.network_mode);
  v("networks", s.networks);
  v("oom_kill_disable", s.oom_kill_disable);
  v("oom_score_adj", s.oom_score_adj);
  v("pid", s.pid);
  v("pids_limit", s.pids_limit);
  v("platform", s.platform);
  v("ports", s.ports);
  v("privileged", s.privileged);
  v("pull_policy", s.pull_policy);
  v("pull_refresh_after", s.pull_refresh_after);
  v("read_only", s.read_only);
  v("restart", s.restart);
  v("runtime", s.runtime);
  v("scale", s.scale);
  v("secrets", s.secrets);
  v("security_opt", s.security_opt);
  v("shm_size", s.shm_size);
  v("stdin_open", s.stdin_open);
  v("stop_grace_period", s.stop_grace_period);
  v("stop_signal", s.stop_signal);
  v("storage_opt", s.storage_opt);
  v("sysctls", s.sysctls);
  v("tmpfs", s.tmpfs);
  v("tty", s.tty);
  v("ulimits", s.ulimits);
  v("use_api_socket", s.use_api_socket);
  v("user", s.user);
  v("userns_mode", s.userns_mode);
  v("uts", s.uts);
  v("volumes", s.volumes);
  v("volumes_from", s.volumes_from);
  v("working_dir", s.working_dir);
  v("pre_start", s.pre_start);
  v("post_start", s.post_start);
  v("pre_stop", s.pre_stop);
}

}  // namespace berth::model
