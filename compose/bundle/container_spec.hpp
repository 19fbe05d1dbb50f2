#pragma once
// From a compose service + its image to the bundle berth-shim runs: the OCI config.json subset
// and org.berth.* annotations documented in runtime-shim/container/bundle.hpp, the files the bundle dir
// must hold (hosts, hostname, resolv.conf, secrets, configs), the named/anonymous volumes to
// create and the bind sources to make. build_container_spec() decides (pure, no writes: unit
// tests check its JSON); prepare_container_files() acts (creates volumes, copies up, writes files).
//
// `berth run` needs no separate overrides: the engine passes a modified copy of the service
// (command, entrypoint, environment, user, working_dir, tty, stdin_open, volumes, ...).
#include <cstdint>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "compose/bundle/etc_files.hpp"
#include "compose/image/store.hpp"
#include "compose/model/project.hpp"

namespace berth::bundle {

/// Who the container is.
struct ContainerIdentity {
  std::string project;
  std::string service;
  std::string name;  ///< <project>-<service>-<n> or container_name
  std::string id;    ///< 64 lowercase hex
  int number = 1;
  bool oneoff = false;  ///< `berth run`
  std::string config_hash;
};

/// The container's place on one network (the engine/network decide these).
struct NetworkAttachment {
  std::string network_key;   ///< key in the project's `networks`
  std::string network_name;  ///< real name
  std::string address;       ///< IPv4 without prefix length
  std::string gateway;
  std::string ifname;  ///< eth0, eth1, ...
  std::vector<std::string> aliases;
  bool internal = false;
};

/// A `volumes_from` entry resolved by the engine to an existing container.
struct VolumesFromSource {
  std::string entry;      ///< as written in compose: "db", "service:db:ro", "container:x:rw"
  nlohmann::json config;  ///< that container's config.json (made by build_container_spec)
};

/// Everything build_container_spec needs. References must outlive the call.
struct SpecInput {
  /// The required parts; set the rest by member.
  SpecInput(const model::Project& project_, const model::Service& service_, ContainerIdentity id_,
            const image::ImageRecord& image_, std::vector<std::string> lower_dirs_ = {})
      : project(project_), service(service_), id(std::move(id_)), image(image_), lower_dirs(std::move(lower_dirs_)) {}

  const model::Project& project;
  const model::Service& service;
  ContainerIdentity id;
  const image::ImageRecord& image;
  std::vector<std::string> lower_dirs;  ///< ImageStore::lower_dirs(image), topmost first

  std::string root;                       ///< Berth root (named volumes under <root>/volumes)
  std::string run;                        ///< Berth run dir
  std::string project_dir;                ///< the project's working dir (relative binds, labels)
  std::vector<std::string> config_files;  ///< compose files (label project.config_files)
  std::string bundle_dir;                 ///< <root>/containers/<id>

  /// Network namespace to join. "" with network_mode host = the host's; "" otherwise = a new,
  /// empty one made by the shim. network_mode service:/container: = the other's netns path.
  std::string netns_path;
  /// IPC and PID namespaces joined (`ipc`/`pid` service:x or container:x): the donor's
  /// /proc/<pid>/ns/{ipc,pid}; the engine sets them again at every start (the donor's pid
  /// changes when it restarts).
  std::string ipc_path;
  std::string pid_path;
  /// /dev/shm bound from the host instead of a tmpfs of its own: an `ipc: shareable`
  /// container's <bundle>/shm (the engine mounts it), or its donor's for an IPC join.
  std::string shm_path;
  std::vector<NetworkAttachment> networks;  ///< in eth order
  std::string dns_server;                   ///< berth-dns address for resolv.conf; "" = the host's resolv.conf
  /// With a dns_server: the project's run dir and the berth-dns binary, for the shim to restart
  /// a berth-dns that died (annotations org.berth.dns-dir and org.berth.dns-binary).
  std::string dns_dir, dns_binary;
  /// The project's event journal and the image as the model names it: the shim records the
  /// container's events there (annotations org.berth.events, org.berth.name, org.berth.image).
  std::string events_journal, image_ref;
  std::string host_gateway;  ///< address `host-gateway` in extra_hosts stands for
  std::string host_resolv_conf_path = "/etc/resolv.conf";
  /// Legacy links on the default bridge (`network_mode: bridge` with `links`): the /etc/hosts
  /// lines and the `<ALIAS>_PORT...` variables Docker gives a container for each linked one.
  std::vector<HostsEntry> link_hosts;
  std::vector<std::string> link_env;

