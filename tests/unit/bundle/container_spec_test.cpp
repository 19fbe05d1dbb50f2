// build_container_spec for representative services (loaded from real compose YAML through the
// loader, so short syntax is normalised as in `berth up`), and prepare_container_files on a temp
// tree: config.json content, bundle files, volumes, warnings.
#include "compose/bundle/container_spec.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "common/atomic_file.hpp"
#include "compose/loader/load.hpp"
#include "compose/model/json_io.hpp"
#include "compose/storage/volumes.hpp"
#include "support/temp_dir.hpp"

using namespace berth::bundle;
using namespace berth::storage;

namespace berth::engine {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

const std::string kId = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

class ContainerSpecTest : public ::testing::Test {
 protected:
  void SetUp() override {
    m_dir = m_tmp.path();
    m_image_config = {
        {"architecture", "amd64"},
        {"os", "linux"},
        {"config",
         {{"Env", {"PATH=/image/bin", "IMG=1", "SHARED=image"}},
          {"Entrypoint", {"/entry.sh"}},
          {"Cmd", {"serve", "--port=80"}},
          {"WorkingDir", "/srv"},
          {"User", "daemon"},
          {"StopSignal", "SIGQUIT"},
          {"Labels", {{"org.image", "yes"}}},
          {"Volumes", {{"/var/cache/img", json::object()}}},
          {"Healthcheck", {{"Test", {"CMD-SHELL", "check"}}, {"Interval", 5000000000LL}, {"Retries", 2}}}}}};
  }

  /// Loads `yaml` as <dir>/compose.yaml; the service "app" is what build() uses.
  void load(const std::string& yaml) {
    { std::ofstream(m_dir + "/compose.yaml") << yaml; }
    loader::LoadOptions o;
    o.working_directory = m_dir;
    o.files = {m_dir + "/compose.yaml"};
    o.project_name = "proj";
    o.os_environment = {{"HOME", m_dir}, {"SECRET_VAR", "from-env"}};
    m_loaded = loader::load_project(o);
    m_project = m_loaded.model;
  }

  image::ImageRecord image() const {
    auto d = image::Digest::from_hex(std::string(64, 'a'));
    return image::ImageRecord{{}, d, d, json::object(), m_image_config, {}, 0, ""};
  }

  bundle::ContainerSpec build(const std::string& service = "app", std::vector<bundle::VolumesFromSource> from = {}) {
    m_image = std::make_unique<image::ImageRecord>(image());
    bundle::SpecInput in = input(service);
    in.volumes_from = std::move(from);
    return bundle::build_container_spec(in);
  }

  bundle::SpecInput input(const std::string& service) {
    if (!m_image) m_image = std::make_unique<image::ImageRecord>(image());
    bundle::ContainerIdentity id{"proj", service, "proj-" + service + "-1", kId, 1, false, "hash123"};
    bundle::SpecInput in{
        m_project, m_project.services.at(service), id, *m_image, {m_dir + "/layer1", m_dir + "/layer0"}};
    in.root = m_dir + "/root";
    in.run = m_dir + "/run";
    in.project_dir = m_loaded.working_dir;
    in.config_files = m_loaded.config_files;
    in.bundle_dir = m_dir + "/root/containers/" + kId;
    in.netns_path = m_dir + "/run/netns/" + kId;
    in.networks = {{"default", "proj_default", "10.89.0.2", "10.89.0.1", "eth0", {}, false}};
    in.dns_server = "10.89.0.1";
    in.host_gateway = "10.89.0.1";
    in.host_resolv_conf_path = m_dir + "/resolv.conf";
    in.lookup_env = [](const std::string& name) -> std::optional<std::string> {
      if (name == "SECRET_VAR") return "from-env";
      return std::nullopt;
    };
    { std::ofstream(m_dir + "/resolv.conf") << "nameserver 192.0.2.53\nsearch corp.example\n"; }
    return in;
  }

  static const json* mount(const json& config, const std::string& dest) {
    for (const auto& m : config["mounts"])
      if (m["destination"] == dest) return &m;
    return nullptr;
  }

  static bool has_warning(const bundle::ContainerSpec& s, const std::string& part) {
    for (const auto& w : s.warnings)
      if (w.find(part) != std::string::npos) return true;
    return false;
  }

