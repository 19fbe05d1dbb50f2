// `berth bridge convert` end to end, its output checked by tools that know Kubernetes: the
// kustomize base and the desktop overlay rendered offline by `kubectl kustomize`, and every
// object (base, rendered overlay, Helm templates rendered with values.yaml) validated against the
// Kubernetes OpenAPI schemas by tests/k8s-validate (the npm package kubernetes-models, installed
// by scripts/install-node-deps.sh at pinned versions). Projects: compose bridge's fixture, the
// README's example (examples/app-db) and a file using the mappings beyond compose bridge.
// A test skips, saying so, only when node/npm or kubectl is not installed at all.
#include <gtest/gtest.h>

#include <filesystem>

#include "support/files.hpp"
#include "support/run_command.hpp"
#include "support/temp_dir.hpp"

namespace {

namespace fs = std::filesystem;
using berth::test::CommandResult;
using berth::test::run_berth;
using berth::test::run_command;

const std::string kBridgeSource = BERTH_SOURCE_DIR;
const std::string kBridgeFixture = std::string(BERTH_TESTDATA_DIR) + "/compose-bridge/fixture";

/// The full path of `tool` on PATH ("" when it is not installed): run_command execs a path.
std::string bridge_tool(const std::string& tool) {
  CommandResult r = berth::test::run_shell("command -v " + tool);
  if (r.exit_code != 0) return "";
  while (!r.out.empty() && r.out.back() == '\n') r.out.pop_back();
  return r.out;
}

std::string bridge_describe(const CommandResult& r) {
  return "exit " + std::to_string(r.exit_code) + "\n" + r.out + r.err;
}

/// A compose file with the mappings compose bridge does not make: a one-shot Job waited for,
/// a healthy dependency waited for, probes, resources, security, tmpfs, named volumes, an
/// internal network.
const char* kBridgeRichCompose = R"(
name: rich
services:
  db:
    image: postgres:16
    user: "999:999"
    environment: {POSTGRES_PASSWORD: example}
    volumes: [db-data:/var/lib/postgresql/data]
    tmpfs: ["/run/postgresql:size=16m"]
    shm_size: 128m
    expose: ["5432"]
    healthcheck:
      test: ["CMD-SHELL", "pg_isready -U postgres"]
      interval: 5s
      timeout: 3s
      retries: 5
      start_period: 10s
    networks: [back]
    stop_grace_period: 20s
  migrate:
    image: example/app:1
    command: ["migrate", "--to", "latest"]
    restart: "no"
    depends_on: {db: {condition: service_healthy}}
    networks: [back]
  web:
    image: example/app:1
    entrypoint: ["/app/serve"]
    ports: ["8080:8080", "8443:8443"]
    depends_on:
      db: {condition: service_healthy}
      migrate: {condition: service_completed_successfully}
    deploy:
      replicas: 2
      resources:
        limits: {cpus: "1.5", memory: 256M}
        reservations: {cpus: "0.25", memory: 64M}
    cap_drop: [ALL]
    cap_add: [NET_BIND_SERVICE]
    read_only: true
    security_opt: ["no-new-privileges:true"]
    extra_hosts: ["legacy.local=10.1.2.3"]
    networks: [front, back]
    configs: [{source: app-config, target: /etc/app/config.toml, mode: 0444}]
    secrets: [api-key]
configs:
  app-config: {content: "listen = 8080\n"}
secrets:
  api-key: {file: ./api-key.txt}
networks:
  front: {}
  back: {internal: true}
volumes:
  db-data: {}
)";

class BridgeValidate : public ::testing::Test {
 protected:
  void SetUp() override {
    m_env = berth::test::current_environment();
    m_env["HOME"] = m_tmp / "home";
    fs::create_directories(m_tmp / "home");
  }

  /// Installs the validator's packages; "" when node is ready, else why it cannot run.
  std::string node_ready() {
    if (bridge_tool("node").empty() || bridge_tool("npm").empty())
      return "node/npm are not installed: schema validation not run";
    CommandResult r = run_command({kBridgeSource + "/scripts/install-node-deps.sh"}, kBridgeSource, m_env);
    if (r.exit_code != 0) ADD_FAILURE() << "scripts/install-node-deps.sh: " << bridge_describe(r);
    return "";
  }