  std::vector<VolumesFromSource> volumes_from;  ///< one per service.volumes_from entry, in order
  /// Names of anonymous volumes to reuse, by container target (the previous container's, so a
  /// recreated container keeps its data as docker compose does). Missing targets get a new
  /// 64-hex name derived from the container id and the target.
  std::map<std::string, std::string> anonymous_volumes;
  /// Looks up variables for secrets/configs with `environment:` (default: the process env).
  std::function<std::optional<std::string>(const std::string&)> lookup_env;
  std::string berth_version = "2.0.0";  ///< label com.docker.compose.version
  /// Berth's default logging (the config file's log-driver/log-opts, state::LogDefaults); the
  /// service's `logging` is laid over it. Empty driver = json-file.
  model::Logging default_logging;
};

/// A file the bundle dir must hold (mounted into the container by config.json).
struct BundleFile {
  std::string name;                    ///< relative to the bundle dir, e.g. "hosts", "secrets/db_password"
  std::optional<std::string> content;  ///< the text, or
  std::string copy_from;               ///< a host file to copy (secret/config `file:`)
  unsigned mode = 0644;
  std::optional<unsigned> uid, gid;
};

/// A named or anonymous volume the container mounts.
struct VolumeUse {
  std::string name;                           ///< real volume name
  std::string target;                         ///< path in the container
  std::map<std::string, std::string> labels;  ///< labels for a volume created on demand
  bool external = false;                      ///< must already exist
  bool anonymous = false;
  bool copy_up = true;                             ///< copy the image's content at target into it when new and empty
  std::string subpath;                             ///< mount only this subdirectory of the volume
  std::map<std::string, std::string> driver_opts;  ///< the local driver's type/o/device (storage::VolumeStore)
};

/// The result of build_container_spec.
struct ContainerSpec {
  nlohmann::json config;                            ///< config.json for berth-shim
  std::vector<std::string> warnings;                ///< "service \"web\": <key> ...: not supported, ignored"
  std::vector<BundleFile> files;                    ///< to write into the bundle dir
  std::vector<VolumeUse> volumes;                   ///< named + anonymous volumes, in mount order
  std::vector<std::string> bind_sources_to_create;  ///< missing host dirs to mkdir -p
  std::uint64_t storage_size = 0;                   ///< storage_opt size: bytes the rootfs may take, 0 = no limit
  /// A healthcheck runs (the service's fields over the image's; not `disable: true`, test not
  /// NONE): Docker's Config.Healthcheck, which decides "has no healthcheck configured".
  bool healthcheck = false;

  /// The names of the volumes in `volumes` (to create, or to keep with `down` without -v).
  std::vector<std::string> named_volumes() const;
};

/// storage_opt's `size` in bytes (0 when not set). Throws std::runtime_error naming the service
/// and key for another key (Docker's overlay2 takes only size) or a size that is not one.
std::uint64_t storage_size(const model::Service& service);

/// Throws std::runtime_error when `service`'s storage_opt is invalid or its size cannot be
/// limited on the filesystem of `containers_dir` (the nearest existing ancestor is looked at):
/// "service \"web\": storage_opt.size: <dir> is on ext4 without project quotas (...)".
void check_storage_opt(const model::Service& service, const std::string& containers_dir);

/// Throws std::runtime_error when docker compose would refuse to create a container of `service`
/// before anything exists: a healthcheck.start_interval without a start_period (docker compose's
/// own rule at container creation, with its words; the engine would accept the pair and ignore it).
void check_creatable(const model::Service& service);

/// Builds the container spec. Pure apart from reading the host's resolv.conf and, for
/// secrets/configs with `environment:`, lookup_env. Throws std::runtime_error naming the service
/// and key for input it cannot turn into a container (unknown secret, bad volumes_from, ...).
ContainerSpec build_container_spec(const SpecInput& in);

/// Makes what the spec refers to: the bundle dir and its files (hosts, hostname, resolv.conf,
/// secret/config copies with mode/uid/gid), missing bind sources, the volumes (created on demand
/// with labels; external ones must exist: a clear error otherwise; copy-up of the image's
/// content into a volume that is new or empty, unless nocopy). With a storage_size, the bundle
/// dir is made with that limit on it (storage_quota.hpp) before anything is written into it.
/// Idempotent.
void prepare_container_files(const SpecInput& in, const ContainerSpec& spec);

}  // namespace berth::bundle