  berth::test::TempDir m_tmp{"berth-spec"};
  std::string m_dir;
  json m_image_config;
  loader::Project m_loaded;
  model::Project m_project;
  std::unique_ptr<image::ImageRecord> m_image;
};

TEST_F(ContainerSpecTest, ImageDefaultsEnvOrderAndIdentity) {
  load("services:\n  app:\n    image: img\n    environment:\n      SHARED: service\n      EXTRA: x\n");
  bundle::ContainerSpec s = build();
  const json& p = s.config["process"];
  EXPECT_EQ(p["args"], json({"/entry.sh", "serve", "--port=80"}));
  EXPECT_EQ(p["env"], json({"PATH=/image/bin", "HOSTNAME=0123456789ab", "IMG=1", "SHARED=service", "EXTRA=x"}));
  EXPECT_EQ(p["cwd"], "/srv");
  EXPECT_EQ(p["terminal"], false);
  EXPECT_EQ(s.config["hostname"], "0123456789ab");
  EXPECT_EQ(s.config["root"], json({{"path", "rootfs"}, {"readonly", false}}));
  const json& a = s.config["annotations"];
  EXPECT_EQ(a["org.berth.user"], "daemon");
  EXPECT_EQ(a["org.berth.stop-signal"], "SIGQUIT");
  EXPECT_EQ(a["org.berth.restart"], "no");
  EXPECT_EQ(a["org.berth.init"], "false");
  EXPECT_EQ(a["org.berth.rootfs.lower"], m_dir + "/layer1:" + m_dir + "/layer0");
  EXPECT_EQ(a["org.berth.rootfs.upper"], m_dir + "/root/containers/" + kId + "/upper");
  EXPECT_EQ(a["com.docker.compose.project"], "proj");
  EXPECT_EQ(a["com.docker.compose.service"], "app");
  EXPECT_EQ(a["com.docker.compose.container-number"], "1");
  EXPECT_EQ(a["com.docker.compose.config-hash"], "hash123");
  EXPECT_EQ(a["com.docker.compose.oneoff"], "False");
  EXPECT_EQ(a["com.docker.compose.project.working_dir"], m_dir);
  EXPECT_EQ(a["com.docker.compose.project.config_files"], m_dir + "/compose.yaml");
  EXPECT_EQ(a["org.image"], "yes");
  json hc = json::parse(a["org.berth.healthcheck"].get<std::string>());
  EXPECT_EQ(hc, json({{"test", {"CMD-SHELL", "check"}}, {"interval_ns", 5000000000LL}, {"retries", 2}}));
  EXPECT_TRUE(s.warnings.empty()) << s.warnings.front();
  // The default PATH when neither the image nor the service has one; TERM with a tty.
  m_image_config["config"]["Env"] = json::array();
  load("services:\n  app:\n    image: img\n    tty: true\n    hostname: web\n");
  s = build();
  EXPECT_EQ(s.config["process"]["env"],
            json({"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "HOSTNAME=web", "TERM=xterm"}));
  EXPECT_EQ(s.config["process"]["terminal"], true);
  EXPECT_FALSE(s.config["annotations"].contains("org.berth.open-stdin"));  // the pty is stdin
  // stdin_open without a tty: the shim keeps a stdin pipe for `attach`.
  load("services:\n  app:\n    image: img\n    stdin_open: true\n");
  s = build();
  EXPECT_EQ(s.config["annotations"]["org.berth.open-stdin"], "true");
  EXPECT_EQ(s.config["process"]["terminal"], false);
  EXPECT_TRUE(s.warnings.empty()) << s.warnings.front();
}

TEST_F(ContainerSpecTest, VariableUnsetInTheProjectRemovesTheImageDefault) {
  // IMG is the image's; neither the shell nor .env sets it, so `environment: [IMG]` unsets it in
  // the container (Docker drops a bare VAR from the image's Env). SECRET_VAR is in the shell.
  load("services:\n  app:\n    image: img\n    environment: [IMG, SECRET_VAR, NOWHERE]\n");
  EXPECT_EQ(build().config["process"]["env"],
            json({"PATH=/image/bin", "HOSTNAME=0123456789ab", "SHARED=image", "SECRET_VAR=from-env"}));
}

TEST_F(ContainerSpecTest, EntrypointAndCommandRules) {
  load("services:\n  app:\n    image: img\n    command: [run, fast]\n");
  EXPECT_EQ(build().config["process"]["args"], json({"/entry.sh", "run", "fast"}));
  load("services:\n  app:\n    image: img\n    entrypoint: /other\n");
  EXPECT_EQ(build().config["process"]["args"], json({"/other"}));  // image Cmd dropped
  load("services:\n  app:\n    image: img\n    entrypoint: [/other, -x]\n    command: echo hi\n");
  EXPECT_EQ(build().config["process"]["args"], json({"/other", "-x", "echo", "hi"}));
  load("services:\n  app:\n    image: img\n    entrypoint: []\n    command: [sh]\n");
  EXPECT_EQ(build().config["process"]["args"], json({"sh"}));
  load("services:\n  app:\n    image: img\n    entrypoint: []\n");
  m_image_config["config"]["Cmd"] = json::array();
  EXPECT_THROW(build(), std::runtime_error);
}

TEST_F(ContainerSpecTest, UserWorkdirHealthcheckOverrideAndDisable) {
  load(
      "services:\n  app:\n    image: img\n    user: '1000:1000'\n    working_dir: /app\n    group_add: ['44', video]\n"
      "    healthcheck:\n      test: [CMD, /probe]\n      timeout: 2s\n    stop_signal: term\n    stop_grace_period: "
      "1m30s\n"
      "    restart: on-failure:3\n    init: true\n");
  bundle::ContainerSpec s = build();
  EXPECT_EQ(s.config["annotations"]["org.berth.user"], "1000:1000");
  EXPECT_EQ(s.config["process"]["cwd"], "/app");
  EXPECT_EQ(s.config["process"]["user"]["additionalGids"], json({44}));
  EXPECT_TRUE(has_warning(s, "group_add"));
  json hc = json::parse(s.config["annotations"]["org.berth.healthcheck"].get<std::string>());
  EXPECT_EQ(
      hc,
      json({{"test", {"CMD", "/probe"}}, {"interval_ns", 5000000000LL}, {"timeout_ns", 2000000000LL}, {"retries", 2}}));
  EXPECT_EQ(s.config["annotations"]["org.berth.stop-signal"], "SIGTERM");
  EXPECT_EQ(s.config["annotations"]["org.berth.stop-timeout"], "90");
  EXPECT_EQ(s.config["annotations"]["org.berth.restart"], "on-failure:3");
  EXPECT_EQ(s.config["annotations"]["org.berth.init"], "true");
  EXPECT_TRUE(s.healthcheck);
  load("services:\n  app:\n    image: img\n    healthcheck:\n      disable: true\n");
  EXPECT_FALSE(build().config["annotations"].contains("org.berth.healthcheck"));
  EXPECT_FALSE(build().healthcheck);
  load("services:\n  app:\n    image: img\n    healthcheck:\n      test: [NONE]\n");
  EXPECT_FALSE(build().config["annotations"].contains("org.berth.healthcheck"));
  EXPECT_FALSE(build().healthcheck);
  load("services:\n  app:\n    image: img\n    deploy:\n      restart_policy:\n        condition: any\n");
  EXPECT_EQ(build().config["annotations"]["org.berth.restart"], "always");
}

TEST_F(ContainerSpecTest, StartIntervalWithoutStartPeriodIsRefusedAsDockerComposeDoes) {
  load("services:\n  app:\n    image: img\n    healthcheck:\n      test: [CMD, /probe]\n      start_interval: 1s\n");
  try {
    bundle::check_creatable(m_project.services.at("app"));
    FAIL() << "expected the service to be refused";
  } catch (const std::runtime_error& e) {
    EXPECT_STREQ(e.what(), "healthcheck.start_interval requires healthcheck.start_period to be set");
  }
  load(
      "services:\n  app:\n    image: img\n    healthcheck:\n      test: [CMD, /probe]\n      start_interval: 1s\n"
      "      start_period: 10s\n");
  EXPECT_NO_THROW(bundle::check_creatable(m_project.services.at("app")));
  load("services:\n  app:\n    image: img\n    healthcheck:\n      start_period: 10s\n");
  EXPECT_NO_THROW(bundle::check_creatable(m_project.services.at("app")));
}

TEST_F(ContainerSpecTest, ResourceLimitsAndUlimits) {
  load(
      "services:\n  app:\n    image: img\n    mem_limit: 256m\n    cpus: 1.5\n    cpu_shares: 512\n    pids_limit: "
      "100\n"
      "    ulimits:\n      nofile: {soft: 1024, hard: 2048}\n      nproc: 500\n");
  bundle::ContainerSpec s = build();
  const json& r = s.config["linux"]["resources"];
  EXPECT_EQ(r["memory"]["limit"], 256 * 1024 * 1024);
  EXPECT_EQ(r["memory"]["swap"], 512 * 1024 * 1024);
  EXPECT_EQ(r["cpu"]["quota"], 150000);
  EXPECT_EQ(r["cpu"]["period"], 100000);
  EXPECT_EQ(r["cpu"]["shares"], 512);
  EXPECT_EQ(r["pids"]["limit"], 100);
  EXPECT_EQ(s.config["process"]["rlimits"],
            json::parse(
                R"([{"type":"RLIMIT_NOFILE","soft":1024,"hard":2048},{"type":"RLIMIT_NPROC","soft":500,"hard":500}])"));
  load(
      "services:\n  app:\n    image: img\n    memswap_limit: -1\n    deploy:\n      resources:\n        limits:\n"
      "          memory: 64m\n          cpus: '0.5'\n          pids: 20\n        reservations:\n          memory: "
      "32m\n");
  s = build();
  EXPECT_EQ(s.config["linux"]["resources"]["memory"]["limit"], 64 * 1024 * 1024);
  EXPECT_EQ(s.config["linux"]["resources"]["memory"]["swap"], -1);
  EXPECT_EQ(s.config["linux"]["resources"]["cpu"]["quota"], 50000);
  EXPECT_EQ(s.config["linux"]["resources"]["pids"]["limit"], 20);
  EXPECT_TRUE(has_warning(s, "reservations"));
}

TEST_F(ContainerSpecTest, CapabilitiesPrivilegedSecurityOptDevicesSysctls) {
  load(
      "services:\n  app:\n    image: img\n    cap_drop: [ALL]\n    cap_add: [net_admin, CAP_CHOWN]\n"
      "    security_opt: [no-new-privileges:true, seccomp=unconfined, label=disable, apparmor=custom]\n"
      "    devices: ['/dev/null:/dev/mynull:rwm']\n    sysctls:\n      net.core.somaxconn: '1024'\n");
  bundle::ContainerSpec s = build();
  EXPECT_EQ(s.config["process"]["capabilities"]["bounding"], json({"CAP_NET_ADMIN", "CAP_CHOWN"}));
  EXPECT_EQ(s.config["process"]["capabilities"]["effective"], json({"CAP_NET_ADMIN", "CAP_CHOWN"}));
  EXPECT_EQ(s.config["process"]["noNewPrivileges"], true);
  EXPECT_EQ(s.config["annotations"]["org.berth.seccomp"], "unconfined");
  EXPECT_TRUE(has_warning(s, "apparmor=custom"));
  EXPECT_FALSE(has_warning(s, "label=disable"));
  ASSERT_EQ(s.config["linux"]["devices"].size(), 1u);
  EXPECT_EQ(s.config["linux"]["devices"][0]["path"], "/dev/mynull");
  EXPECT_EQ(s.config["linux"]["devices"][0]["type"], "c");
  EXPECT_EQ(s.config["linux"]["devices"][0]["major"], 1);
  EXPECT_EQ(s.config["linux"]["devices"][0]["minor"], 3);
  EXPECT_EQ(s.config["linux"]["sysctl"], json({{"net.core.somaxconn", "1024"}}));
  load("services:\n  app:\n    image: img\n");
  EXPECT_FALSE(build().config["process"].contains("capabilities"));  // shim applies Docker's default
  load("services:\n  app:\n    image: img\n    privileged: true\n");
  s = build();
  EXPECT_GT(s.config["process"]["capabilities"]["bounding"].size(), 38u);
  EXPECT_EQ(s.config["linux"]["maskedPaths"], json::array());
  EXPECT_EQ(s.config["linux"]["readonlyPaths"], json::array());
  EXPECT_EQ(s.config["annotations"]["org.berth.seccomp"], "unconfined");
  EXPECT_NE(mount(s.config, "/sys"), nullptr);
  bool has_null = false;
  for (const auto& d : s.config["linux"]["devices"]) has_null = has_null || d["path"] == "/dev/null";
  EXPECT_TRUE(has_null);
  load("services:\n  app:\n    image: img\n    devices: ['/nonexistent-dev']\n");
  EXPECT_THROW(build(), std::runtime_error);
}

TEST_F(ContainerSpecTest, DeviceCgroupDefaultsMappingsRulesAndPrivileged) {
  auto rule = [](bool allow, const char* type, int major, int minor, const char* access) {
    json r = {{"allow", allow}, {"type", type}};
    if (major >= 0) r["major"] = major;
    if (minor >= 0) r["minor"] = minor;
    r["access"] = access;
    return r;
  };
  // Docker's default list (moby oci/defaults.go); the shim appends runc's always-allowed set.
  const json defaults =
      json::array({rule(false, "a", -1, -1, "rwm"), rule(true, "c", 1, 5, "rwm"), rule(true, "c", 1, 3, "rwm"),
                   rule(true, "c", 1, 9, "rwm"), rule(true, "c", 1, 8, "rwm"), rule(true, "c", 5, 0, "rwm"),
                   rule(true, "c", 5, 1, "rwm"), rule(false, "c", 10, 229, "rwm")});
  load("services:\n  app:\n    image: img\n");
  EXPECT_EQ(build().config["linux"]["resources"]["devices"], defaults);

  load(
      "services:\n  app:\n    image: img\n    mem_limit: 64m\n    devices: ['/dev/null:/dev/mynull:r']\n"
      "    device_cgroup_rules: ['c 1:3 mr', 'a *:* rwm', 'c 189:* rmw', 'b 8:16 rr']\n");
  bundle::ContainerSpec s = build();
  json want = defaults;
  want.push_back(rule(true, "c", 1, 3, "r"));  // the mapping, with its permissions
  want.push_back(rule(true, "c", 1, 3, "rm"));
  want.push_back(rule(true, "a", -1, -1, "rwm"));
  want.push_back(rule(true, "c", 189, -1, "rwm"));
  want.push_back(rule(true, "b", 8, 16, "r"));
  EXPECT_EQ(s.config["linux"]["resources"]["devices"], want);
  EXPECT_EQ(s.config["linux"]["resources"]["memory"]["limit"], 64 * 1024 * 1024);  // both kept
  EXPECT_FALSE(has_warning(s, "device_cgroup_rules"));

  load("services:\n  app:\n    image: img\n    privileged: true\n");
  json privileged = defaults;
  privileged.push_back(rule(true, "a", -1, -1, "rwm"));
  EXPECT_EQ(build().config["linux"]["resources"]["devices"], privileged);

  auto error = [&](const std::string& yaml) -> std::string {
    load("services:\n  app:\n    image: img\n" + yaml);
    try {
      build();
    } catch (const std::runtime_error& e) {
      return e.what();
    }
    return "(no error)";
  };
  const std::string syntax =
      " (expected \"<type> <major>:<minor> <access>\": type a, b or c; major and minor a number or *; "
      "access letters of rwm, e.g. \"c 189:* rmw\")";
  EXPECT_EQ(
      error("    device_cgroup_rules: ['c 1:3 rwm', 'c 1:3 rwx']\n"),
      "service \"app\": device_cgroup_rules[1]: \"c 1:3 rwx\": access \"rwx\" is not made of r, w and m" + syntax);
  EXPECT_EQ(error("    device_cgroup_rules: ['x 1:3 r']\n"),
            "service \"app\": device_cgroup_rules[0]: \"x 1:3 r\": unknown device type \"x\"" + syntax);
  EXPECT_EQ(error("    device_cgroup_rules: ['c 1 r']\n"),
            "service \"app\": device_cgroup_rules[0]: \"c 1 r\": not of the form" + syntax);
  EXPECT_EQ(error("    device_cgroup_rules: ['c  1:3 r']\n"),
            "service \"app\": device_cgroup_rules[0]: \"c  1:3 r\": not of the form" + syntax);
  EXPECT_EQ(error("    device_cgroup_rules: ['c 1:x r']\n"),
            "service \"app\": device_cgroup_rules[0]: \"c 1:x r\": minor \"x\" is not a number or *" + syntax);
  EXPECT_EQ(
      error("    device_cgroup_rules: ['c 1:3 rwmr']\n"),
      "service \"app\": device_cgroup_rules[0]: \"c 1:3 rwmr\": access \"rwmr\" is not made of r, w and m" + syntax);
  EXPECT_EQ(error("    device_cgroup_rules: ['a 1:3 r']\n"),
            "service \"app\": device_cgroup_rules[0]: \"a 1:3 r\": type a stands for every device: write it as \"a *:* "
            "rwm\"" +
                syntax);
  EXPECT_EQ(error("    devices: ['/dev/null:/dev/n:rwx']\n"),
            "service \"app\": devices: \"/dev/null\": permissions \"rwx\" are not made of r, w and m");
}

TEST_F(ContainerSpecTest, Namespaces) {
  load("services:\n  app:\n    image: img\n    pid: host\n    ipc: none\n");
  bundle::ContainerSpec s = build();
  json types = json::array();
  for (const auto& n : s.config["linux"]["namespaces"]) types.push_back(n["type"]);
  EXPECT_EQ(types, json({"ipc", "uts", "mount", "cgroup", "network"}));
  EXPECT_EQ(s.config["linux"]["namespaces"].back()["path"], m_dir + "/run/netns/" + kId);
  EXPECT_TRUE(has_warning(s, "ipc"));
  load("services:\n  app:\n    image: img\n    network_mode: host\n");
  s = build();
  for (const auto& n : s.config["linux"]["namespaces"]) EXPECT_NE(n["type"], "network");
}

TEST_F(ContainerSpecTest, BindsTmpfsAndShm) {
  fs::create_directories(m_dir + "/conf");
  load(
      "services:\n  app:\n    image: img\n    read_only: true\n    shm_size: 128m\n    volumes:\n"
      "      - ./conf:/etc/app:ro\n      - ./made-later:/later\n"
      "      - {type: tmpfs, target: /scratch, tmpfs: {size: 1048576, mode: 0o1770}}\n"
      "    tmpfs: ['/run:size=1m,mode=755']\n");
  bundle::ContainerSpec s = build();
  EXPECT_EQ(s.config["root"]["readonly"], true);
  const json* conf = mount(s.config, "/etc/app");
  ASSERT_NE(conf, nullptr);
  EXPECT_EQ((*conf)["source"], m_dir + "/conf");
  EXPECT_EQ((*conf)["options"], json({"rbind", "ro", "rprivate"}));
  EXPECT_EQ(s.bind_sources_to_create, std::vector<std::string>{m_dir + "/made-later"});
  const json* scratch = mount(s.config, "/scratch");
  ASSERT_NE(scratch, nullptr);
  EXPECT_EQ((*scratch)["type"], "tmpfs");
  EXPECT_EQ((*scratch)["options"], json({"nosuid", "nodev", "size=1048576", "mode=1770"}));
  EXPECT_EQ((*mount(s.config, "/run"))["options"], json({"nosuid", "nodev", "noexec", "size=1m", "mode=755"}));
  EXPECT_EQ((*mount(s.config, "/dev/shm"))["options"].back(), "size=134217728");
  EXPECT_EQ((*mount(s.config, "/etc/hosts"))["options"], json({"rbind", "ro", "rprivate"}));
  load(
      "services:\n  app:\n    image: img\n    volumes:\n"
      "      - {type: bind, source: ./absent, target: /x, bind: {create_host_path: false}}\n");
  EXPECT_THROW(build(), std::runtime_error);
}

TEST_F(ContainerSpecTest, NamedAnonymousAndImageVolumes) {
  load(
      "services:\n  app:\n    image: img\n    volumes:\n      - data:/var/lib/data\n      - /anon\n"
      "      - {type: volume, source: ext, target: /ext, volume: {nocopy: true}}\n"
      "volumes:\n  data:\n    labels: {team: a}\n  ext:\n    external: true\n    name: shared-ext\n");
  bundle::ContainerSpec s = build();
  ASSERT_EQ(s.volumes.size(), 4u);
  EXPECT_EQ(s.volumes[0].name, "proj_data");
  EXPECT_EQ(s.volumes[0].labels.at("com.docker.compose.volume"), "data");
  EXPECT_EQ(s.volumes[0].labels.at("team"), "a");
  EXPECT_TRUE(s.volumes[0].copy_up);
  EXPECT_TRUE(s.volumes[1].anonymous);
  EXPECT_EQ(s.volumes[1].name.size(), 64u);
  EXPECT_EQ(s.volumes[1].labels.at("com.docker.compose.project"), "proj");
  EXPECT_EQ(s.volumes[2].name, "shared-ext");
  EXPECT_TRUE(s.volumes[2].external);
  EXPECT_FALSE(s.volumes[2].copy_up);
  EXPECT_EQ(s.volumes[3].target, "/var/cache/img");  // the image's VOLUME
  EXPECT_TRUE(s.volumes[3].anonymous);
  EXPECT_NE(s.volumes[1].name, s.volumes[3].name);
  EXPECT_EQ((*mount(s.config, "/var/lib/data"))["source"], m_dir + "/root/volumes/proj_data/_data");
  EXPECT_EQ(s.named_volumes().size(), 4u);
  // The same container gets the same anonymous names; the engine can hand in the previous ones.
  EXPECT_EQ(build().volumes[1].name, s.volumes[1].name);
  bundle::SpecInput in = input("app");
  in.anonymous_volumes["/anon"] = "keepme";
  EXPECT_EQ(bundle::build_container_spec(in).volumes[1].name, "keepme");
}

TEST_F(ContainerSpecTest, SecretFromAnIncludesEnvFile) {
  fs::create_directories(m_dir + "/sub");
  { std::ofstream(m_dir + "/sub/vars.env") << "TOKEN=from-include\n"; }
  {
    std::ofstream(m_dir + "/sub/compose.yaml")
        << "services:\n  app:\n    image: img\n    secrets: [tok]\n    configs: [cfg]\n"
           "secrets:\n  tok:\n    environment: TOKEN\nconfigs:\n  cfg:\n    environment: TOKEN\n";
  }
  load("include:\n  - path: sub/compose.yaml\n    env_file: sub/vars.env\n");
  bundle::ContainerSpec s = build();
  std::map<std::string, BundleFile> files;
  for (const auto& f : s.files) files[f.name] = f;
  ASSERT_TRUE(files["secrets/tok"].content);
  EXPECT_EQ(*files["secrets/tok"].content, "from-include");
  ASSERT_TRUE(files["configs/cfg"].content);
  EXPECT_EQ(*files["configs/cfg"].content, "from-include");
}

TEST_F(ContainerSpecTest, SecretsConfigsAndEtcFiles) {
  { std::ofstream(m_dir + "/pw.txt") << "hunter2"; }
  load(
      "services:\n  app:\n    image: img\n    secrets:\n      - db_pw\n      - {source: tok, target: token, mode: "
      "0o400, uid: '1000'}\n"
      "    configs:\n      - cfg\n      - {source: cfg, target: /etc/app.conf}\n"
      "    extra_hosts: ['db.local=192.0.2.9']\n    dns_search: [svc.example]\n"
      "secrets:\n  db_pw:\n    file: ./pw.txt\n  tok:\n    environment: SECRET_VAR\nconfigs:\n  cfg:\n    content: "
      "'a=1'\n");
  bundle::ContainerSpec s = build();
  const std::string bundle = m_dir + "/root/containers/" + kId;
  EXPECT_EQ((*mount(s.config, "/run/secrets/db_pw"))["source"], bundle + "/secrets/db_pw");
  EXPECT_EQ((*mount(s.config, "/run/secrets/db_pw"))["options"], json({"rbind", "ro", "rprivate"}));
  EXPECT_EQ((*mount(s.config, "/run/secrets/token"))["source"], bundle + "/secrets/tok");
  EXPECT_EQ((*mount(s.config, "/cfg"))["source"], bundle + "/configs/cfg");
  EXPECT_EQ((*mount(s.config, "/etc/app.conf"))["source"], bundle + "/configs/cfg.2");
  EXPECT_EQ((*mount(s.config, "/etc/resolv.conf"))["source"], bundle + "/resolv.conf");
  std::map<std::string, BundleFile> files;
  for (const auto& f : s.files) files[f.name] = f;
  EXPECT_EQ(files["secrets/db_pw"].copy_from, m_dir + "/pw.txt");
  EXPECT_EQ(files["secrets/db_pw"].mode, 0444u);
  EXPECT_EQ(*files["secrets/tok"].content, "from-env");
  EXPECT_EQ(files["secrets/tok"].mode, 0400u);
  EXPECT_EQ(*files["secrets/tok"].uid, 1000u);
  EXPECT_EQ(*files["configs/cfg"].content, "a=1");
  EXPECT_NE(files["hosts"].content->find("192.0.2.9\tdb.local\n10.89.0.2\t0123456789ab proj-app-1\n"),
            std::string::npos);
  EXPECT_EQ(*files["resolv.conf"].content,
            "# Generated by Berth.\nnameserver 10.89.0.1\nsearch svc.example\noptions ndots:0\n");
  EXPECT_EQ(*files["hostname"].content, "0123456789ab\n");
}

TEST_F(ContainerSpecTest, VolumesFromTakesBindsAndVolumesWithMode) {
  load(
      "services:\n  src:\n    image: img\n    volumes: [data:/data, /tmp:/hosttmp]\n    tmpfs: [/t]\n"
      "  app:\n    image: img\n    volumes_from: ['src:ro']\nvolumes:\n  data: {}\n");
  bundle::ContainerSpec src = build("src");
  bundle::ContainerSpec s = build("app", {{"src:ro", src.config}});
  const json* d = mount(s.config, "/data");
  ASSERT_NE(d, nullptr);
  EXPECT_EQ((*d)["source"], m_dir + "/root/volumes/proj_data/_data");
  EXPECT_EQ((*d)["options"], json({"rbind", "rprivate", "ro"}));
  EXPECT_NE(mount(s.config, "/hosttmp"), nullptr);
  EXPECT_EQ(mount(s.config, "/t"), nullptr);
  EXPECT_EQ((*mount(s.config, "/etc/hosts"))["source"], m_dir + "/root/containers/" + kId + "/hosts");
  EXPECT_THROW(build("app"), std::runtime_error);  // the engine did not resolve the entry
}

TEST_F(ContainerSpecTest, WarnsForKeysTheRuntimeCannotHonour) {
  load(
      "services:\n  app:\n    image: img\n    cpuset: '0'\n    userns_mode: host\n    oom_score_adj: 100\n"
      "    mac_address: '02:42:ac:11:00:02'\n    logging:\n      driver: syslog\n    platform: linux/arm64\n"
      "    storage_opt: {size: 1G}\n    runtime: kata\n    oom_kill_disable: true\n"
      "    build: .\n    depends_on: [other]\n    expose: ['80']\n    attach: false\n  other:\n    image: img\n");
  bundle::ContainerSpec s = build();
  for (const char* key :
       {"cpuset", "userns_mode", "oom_score_adj", "logging.driver", "platform", "runtime", "oom_kill_disable"})
    EXPECT_TRUE(has_warning(s, std::string("service \"app\": ") + key)) << key;
  EXPECT_FALSE(has_warning(s, "mac_address"));  // honoured on the first network's interface
  EXPECT_FALSE(has_warning(s, "storage_opt"));  // honoured: a limit on the container dir
  EXPECT_EQ(s.storage_size, std::uint64_t{1} << 30);
  EXPECT_FALSE(has_warning(s, "build"));
  EXPECT_FALSE(has_warning(s, "depends_on"));
  EXPECT_FALSE(has_warning(s, "expose"));
  EXPECT_FALSE(has_warning(s, "attach"));
}

TEST_F(ContainerSpecTest, PrepareWritesFilesCreatesVolumesAndCopiesUp) {
  fs::create_directories(m_dir + "/layer0/var/lib/data");
  { std::ofstream(m_dir + "/layer0/var/lib/data/seed") << "seed"; }
  fs::create_directories(m_dir + "/layer1");
  { std::ofstream(m_dir + "/pw.txt") << "hunter2"; }
  load(
      "services:\n  app:\n    image: img\n    volumes: [data:/var/lib/data, ./made:/made, ext:/ext]\n"
      "    secrets: [{source: pw, mode: 0o440}]\nsecrets:\n  pw:\n    file: ./pw.txt\n"
      "volumes:\n  data: {}\n  ext: {external: true}\n");
  bundle::SpecInput in = input("app");
  bundle::ContainerSpec s = bundle::build_container_spec(in);
  EXPECT_THROW(bundle::prepare_container_files(in, s), std::runtime_error);  // external volume missing
  storage::VolumeStore store(in.root);
  store.create("ext");
  bundle::prepare_container_files(in, s);
  bundle::prepare_container_files(in, s);  // idempotent
  EXPECT_EQ(read_file(store.path("proj_data") + "/seed"), "seed");
  EXPECT_EQ(store.inspect("proj_data")->project, "proj");
  EXPECT_TRUE(store.is_empty("ext"));
  EXPECT_TRUE(fs::is_directory(m_dir + "/made"));
  EXPECT_EQ(read_file(in.bundle_dir + "/secrets/pw"), "hunter2");
  struct stat st {};
  ASSERT_EQ(::stat((in.bundle_dir + "/secrets/pw").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0440u);
  EXPECT_EQ(read_file(in.bundle_dir + "/hostname"), "0123456789ab\n");
  for (const char* d : {"rootfs", "upper", "work"}) EXPECT_TRUE(fs::is_directory(in.bundle_dir + "/" + d)) << d;
  // Anonymous volume of the image's VOLUME was created and labelled.
  EXPECT_TRUE(store.exists(s.volumes.back().name));
  EXPECT_EQ(store.inspect(s.volumes.back().name)->labels.at("com.docker.volume.anonymous"), "");
}

TEST_F(ContainerSpecTest, LoggingBecomesTheShimsRotationAnnotations) {
  load(
      "services:\n  app:\n    image: img\n    logging:\n      options: {max-size: 10m, max-file: '3', compress: "
      "'true'}\n"
      "  local:\n    image: img\n    logging: {driver: local}\n"
      "  none:\n    image: img\n    logging: {driver: none}\n"
      "  plain:\n    image: img\n");
  json ann = build("app").config["annotations"];
  EXPECT_EQ(ann["org.berth.log-driver"], "json-file");
  EXPECT_EQ(ann["org.berth.log-max-size"], "10000000");  // go-units FromHumanSize: decimal
  EXPECT_EQ(ann["org.berth.log-max-file"], "3");
  EXPECT_EQ(ann["org.berth.log-compress"], "true");
  ann = build("local").config["annotations"];  // Docker's local driver: 20 MiB x 5, compressed
  EXPECT_EQ(ann["org.berth.log-driver"], "local");
  EXPECT_EQ(ann["org.berth.log-max-size"], "20971520");
  EXPECT_EQ(ann["org.berth.log-max-file"], "5");
  EXPECT_EQ(ann["org.berth.log-compress"], "true");
  ann = build("none").config["annotations"];
  EXPECT_EQ(ann["org.berth.log-driver"], "none");
  EXPECT_FALSE(ann.contains("org.berth.log-max-size"));
  ann = build("plain").config["annotations"];
  EXPECT_EQ(ann["org.berth.log-driver"], "json-file");
  EXPECT_FALSE(ann.contains("org.berth.log-max-size"));  // no rotation unless asked, as Docker
}

TEST_F(ContainerSpecTest, LoggingDefaultsFromTheConfigFileUnderTheService) {
  load(
      "services:\n  app:\n    image: img\n    logging:\n      options: {max-file: '2'}\n"
      "  other:\n    image: img\n    logging: {driver: local}\n  plain:\n    image: img\n");
  m_image = std::make_unique<image::ImageRecord>(image());
  auto with_default = [&](const std::string& service) {
    bundle::SpecInput in = input(service);
    in.default_logging.driver = "json-file";
    in.default_logging.options = {{"max-size", "1k"}, {"max-file", "4"}};
    return bundle::build_container_spec(in).config["annotations"];
  };
  json ann = with_default("app");  // the service's max-file over the default's, its max-size kept
  EXPECT_EQ(ann["org.berth.log-max-size"], "1000");
  EXPECT_EQ(ann["org.berth.log-max-file"], "2");
  ann = with_default("plain");
  EXPECT_EQ(ann["org.berth.log-max-size"], "1000");
  EXPECT_EQ(ann["org.berth.log-max-file"], "4");
  ann = with_default("other");  // another driver: the default's options do not apply
  EXPECT_EQ(ann["org.berth.log-driver"], "local");
  EXPECT_EQ(ann["org.berth.log-max-size"], "20971520");
}

TEST_F(ContainerSpecTest, LoggingOptionsAreCheckedAsDockerChecksThem) {
  auto error_of = [&](const std::string& logging) {
    load("services:\n  app:\n    image: img\n    logging: " + logging + "\n");
    try {
      build();
    } catch (const std::runtime_error& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_EQ(
      error_of("{options: {max-size: 10x}}"),
      "service \"app\": logging.options.max-size: invalid size \"10x\" (a number with an optional k, m or g suffix)");
  EXPECT_EQ(error_of("{options: {max-file: '0'}}"),
            "service \"app\": logging.options.max-file: max-file cannot be less than 1");
  EXPECT_EQ(error_of("{options: {compress: 'true', max-size: 1m}}"),
            "service \"app\": logging.options.compress: compress cannot be true when max-file is less than 2 or "
            "max-size is not set");
  EXPECT_EQ(error_of("{options: {compress: maybe}}"),
            "service \"app\": logging.options.compress: \"maybe\" is not true or false");
  EXPECT_EQ(error_of("{options: {max-bytes: 1m}}"),
            "service \"app\": logging.options.max-bytes: unknown log opt 'max-bytes' for json-file log driver");
  EXPECT_EQ(error_of("{driver: local, options: {max-file: '1'}}"),
            "service \"app\": logging.options.compress: compression cannot be enabled when max file count is 1");
  EXPECT_EQ(error_of("{driver: local, options: {max-file: '1', compress: 'false'}}"), "no error");
  EXPECT_EQ(error_of("{options: {mode: non-blocking, max-buffer-size: 4m}}"), "no error");
}

TEST_F(ContainerSpecTest, AnUnsupportedLogDriverWarnsAndLogsToJsonFile) {
  load(
      "services:\n  app:\n    image: img\n    logging:\n      driver: gelf\n      options: {gelf-address: "
      "'udp://x:12201'}\n");
  bundle::ContainerSpec s = build();
  EXPECT_TRUE(has_warning(s,
                          "service \"app\": logging.driver: \"gelf\" is not supported by Berth; the container logs to "
                          "json-file (its options are ignored)"));
  EXPECT_EQ(s.config["annotations"]["org.berth.log-driver"], "json-file");
}

}  // namespace
}  // namespace berth::engine