  /// Validates what `args` names (files, directories or `--helm CHART`); fails with the report.
  void validate(const std::vector<std::string>& args) {
    std::vector<std::string> argv{bridge_tool("node"), kBridgeSource + "/tests/k8s-validate/validate.mjs"};
    argv.insert(argv.end(), args.begin(), args.end());
    CommandResult r = run_command(argv, kBridgeSource + "/tests/k8s-validate", m_env);
    EXPECT_EQ(r.exit_code, 0) << bridge_describe(r);
    EXPECT_NE(r.out.find(" 0 invalid"), std::string::npos) << r.out;
  }

  /// Renders a kustomization with kubectl into `out`; false (with the reason recorded) when this
  /// kubectl cannot render it.
  void kustomize(const std::string& dir, const std::string& out) {
    CommandResult r = run_command({bridge_tool("kubectl"), "kustomize", dir}, m_tmp.path(), m_env);
    ASSERT_EQ(r.exit_code, 0) << "kubectl kustomize " << dir << ": " << bridge_describe(r);
    berth::test::write_bytes(out, r.out);
  }

  /// Whether kubectl's kustomize knows `patches:` (kustomize v3.1+; Debian bookworm's
  /// kubernetes-client 1.20 carries v2.0.3, which does not).
  bool kustomize_has_patches() {
    CommandResult r = run_command({bridge_tool("kubectl"), "version", "--client"}, m_tmp.path(), m_env);
    return r.exit_code == 0 && r.out.find("Kustomize Version: v") != std::string::npos &&
           r.out.find("Kustomize Version: v2.") == std::string::npos;
  }

  /// Converts the project in `dir` into `dir/k8s` (kubernetes) and `dir/chart` (helm), then
  /// renders and validates both.
  void convert_and_check(const std::string& dir, const std::vector<std::string>& project_args = {}) {
    std::vector<std::string> k8s = project_args, helm = project_args;
    for (auto s : {"bridge", "convert", "-o", "k8s"}) k8s.push_back(s);
    for (auto s : {"bridge", "convert", "--format", "helm", "-o", "chart"}) helm.push_back(s);
    CommandResult r = run_berth(k8s, dir, m_env);
    ASSERT_EQ(r.exit_code, 0) << bridge_describe(r);
    EXPECT_NE(r.out.find("Kubernetes resource k8s/base/kustomization.yaml created"), std::string::npos) << r.out;
    r = run_berth(helm, dir, m_env);
    ASSERT_EQ(r.exit_code, 0) << bridge_describe(r);
    ASSERT_TRUE(fs::exists(dir + "/chart/Chart.yaml"));

    if (bridge_tool("kubectl").empty()) {
      std::cout << "[ skipped  ] kubectl is not installed: the kustomizations were not rendered\n";
    } else {
      kustomize(dir + "/k8s/base", dir + "/rendered-base.yaml");
      if (kustomize_has_patches())
        kustomize(dir + "/k8s/overlays/desktop", dir + "/rendered-desktop.yaml");
      else
        std::cout << "[ skipped  ] this kubectl's kustomize predates `patches:`: overlays/desktop not rendered\n";
    }
    if (std::string why = node_ready(); !why.empty()) GTEST_SKIP() << why;
    validate({dir + "/k8s/base"});
    if (fs::exists(dir + "/rendered-base.yaml")) validate({dir + "/rendered-base.yaml"});
    if (fs::exists(dir + "/rendered-desktop.yaml")) validate({dir + "/rendered-desktop.yaml"});
    validate({"--helm", dir + "/chart"});
  }

  berth::test::TempDir m_tmp{"berth-bridge-e2e"};
  std::map<std::string, std::string> m_env;
};

TEST_F(BridgeValidate, ComposeBridgeFixture) {
  fs::copy(kBridgeFixture, m_tmp / "bridge", fs::copy_options::recursive);
  convert_and_check(m_tmp / "bridge");
  if (fs::exists(m_tmp / "bridge/rendered-desktop.yaml")) {
    std::string rendered = berth::test::read_bytes(m_tmp / "bridge/rendered-desktop.yaml");
    EXPECT_NE(rendered.find("type: LoadBalancer"), std::string::npos) << rendered;
  }
}

TEST_F(BridgeValidate, ExampleAppDb) {
  std::string dir = m_tmp / "app-db";
  fs::copy(kBridgeSource + "/examples/app-db", dir, fs::copy_options::recursive);
  convert_and_check(dir);
  std::string deployment = berth::test::read_bytes(dir + "/k8s/base/web-deployment.yaml");
  EXPECT_NE(deployment.find("wait-for-db"), std::string::npos) << deployment;  // depends_on: service_healthy
  EXPECT_NE(deployment.find("readinessProbe"), std::string::npos) << deployment;
  EXPECT_TRUE(fs::exists(dir + "/k8s/base/db-data-persistentVolumeClaim.yaml"));
}

