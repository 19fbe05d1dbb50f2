// Containers for real. create() records the container (status "creating", its netns path and
// host veth names) before making anything, then: netns, endpoints on each network (eth0 first),
// the spec and bundle files, config.json; status "created". start() runs berth-shim. remove()
// works whatever is left: a live shim is asked to stop and shut down, a dead shim's cgroups are
// killed; endpoints, netns, bundle and shim state go, then the record.
#include "compose/runtime/container_runtime.hpp"
#include "compose/model/service_image.hpp"

#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <algorithm>

#include <filesystem>
#include <thread>

#include "common/atomic_file.hpp"
#include "common/event_journal.hpp"
#include "common/sys_error.hpp"
#include "compose/bundle/container_spec.hpp"
#include "compose/gocompat/rfc3339.hpp"
#include "compose/network/netns.hpp"
#include "compose/runtime/default_bridge.hpp"
#include "compose/runtime/dns.hpp"
#include "compose/runtime/ports.hpp"
#include "compose/runtime/shim_process.hpp"
#include "compose/state/config_file.hpp"
#include "compose/storage/storage_quota.hpp"
#include "compose/storage/volumes.hpp"

namespace berth::runtime {

namespace fs = std::filesystem;

ContainerRuntime::ContainerRuntime(const state::Paths& paths, state::StateStore& store,
                                   const project::ProjectContext* ctx, progress::Progress& progress)
    : m_paths(paths), m_store(store), m_ctx(ctx), m_progress(progress) {}

network::NetworkManager& ContainerRuntime::networks() {
  std::lock_guard lock(m_mutex);
  if (!m_networks) m_networks = std::make_unique<network::NetworkManager>(m_paths.root, m_paths.run);
  return *m_networks;
}

state::ContainerRecord ContainerRuntime::record(const std::string& id) const {
  state::ProjectState s = m_store.snapshot();
  if (const state::ContainerRecord* c = s.find_container(id)) return *c;
  throw std::runtime_error("no such container: " + id);
}

namespace {

std::string shell_join(const std::vector<std::string>& words) {
  std::string out;
  for (const auto& w : words) {
    if (!out.empty()) out += ' ';
    bool plain = !w.empty() && w.find_first_of(" \t'\"$\\") == std::string::npos;
    out += plain ? w : "'" + w + "'";
  }
  return out;
}

}  // namespace

std::optional<state::ContainerRecord> ContainerRuntime::namespace_donor(const model::Service& svc,
                                                                        const std::string& mode, const char* what) {
  const state::ProjectState s = m_store.snapshot();
  const state::ContainerRecord* found = nullptr;
  if (mode.rfind("service:", 0) == 0) {
    // docker compose's resolveSharedNamespaces: the service's first container (by name).
    const std::string target = mode.substr(8);
    for (const auto& c : s.containers)
      if (c.service == target && !c.oneoff && c.status != "creating" && (!found || c.name < found->name)) found = &c;
    if (!found)
      throw std::runtime_error("cannot share " + std::string(what) + " namespace with service " + target +
                               ": container missing");
  } else if (mode.rfind("container:", 0) == 0) {
    const std::string target = mode.substr(10);
    for (const auto& c : s.containers)
      if ((c.name == target || c.id.rfind(target, 0) == 0) && c.status != "creating") found = &c;
    if (!found)
      throw std::runtime_error("service \"" + svc.name + "\": " + what + " mode " + mode + ": no such container " +
                               target);
  }
  if (!found) return std::nullopt;
  return *found;
}

std::string ContainerRuntime::netns_for(const model::Service& svc, const std::string& id, bool& owns) {
  owns = false;
  const std::string& nm = svc.network_mode;
  if (nm == "host") return "";
  if (auto donor = namespace_donor(svc, nm, "network")) return donor->netns;
  owns = true;  // bridge networks and "none": a namespace of the container's own
  return m_paths.netns_path(id);
}

namespace {

/// The running container `rec` joins a namespace of: its init's pid, or Docker's error.
int donor_pid(const state::Paths& paths, const state::ContainerRecord& donor, const std::string& type) {
  const std::string dir = paths.shim_state_dir(donor.id);
  int pid = 0;
  if (live_shim_pid(dir)) {
    try {
      auto st = shim_protocol::read_state(dir);
      if (st.status == "running" || st.status == "paused") pid = st.pid;
    } catch (const std::exception&) {
    }
  }
  if (pid > 0) return pid;
  if (type == "network")
    throw std::runtime_error("Error response from daemon: cannot join network of a non running container: " + donor.id);
  if (type == "ipc")
    throw std::runtime_error("Error response from daemon: can't join IPC of container " + donor.id + ": container " +
                             donor.id + " is not running");
  throw std::runtime_error("Error response from daemon: container " + donor.id + " is not running");
}

/// The tmpfs at <bundle>/shm of an `ipc: shareable` container (Docker's ShmPath), unless it is
/// mounted already. remove() takes it away with the bundle (remove_tree unmounts first).
void mount_shareable_shm(const std::string& bundle_dir, std::int64_t size) {
  const std::string dir = bundle_dir + "/shm";
  if (::mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) throw_errno("mkdir `" + dir + "`");
  struct statx sx {};
  if (::statx(AT_FDCWD, dir.c_str(), AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, &sx) == 0 &&
      (sx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT) && (sx.stx_attributes & STATX_ATTR_MOUNT_ROOT))
    return;
  const std::string data = "mode=1777,size=" + std::to_string(size);
  if (::mount("shm", dir.c_str(), "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, data.c_str()) != 0)
    throw_errno("mount shm tmpfs on `" + dir + "`");
}

}  // namespace

std::vector<bundle::VolumesFromSource> ContainerRuntime::volumes_from_sources(const model::Service& svc) {
  std::vector<bundle::VolumesFromSource> out;
  const state::ProjectState s = m_store.snapshot();
  for (const std::string& entry : svc.volumes_from) {
    // "service[:mode]", "service:service[:mode]" or "container:name[:mode]" (compose-go's forms).
    std::string rest = entry;
    bool container = false;
    if (rest.rfind("container:", 0) == 0) {
      container = true;
      rest.erase(0, 10);
    } else if (rest.rfind("service:", 0) == 0) {
      rest.erase(0, 8);
    }
    const std::string name = rest.substr(0, rest.find(':'));
    const state::ContainerRecord* found = nullptr;
    for (const auto& c : s.containers) {
      if (c.status == "creating") continue;
      if (container ? (c.name == name || c.id.rfind(name, 0) == 0)
                    : (c.service == name && !c.oneoff && (!found || c.name < found->name)))
        found = &c;
    }
    if (!found && !container)  // docker compose's resolveVolumeFrom
      throw std::runtime_error("cannot share volume with service " + name + ": container missing");
    if (!found) throw std::runtime_error("Error response from daemon: No such container: " + name);
    const std::string config = m_paths.bundle_dir(found->id) + "/config.json";
    out.push_back(bundle::VolumesFromSource{entry, nlohmann::json::parse(read_file(config))});
  }
  return out;
}

void ContainerRuntime::refresh_joins(const state::ContainerRecord& rec) {
  const state::ProjectState s = m_store.snapshot();
  auto find = [&](const std::string& id) -> const state::ContainerRecord& {
    if (const state::ContainerRecord* c = s.find_container(id)) return *c;
    throw std::runtime_error("Error response from daemon: No such container: " + id);
  };
  // network_mode service:x / container:x: the namespace outlives a stopped owner, but Docker
  // refuses to join a container that does not run.
  if (!rec.owns_netns && !rec.netns.empty())
    for (const auto& c : s.containers)
      if (c.owns_netns && c.netns == rec.netns && c.id != rec.id) donor_pid(m_paths, c, "network");
  if (rec.joins.empty()) return;
  const std::string path = m_paths.bundle_dir(rec.id) + "/config.json";
  nlohmann::json config = nlohmann::json::parse(read_file(path));
  for (const auto& [type, donor_id] : rec.joins) {
    const std::string proc = "/proc/" + std::to_string(donor_pid(m_paths, find(donor_id), type));
    for (auto& ns : config["linux"]["namespaces"])
      if (ns.value("type", "") == type) ns["path"] = proc + "/ns/" + type;
  }
  write_file_atomic(path, config.dump(2) + "\n", 0600);
}

std::string ContainerRuntime::create(const plan::Action& a) {
  if (!m_ctx) throw std::logic_error("create without a loaded project");
  const model::Service& svc = m_ctx->loaded.model.services.at(a.service);
  const image::ImageRecord& img = m_ctx->images.at(a.service);
  state::ContainerRecord rec;
  rec.id = state::new_container_id();
  rec.name = a.name;
  rec.service = a.service;
  rec.number = a.number;
  rec.config_hash = m_ctx->desired.services.at(a.service).config_hash;
  rec.image = model::service_image(m_ctx->loaded.model, a.service);
  rec.image_id = img.config_digest.str();
  rec.created = gocompat::rfc3339_now();
  rec.dns = svc.dns;  // berth-dns's upstreams for this container (resolv.conf keeps berth-dns)
  if (auto deps = m_ctx->dependencies.find(a.service); deps != m_ctx->dependencies.end())
    for (const auto& [dep, d] : deps->second)
      rec.depends_on.push_back(state::DependsOnRecord{dep, d.condition, d.restart, d.required});
  rec.links = svc.links;
  rec.ipc = svc.ipc;
  // ipc/pid service:x or container:x: Docker's checks at create, the paths again at each start.
  std::map<std::string, int> donor_pids;
  if (auto donor = namespace_donor(svc, svc.ipc, "IPC")) {
    if (donor->ipc != "shareable" && donor->ipc != "host")
      throw std::runtime_error("Error response from daemon: can't join IPC of container " + donor->id +
                               ": non-shareable IPC (hint: use IpcMode:shareable for the donor container)");
    rec.joins["ipc"] = donor->id;
  }
  if (auto donor = namespace_donor(svc, svc.pid, "PID")) rec.joins["pid"] = donor->id;
  for (const auto& [type, donor_id] : rec.joins) {
    const state::ProjectState s = m_store.snapshot();
    try {  // a donor that does not run yet (`create`): start() fills the paths in
      if (const state::ContainerRecord* donor = s.find_container(donor_id))
        donor_pids[type] = donor_pid(m_paths, *donor, type);
    } catch (const std::exception&) {
    }
  }
  if (svc.stop_grace_period) rec.stop_timeout = static_cast<int>(svc.stop_grace_period->nanoseconds / 1'000'000'000);
  {
    auto cfg = img.runtime_config();
    std::vector<std::string> words = svc.entrypoint ? *svc.entrypoint : cfg.entrypoint;
    auto cmd = svc.command ? *svc.command : (svc.entrypoint ? std::vector<std::string>{} : cfg.cmd);
    words.insert(words.end(), cmd.begin(), cmd.end());
    rec.command = shell_join(words);
  }
  bundle::check_creatable(svc);  // before anything is made (also for `run`)
  if (project::uses_bridge_networks(svc) && !svc.mac_address.empty()) {
    // docker compose's prepareContainerMACAddress: the primary network's own must agree.
    const std::vector<std::string> order = project::network_order(svc);
    if (!order.empty())
      if (auto n = svc.networks.find(order.front()); n != svc.networks.end() && n->second &&
                                                     !n->second->mac_address.empty() &&
                                                     n->second->mac_address != svc.mac_address)
        throw std::runtime_error("the service-level mac_address should have the same value as network " +
                                 order.front());
  }
  bundle::check_storage_opt(svc, m_paths.root + "/containers");
  rec.netns = netns_for(svc, rec.id, rec.owns_netns);
  std::vector<network::PortMapping> ports;
  const bool on_default_bridge = svc.network_mode == "bridge" || svc.network_mode == "default";
  if (on_default_bridge) {
    const std::string id = networks().id_for(default_bridge_config().name);
    rec.endpoints.push_back(state::EndpointRecord{kDefaultBridgeKey, id, network::host_veth_name(rec.id, id), "", {}});
  }
  if (project::uses_bridge_networks(svc)) {
    state::ProjectState state = m_store.snapshot();
    for (const std::string& key : project::network_order(svc)) {
      auto it = std::find_if(state.networks.begin(), state.networks.end(), [&](const auto& n) { return n.key == key; });
      if (it == state.networks.end()) {
        create_network(key);  // an external network used for the first time: look it up and record it
        state = m_store.snapshot();
        it = std::find_if(state.networks.begin(), state.networks.end(), [&](const auto& n) { return n.key == key; });
      }
      state::EndpointRecord ep{key, it->id, network::host_veth_name(rec.id, it->id), "", {}};
      ep.names = {svc.name, rec.name, rec.id.substr(0, 12)};
      if (!svc.hostname.empty()) ep.names.push_back(svc.hostname);
      if (auto n = svc.networks.find(key); n != svc.networks.end() && n->second)
        ep.names.insert(ep.names.end(), n->second->aliases.begin(), n->second->aliases.end());
      rec.endpoints.push_back(ep);
    }
    ports = publish_ports(svc);
    for (const auto& p : ports) rec.ports.push_back(port_text(p.host_ip, p.host_port, p.container_port, p.protocol));
  }
  rec.exposed = exposed_only(svc.expose, img.runtime_config().exposed_ports, ports);
  m_store.update([&](state::ProjectState& s) { s.containers.push_back(rec); });  // intent first

  if (rec.owns_netns) network::create_netns(rec.netns);
  std::vector<bundle::NetworkAttachment> attachments;
  const state::ProjectState state = m_store.snapshot();
  bool default_route_given = false;  // via the first network that is not internal
  for (size_t i = 0; i < rec.endpoints.size(); ++i) {
    state::EndpointRecord& ep = rec.endpoints[i];
    const model::Network* net = on_default_bridge ? nullptr : &m_ctx->loaded.model.networks.at(ep.network);
    const bool internal = net && net->internal;
    network::AttachRequest req;
    req.container_id = rec.id;
    req.network_id = ep.network_id;
    req.netns_path = rec.netns;
    req.interface_index = static_cast<unsigned>(i);
    if (auto n = svc.networks.find(ep.network); n != svc.networks.end() && n->second) {
      req.ipv4_address = n->second->ipv4_address;
      req.interface_name = n->second->interface_name;
      req.mac_address = n->second->mac_address;
    }
    // docker compose (API >= 1.44): the service's mac_address is the primary network's (the
    // first by priority) unless that network sets its own.
    if (i == 0 && req.mac_address.empty()) req.mac_address = svc.mac_address;
    req.default_route = !default_route_given && !internal;
    default_route_given = default_route_given || req.default_route;
    if (i == 0) req.ports = ports;
    network::Endpoint got =
        on_default_bridge ? networks().attach_shared(default_bridge_config(), req) : networks().attach(req);
    ep.address = got.address;
    bundle::NetworkAttachment att{
        ep.network, net ? net->name : default_bridge_config().name, got.address, got.gateway, got.interface, {},
        internal};
    if (auto n = svc.networks.find(ep.network); n != svc.networks.end() && n->second) att.aliases = n->second->aliases;
    attachments.push_back(att);
    m_store.update([&](state::ProjectState& s) {
      if (auto* c = s.find_container(rec.id)) {
        c->endpoints[i].address = got.address;
        c->endpoints[i].interface = got.interface;
        c->endpoints[i].mac = got.mac;
        c->endpoints[i].default_route = req.default_route;
      }
    });
  }

  bundle::ContainerIdentity identity{m_ctx->loaded.name, a.service, a.name, rec.id, a.number, false, rec.config_hash};
  bundle::SpecInput in{m_ctx->loaded.model, svc, identity, img, image::ImageStore(m_paths.root).lower_dirs(img)};
  in.root = m_paths.root;
  in.run = m_paths.run;
  in.project_dir = m_ctx->loaded.working_dir;
  in.config_files = m_ctx->loaded.config_files;
  in.bundle_dir = m_paths.bundle_dir(rec.id);
  in.events_journal = m_paths.events_journal(m_ctx->loaded.name);
  in.image_ref = rec.image;
  in.netns_path = rec.netns;
  if (auto p = donor_pids.find("ipc"); p != donor_pids.end())
    in.ipc_path = "/proc/" + std::to_string(p->second) + "/ns/ipc";
  // Docker's ShmPath: a shareable container's /dev/shm is a tmpfs the engine mounts on the host
  // (<bundle>/shm), so containers joining its IPC namespace can mount the same one.
  if (svc.ipc == "shareable") in.shm_path = m_paths.bundle_dir(rec.id) + "/shm";
  if (auto d = rec.joins.find("ipc"); d != rec.joins.end()) {
    const state::ProjectState s = m_store.snapshot();
    const state::ContainerRecord* donor = s.find_container(d->second);
    in.shm_path = donor && donor->ipc == "host" ? "/dev/shm" : m_paths.bundle_dir(d->second) + "/shm";
  }
  if (auto p = donor_pids.find("pid"); p != donor_pids.end())
    in.pid_path = "/proc/" + std::to_string(p->second) + "/ns/pid";
  in.networks = attachments;
  if (!attachments.empty()) {
    if (dns_available() && !on_default_bridge) {
      in.dns_server = attachments.front().gateway;
      in.dns_dir = m_paths.project_run_dir(m_ctx->loaded.name);
      in.dns_binary = state::dns_binary();
    }
    in.host_gateway = attachments.front().gateway;
  }
  if (on_default_bridge && !rec.links.empty()) {
    LegacyLinks links = legacy_links(m_paths, m_store.snapshot(), rec);
    in.link_hosts = std::move(links.hosts);
    in.link_env = std::move(links.env);
  }
  {
    std::lock_guard lock(m_mutex);
    if (auto it = m_removed_anonymous.find(a.container_id); it != m_removed_anonymous.end())
      in.anonymous_volumes = it->second;
  }
  in.volumes_from = volumes_from_sources(svc);
  state::LogDefaults log_defaults = state::load_log_defaults(state::config_environment());
  in.default_logging.driver = log_defaults.driver;
  in.default_logging.options = log_defaults.options;
  bundle::ContainerSpec spec = bundle::build_container_spec(in);
  for (const auto& w : spec.warnings) m_progress.warning(w);
  for (const auto& v : spec.volumes)
    if (v.anonymous) rec.anonymous_volumes[v.target] = v.name;
  bundle::prepare_container_files(in, spec);
  if (svc.ipc == "shareable") {
    rec.shm_size = svc.shm_size.value > 0 ? svc.shm_size.value : 64 * 1024 * 1024;
    mount_shareable_shm(m_paths.bundle_dir(rec.id), rec.shm_size);
  }
  write_file_atomic(in.bundle_dir + "/config.json", spec.config.dump(2) + "\n", 0600);
  m_store.update([&](state::ProjectState& s) {
    if (auto* c = s.find_container(rec.id)) {
      c->anonymous_volumes = rec.anonymous_volumes;
      c->healthcheck = spec.healthcheck;
      c->shm_size = rec.shm_size;
      c->status = "created";
    }
  });
  record_event(rec, "create");
  return rec.id;
}

void ContainerRuntime::start(const std::string& id) {
  state::ContainerRecord rec = record(id);
  const std::string state_dir = m_paths.shim_state_dir(id);
  if (int pid = settled_shim_pid(state_dir, rec.name)) {
    auto st = shim_protocol::read_state(state_dir);
    // A shim still starting its container: launched by a berth killed before it recorded the
    // start (the crash matrix). Wait for it to get there rather than shutting it down.
    for (int i = 0; i < 200 && st.status == "created" && live_shim_pid(state_dir) == pid; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      st = shim_protocol::read_state(state_dir);
    }
    if (st.status == "running" || st.status == "paused" || st.status == "restarting") {
      m_store.update([&](state::ProjectState& s) {
        if (auto* c = s.find_container(id)) c->status = "started";
      });
      return;
    }
    shim_call(state_dir, {{"op", "shutdown"}});  // the old shim keeps an exited container's state
    if (!wait_gone(pid, 3000)) throw std::runtime_error("container " + rec.name + ": old berth-shim did not exit");
  }
  {
    std::lock_guard lock(m_mutex);
    if (m_shim.empty()) m_shim = state::shim_binary();
  }
  // Names must resolve from the container's first instruction on: the records get its
  // endpoints (and berth-dns starts) before its process does.
  if (!rec.endpoints.empty()) {
    std::lock_guard lock(m_dns_mutex);
    try {
      for (const auto& name : sync_dns(m_paths, m_store.snapshot()))
        m_progress.warning("\"" + name + "\" is not a valid DNS name: it does not resolve");
    } catch (const std::exception& e) {
      m_progress.warning(std::string("service names will not resolve: ") + e.what());
    }
  }
  if (rec.shm_size > 0) mount_shareable_shm(m_paths.bundle_dir(id), rec.shm_size);  // gone after a reboot
  refresh_joins(rec);
  launch_shim(m_shim, m_paths.bundle_dir(id), id, state_dir);
  m_store.update([&](state::ProjectState& s) {
    if (auto* c = s.find_container(id)) c->status = "started";
  });
}

void ContainerRuntime::stop(const std::string& id, std::optional<int> timeout) {
  state::ContainerRecord rec = record(id);
  const std::string state_dir = m_paths.shim_state_dir(id);
  if (settled_shim_pid(state_dir, rec.name)) {
    auto st = shim_protocol::read_state(state_dir);
    if (st.status == "running" || st.status == "paused" || st.status == "restarting")
      shim_call(state_dir, {{"op", "stop"}, {"timeout", timeout.value_or(rec.stop_timeout)}});
  } else {
    kill_cgroups(container_cgroups(state_dir, id));
  }
  m_store.update([&](state::ProjectState& s) {
    if (auto* c = s.find_container(id); c && c->status == "started") c->status = "stopped";
  });
}

void ContainerRuntime::kill(const std::string& id, const std::string& signal) {
  const std::string state_dir = m_paths.shim_state_dir(id);
  if (!live_shim_pid(state_dir)) throw std::runtime_error("container " + record(id).name + " is not running");
  nlohmann::json req = {{"op", "kill"}};
  if (!signal.empty()) req["signal"] = signal;
  shim_call(state_dir, req);
}

void ContainerRuntime::pause(const std::string& id, bool pause) {
  const std::string state_dir = m_paths.shim_state_dir(id);
  if (!live_shim_pid(state_dir)) throw std::runtime_error("container " + record(id).name + " is not running");
  shim_call(state_dir, {{"op", pause ? "pause" : "unpause"}});
}

void ContainerRuntime::remove(const std::string& id) {
  state::ContainerRecord rec = record(id);
  const std::string state_dir = m_paths.shim_state_dir(id);
  int pid = 0;
  try {
    pid = settled_shim_pid(state_dir, rec.name);
  } catch (const std::exception& e) {
    m_progress.warning(e.what());  // a stuck shim: killed, its container's cgroups go below
    if (int stuck = named_shim_pid(state_dir)) {
      ::kill(stuck, SIGKILL);
      wait_gone(stuck, 3000);
    }
  }
  if (pid) {
    try {
      auto st = shim_protocol::read_state(state_dir);
      if (st.status != "exited") {
        shim_call(state_dir, {{"op", "kill"}, {"signal", "KILL"}});
        shim_call(state_dir, {{"op", "wait"}});
      }
      shim_call(state_dir, {{"op", "shutdown"}});
    } catch (const std::exception&) {
      ::kill(pid, SIGKILL);  // a shim that does not answer: its container's cgroup goes below
    }
    wait_gone(pid, 3000);
  }
  kill_cgroups(container_cgroups(state_dir, id));
  const std::string default_bridge_id = networks().id_for(default_bridge_config().name);
  for (const auto& ep : rec.endpoints) {
    if (ep.network_id.empty()) continue;
    if (ep.network == kDefaultBridgeKey && ep.network_id == default_bridge_id)
      networks().detach_shared(id, ep.network_id);  // the last one out removes the default bridge
    else
      networks().detach(id, ep.network_id, true);
  }
  if (rec.owns_netns && !rec.netns.empty()) network::remove_netns(rec.netns);
  storage::release_quota_dir(m_paths.bundle_dir(id));
  remove_tree(m_paths.bundle_dir(id));
  remove_tree(state_dir);
  {
    std::lock_guard lock(m_mutex);
    m_removed_anonymous[id] = rec.anonymous_volumes;
  }
  m_store.update(
      [&](state::ProjectState& s) { std::erase_if(s.containers, [&](const auto& c) { return c.id == id; }); });
  record_event(rec, "destroy");
}

void ContainerRuntime::restarted(const std::string& id) { record_event(record(id), "restart"); }

void ContainerRuntime::record_event(const state::ContainerRecord& rec, const std::string& action) {
  journal::Event e;
  e.time_ns = journal::now_ns();
  e.action = action;
  e.id = rec.id;
  e.service = rec.service;
  e.oneoff = rec.oneoff;
  e.attributes = {{"name", rec.name}, {"image", rec.image}};
  const std::string path = m_paths.events_journal(m_store.project());
  try {
    journal::append(path, e);
  } catch (const std::exception& err) {
    m_progress.warning(std::string("event not recorded: ") + err.what());
  }
}

ContainerStatus ContainerRuntime::status(const std::string& id) {
  state::ContainerRecord rec = record(id);
  ContainerStatus out;
  if (rec.status == "creating") return ContainerStatus{"dead", 0, "", rec.healthcheck};
  if (rec.status == "created") return ContainerStatus{"created", 0, "", rec.healthcheck};
  const std::string state_dir = m_paths.shim_state_dir(id);
  shim_protocol::State st;
  try {
    st = shim_protocol::read_state(state_dir);
  } catch (const std::exception&) {
    return ContainerStatus{"dead", 0, "", rec.healthcheck};
  }
  out.status = st.status;
  out.exit_code = st.exit_code;
  out.oom_killed = st.oom_killed;
  out.log_lines_dropped = st.log_lines_dropped;
  if (st.health) out.health = st.health->status;
  out.healthcheck = rec.healthcheck || st.health.has_value();  // (records of older versions lack the flag)
  if (st.status != "exited" && !live_shim_pid(state_dir)) out.status = "dead";
  return out;
}

std::vector<std::pair<std::string, std::string>> ContainerRuntime::containers_of(const std::string& service) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& c : m_store.snapshot().containers)
    if (c.service == service && !c.oneoff && c.status != "creating") out.emplace_back(c.id, c.name);
  return out;
}

void ContainerRuntime::create_network(const std::string& key) {
  if (!m_ctx) throw std::logic_error("create network without a loaded project");
  const model::Network& net = m_ctx->loaded.model.networks.at(key);
  if (net.external) {
    auto found = networks().find_by_name(net.name);
    if (!found) throw std::runtime_error("network " + net.name + " declared as external, but could not be found");
    m_store.update([&](state::ProjectState& s) {
      std::erase_if(s.networks, [&](const auto& n) { return n.key == key; });
      s.networks.push_back(state::NetworkRecord{key, net.name, found->id, found->gateway, true});
    });
    return;
  }
  state::NetworkRecord rec{key, net.name, networks().id_for(net.name), "", false};
  if (auto h = m_ctx->desired.network_hashes.find(key); h != m_ctx->desired.network_hashes.end())
    rec.config_hash = h->second;
  m_store.update([&](state::ProjectState& s) {
    std::erase_if(s.networks, [&](const auto& n) { return n.key == key; });
    s.networks.push_back(rec);
  });
  network::NetworkConfig cfg;
  cfg.name = net.name;
  cfg.project = m_ctx->loaded.name;
  cfg.internal = net.internal;
  if (!net.ipam.config.empty())
    cfg.ipam =
        network::SubnetRequest{net.ipam.config[0].subnet, net.ipam.config[0].gateway, net.ipam.config[0].ip_range};
  cfg.driver_opts = net.driver_opts;
  cfg.labels = net.labels;
  network::NetworkState st = networks().ensure_network(cfg);
  m_store.update([&](state::ProjectState& s) {
    for (auto& n : s.networks)
      if (n.key == key) n.gateway = st.gateway;
  });
}

void ContainerRuntime::remove_network(const std::string& key) {
  state::ProjectState s = m_store.snapshot();
  for (const auto& n : s.networks)
    if (n.key == key && !n.external) networks().remove_network(n.id);
  m_store.update(
      [&](state::ProjectState& st) { std::erase_if(st.networks, [&](const auto& n) { return n.key == key; }); });
}

void ContainerRuntime::create_volume(const std::string& key) {
  if (!m_ctx) throw std::logic_error("create volume without a loaded project");
  const model::Volume& vol = m_ctx->loaded.model.volumes.at(key);
  storage::VolumeStore store(m_paths.root);
  if (vol.external) {
    if (!store.exists(vol.name)) throw std::runtime_error("external volume \"" + vol.name + "\" not found");
    return;
  }
  m_store.update([&](state::ProjectState& s) {
    std::erase_if(s.volumes, [&](const auto& v) { return v.key == key; });
    s.volumes.push_back(state::VolumeRecord{key, vol.name, false});
  });
  auto labels = vol.labels;
  labels["com.docker.compose.project"] = m_ctx->loaded.name;
  labels["com.docker.compose.volume"] = key;
  store.create(vol.name, labels, m_ctx->loaded.name, vol.driver_opts);
}

void ContainerRuntime::remove_volume(const std::string& key) {
  state::ProjectState s = m_store.snapshot();
  for (const auto& v : s.volumes)
    if (v.key == key && !v.external) storage::VolumeStore(m_paths.root).remove(v.name);
  m_store.update(
      [&](state::ProjectState& st) { std::erase_if(st.volumes, [&](const auto& v) { return v.key == key; }); });
}

void ContainerRuntime::remove_volume_named(const std::string& name) { storage::VolumeStore(m_paths.root).remove(name); }

void ContainerRuntime::remove_anonymous_volumes() {
  std::map<std::string, std::map<std::string, std::string>> removed;
  {
    std::lock_guard lock(m_mutex);
    removed.swap(m_removed_anonymous);
  }
  for (const auto& [id, vols] : removed)
    for (const auto& [target, name] : vols) storage::VolumeStore(m_paths.root).remove(name);
}

}  // namespace berth::runtime