TEST_F(BridgeValidate, MappingsBeyondComposeBridge) {
  std::string dir = m_tmp / "rich";
  berth::test::write_bytes(dir + "/compose.yaml", kBridgeRichCompose);
  berth::test::write_bytes(dir + "/api-key.txt", "k3y");
  convert_and_check(dir);
  EXPECT_TRUE(fs::exists(dir + "/k8s/base/migrate-job.yaml"));
  EXPECT_TRUE(fs::exists(dir + "/k8s/base/rich-job-reader-rolebinding.yaml"));
}

TEST_F(BridgeValidate, DryRunWritesNothingAndWarningsNameServiceAndKey) {
  std::string dir = m_tmp / "app-db";
  fs::copy(kBridgeSource + "/examples/app-db", dir, fs::copy_options::recursive);
  CommandResult r = run_berth({"bridge", "convert", "--dry-run", "-o", "k8s"}, dir, m_env);
  ASSERT_EQ(r.exit_code, 0) << bridge_describe(r);
  EXPECT_FALSE(fs::exists(dir + "/k8s"));
  EXPECT_NE(r.out.find("DRY-RUN MODE -  Kubernetes resource k8s/base/web-deployment.yaml created"), std::string::npos)
      << r.out;
  EXPECT_NE(r.err.find("warning: service \"web\": build: the cluster pulls image \"berth-example/app:1\""),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("warning: service \"web\": ports: host_ip 127.0.0.1"), std::string::npos) << r.err;

  r = run_berth({"bridge", "convert", "--format", "openshift"}, dir, m_env);
  EXPECT_NE(r.exit_code, 0);
  r = run_berth({"bridge", "convert", "nope"}, dir, m_env);
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("no such service: nope"), std::string::npos) << r.err;
}

TEST_F(BridgeValidate, TemplatesDirIsRenderedAsComposeBridgeRendersIt) {
  // compose bridge's own templates (vendored) on its fixture: its expected files, byte for byte
  std::string dir = m_tmp / "bridge";
  fs::copy(kBridgeFixture, dir, fs::copy_options::recursive);
  const std::string templates = std::string(BERTH_TESTDATA_DIR) + "/compose-bridge-transformer/templates";
  CommandResult r = run_berth({"-p", "bridge", "bridge", "convert", "--templates", templates, "-o", "k8s"}, dir, m_env);
  ASSERT_EQ(r.exit_code, 0) << bridge_describe(r);
  EXPECT_NE(r.out.find("Kubernetes resource serviceA-deployment.yaml created\n"), std::string::npos) << r.out;
  std::map<std::string, std::string> written, expected;
  for (const auto& e : fs::recursive_directory_iterator(dir + "/k8s"))
    if (e.is_regular_file()) written[fs::relative(e.path(), dir + "/k8s").string()] = berth::test::read_bytes(e.path());
  for (const auto& e : fs::recursive_directory_iterator(dir + "/expected-kubernetes"))
    if (e.is_regular_file())
      expected[fs::relative(e.path(), dir + "/expected-kubernetes").string()] = berth::test::read_bytes(e.path());
  EXPECT_EQ(written, expected);

  // an output directory that is not empty is kept unless the user confirms
  r = run_berth({"-p", "bridge", "bridge", "convert", "--templates", templates, "-o", "k8s"}, dir, m_env);
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("deletion of output directory 'k8s' was not confirmed"), std::string::npos) << r.err;
  r = run_berth({"-p", "bridge", "bridge", "convert", "--dry-run", "--templates", templates, "-o", "dry"}, dir, m_env);
  EXPECT_EQ(r.exit_code, 0) << bridge_describe(r);
  EXPECT_FALSE(fs::exists(dir + "/dry"));
  EXPECT_NE(r.out.find("DRY-RUN MODE -  Kubernetes resource kustomization.yaml created"), std::string::npos) << r.out;

  // a template error names the file and says what Go's text/template says
  fs::create_directories(dir + "/bad");
  berth::test::write_bytes(dir + "/bad/x.tmpl", "{{ range .services }}\n{{ .image | nope }}\n");
  r = run_berth({"bridge", "convert", "--templates", "bad", "-o", "k8s-bad"}, dir, m_env);
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("cannot parse template bad/x.tmpl: template: x.tmpl:2: function \"nope\" not defined"),
            std::string::npos)
      << r.err;

  if (std::string why = node_ready(); !why.empty()) GTEST_SKIP() << why;
  validate({dir + "/k8s/base"});
}

}  // namespace
