// bridge::convert, one mapping at a time, on small compose files: what each compose key becomes
// in the Kubernetes objects (parsed back from the YAML written), and the warnings for what has
// no Kubernetes meaning.
#include <gtest/gtest.h>

#include <algorithm>

#include "bridge_support.hpp"
#include "compose/loader/yaml_to_json.hpp"

namespace berth::bridge {
namespace {

using nlohmann::json;

class BridgeMapping : public ::testing::Test {
 protected:
  /// Writes `yaml` as the project's compose.yaml (and `files`), loads it as project "app" and converts it.
  void convert_yaml(const std::string& yaml, const std::map<std::string, std::string>& files = {},
                    Options options = {}) {
    test::write_bytes(m_dir / "compose.yaml", yaml);
    for (const auto& [name, text] : files) test::write_bytes(m_dir / name, text);
    auto project = test_support::load_dir(m_dir.path(), "app");
    m_out = convert(project.model, options);
    m_files = test_support::by_path(m_out);
  }

  bool has(const std::string& path) const { return m_files.count(path) > 0; }

  /// The object in `base/<file>`, parsed.
  json object(const std::string& file) const {
    auto it = m_files.find("base/" + file);
    if (it == m_files.end()) {
      ADD_FAILURE() << "no file base/" << file;
      return json();
    }
    return loader::parse_yaml(it->second, file).value;
  }

  json container(const std::string& file) const { return object(file)["spec"]["template"]["spec"]["containers"][0]; }

  /// The one warning about `service` and `key`; fails unless there is exactly one.
  std::string warning(const std::string& service, const std::string& key) const {
    std::string prefix = "service \"" + service + "\": " + key + ":";
    std::vector<std::string> found;
    std::copy_if(m_out.warnings.begin(), m_out.warnings.end(), std::back_inserter(found),
                 [&](const std::string& w) { return w.rfind(prefix, 0) == 0; });
    if (found.size() != 1) {
      ADD_FAILURE() << found.size() << " warnings start with " << prefix;
      return "";
    }
    return found[0];
  }

  test::TempDir m_dir{"berth-bridge"};
  Output m_out;
  std::map<std::string, std::string> m_files;
};

TEST_F(BridgeMapping, ContainerFields) {
  convert_yaml(R"Y(
services:
  web:
    image: nginx:1.27
    entrypoint: ["/docker-entrypoint.sh"]
    command: ["nginx", "-g", "daemon off;", "$(not-a-ref)"]
    working_dir: /srv
    user: "1000:2000"
    environment:
      A: "1"
      FROM_FILE_TOO: overridden
    env_file: web.env
    pull_policy: always
    tty: true
    stdin_open: true
)Y",
               {{"web.env", "FROM_FILE=yes\nFROM_FILE_TOO=file\n"}});
  json c = container("web-deployment.yaml");
  EXPECT_EQ(c["name"], "web");
  EXPECT_EQ(c["image"], "nginx:1.27");
  EXPECT_EQ(c["imagePullPolicy"], "Always");
  EXPECT_EQ(c["command"], json::array({"/docker-entrypoint.sh"}));
  // Kubernetes would expand $(…): it is escaped so the container gets what compose gives it.
  EXPECT_EQ(c["args"], json::array({"nginx", "-g", "daemon off;", "$$(not-a-ref)"}));
  EXPECT_EQ(c["workingDir"], "/srv");
  EXPECT_EQ(c["env"], json::parse(R"([{"name":"A","value":"1"},{"name":"FROM_FILE","value":"yes"},
                                      {"name":"FROM_FILE_TOO","value":"overridden"}])"));
  EXPECT_EQ(c["securityContext"], json::parse(R"({"runAsUser":1000,"runAsGroup":2000})"));
  EXPECT_EQ(c["tty"], true);
  EXPECT_EQ(c["stdin"], true);
  // No volumes: the default rolling update, no strategy.
  EXPECT_FALSE(object("web-deployment.yaml")["spec"].contains("strategy"));
}

TEST_F(BridgeMapping, NonNumericUserIsAWarning) {
  convert_yaml("services:\n  db:\n    image: postgres\n    user: postgres\n");
  EXPECT_FALSE(container("db-deployment.yaml").contains("securityContext"));
  EXPECT_NE(warning("db", "user").find("\"postgres\" is not numeric"), std::string::npos);
}

TEST_F(BridgeMapping, HealthcheckBecomesProbes) {
  convert_yaml(R"(
services:
  db:
    image: postgres
    healthcheck:
      test: ["CMD-SHELL", "pg_isready -U app"]
      interval: 2s
      timeout: 1500ms
      retries: 7
      start_period: 5s
  api:
    image: api
    healthcheck:
      test: ["CMD", "curl", "-f", "http://localhost/"]
  off:
    image: x
    healthcheck:
      disable: true
)");
  json expected = json::parse(R"({"exec":{"command":["/bin/sh","-c","pg_isready -U app"]},
      "initialDelaySeconds":5,"periodSeconds":2,"timeoutSeconds":2,"failureThreshold":7})");
  json db = container("db-deployment.yaml");
  EXPECT_EQ(db["readinessProbe"], expected);
  EXPECT_EQ(db["livenessProbe"], expected);
  // Docker's defaults: 30s, 30s, 3.
  EXPECT_EQ(container("api-deployment.yaml")["livenessProbe"],
            json::parse(R"({"exec":{"command":["curl","-f","http://localhost/"]},
                            "periodSeconds":30,"timeoutSeconds":30,"failureThreshold":3})"));
  EXPECT_FALSE(container("off-deployment.yaml").contains("livenessProbe"));
}

TEST_F(BridgeMapping, ResourcesAndSecurity) {
  convert_yaml(R"(
services:
  a:
    image: a
    deploy:
      resources:
        limits: {cpus: "0.5", memory: 512M}
        reservations: {cpus: "0.25", memory: 128M}
    cap_add: [NET_ADMIN, CAP_SYS_TIME]
    cap_drop: [ALL]
    privileged: true
    read_only: true
    security_opt: ["no-new-privileges:true"]
    stop_grace_period: 1m30s
  b:
    image: b
    mem_limit: 1g
    cpus: 2
    mem_reservation: 1500000
)");
  json a = container("a-deployment.yaml");
  EXPECT_EQ(a["resources"], json::parse(R"({"limits":{"cpu":"500m","memory":"512Mi"},
                                            "requests":{"cpu":"250m","memory":"128Mi"}})"));
  EXPECT_EQ(a["securityContext"], json::parse(R"({"capabilities":{"add":["NET_ADMIN","SYS_TIME"],"drop":["ALL"]},
      "privileged":true,"readOnlyRootFilesystem":true,"allowPrivilegeEscalation":false})"));
  EXPECT_EQ(object("a-deployment.yaml")["spec"]["template"]["spec"]["terminationGracePeriodSeconds"], 90);
  EXPECT_EQ(container("b-deployment.yaml")["resources"],
            json::parse(R"({"limits":{"cpu":"2","memory":"1Gi"},"requests":{"memory":"1500000"}})"));
}

TEST_F(BridgeMapping, ReplicasAndKinds) {
  convert_yaml(R"(
services:
  web:
    image: web
    deploy: {replicas: 3}
  worker:
    image: w
    scale: 2
  agent:
    image: agent
    deploy: {mode: global}
)");
  EXPECT_EQ(object("web-deployment.yaml")["spec"]["replicas"], 3);
  EXPECT_EQ(object("worker-deployment.yaml")["spec"]["replicas"], 2);
  json agent = object("agent-daemonset.yaml");
  EXPECT_EQ(agent["kind"], "DaemonSet");
  EXPECT_FALSE(agent["spec"].contains("replicas"));
}

TEST_F(BridgeMapping, VolumesTmpfsAndBindMounts) {
  convert_yaml(R"(
services:
  db:
    image: postgres
    volumes:
      - data:/var/lib/postgresql/data
      - type: tmpfs
        target: /cache
        tmpfs: {size: 64m}
      - ./conf:/etc/conf:ro
      - /scratch
    tmpfs: ["/run:size=16m,mode=1777"]
    shm_size: 256m
volumes:
  data: {}
)");
  json db = object("db-deployment.yaml");
  EXPECT_EQ(db["spec"]["strategy"]["type"], "Recreate");
  json pod = db["spec"]["template"]["spec"];
  EXPECT_EQ(pod["volumes"], json::parse(R"([
      {"name":"var-lib-postgresql-data","persistentVolumeClaim":{"claimName":"data"}},
      {"name":"cache","emptyDir":{"medium":"Memory","sizeLimit":"64Mi"}},
      {"name":"scratch","emptyDir":{}},
      {"name":"run","emptyDir":{"medium":"Memory","sizeLimit":"16Mi"}},
      {"name":"dev-shm","emptyDir":{"medium":"Memory","sizeLimit":"256Mi"}}])"));
  EXPECT_EQ(pod["containers"][0]["volumeMounts"][0],
            json::parse(R"({"name":"var-lib-postgresql-data","mountPath":"/var/lib/postgresql/data"})"));
  json claim = object("data-persistentVolumeClaim.yaml");
  EXPECT_EQ(claim["metadata"]["name"], "data");
  EXPECT_EQ(claim["metadata"]["labels"]["com.docker.compose.volume"], "data");
  EXPECT_EQ(claim["spec"]["resources"]["requests"]["storage"], "100Mi");
  EXPECT_TRUE(has("overlays/desktop/data-persistentVolumeClaim.yaml"));
  // One warning for the bind mount (left out), one for the anonymous volume (an emptyDir).
  std::vector<std::string> volume_warnings;
  for (const auto& w : m_out.warnings)
    if (w.rfind("service \"db\": volumes: ", 0) == 0) volume_warnings.push_back(w);
  ASSERT_EQ(volume_warnings.size(), 2u);
  EXPECT_NE(volume_warnings[0].find("bind mount"), std::string::npos) << volume_warnings[0];
  EXPECT_NE(volume_warnings[1].find("anonymous volume at /scratch"), std::string::npos) << volume_warnings[1];
}

TEST_F(BridgeMapping, BindMountAsHostPathWhenAsked) {
  Options o;
  o.host_path = true;
  convert_yaml("services:\n  a:\n    image: a\n    volumes: [\"/srv/data:/data:ro\"]\n", {}, o);
  json pod = object("a-deployment.yaml")["spec"]["template"]["spec"];
  EXPECT_EQ(pod["volumes"][0], json::parse(R"({"name":"data","hostPath":{"path":"/srv/data"}})"));
  EXPECT_EQ(pod["containers"][0]["volumeMounts"][0],
            json::parse(R"({"name":"data","mountPath":"/data","readOnly":true})"));
  EXPECT_TRUE(m_out.warnings.empty());
}

TEST_F(BridgeMapping, DependsOnWaitsAndOneShotJobs) {
  convert_yaml(R"(
services:
  db:
    image: postgres
    expose: ["5432"]
    healthcheck: {test: ["CMD", "pg_isready"]}
  migrate:
    image: app
    command: ["migrate"]
    depends_on:
      db: {condition: service_healthy}
  web:
    image: app
    depends_on:
      db: {condition: service_healthy}
      migrate: {condition: service_completed_successfully}
)");
  json job = object("migrate-job.yaml");
  EXPECT_EQ(job["apiVersion"], "batch/v1");
  EXPECT_EQ(job["kind"], "Job");
  EXPECT_EQ(job["spec"]["template"]["spec"]["restartPolicy"], "Never");
  EXPECT_FALSE(has("base/migrate-deployment.yaml"));

  json pod = object("web-deployment.yaml")["spec"]["template"]["spec"];
  ASSERT_EQ(pod["initContainers"].size(), 2u);
  EXPECT_EQ(pod["initContainers"][0]["name"], "wait-for-db");
  EXPECT_NE(pod["initContainers"][0]["command"][2].get<std::string>().find("nc -z -w 2 db 5432"), std::string::npos);
  EXPECT_EQ(pod["initContainers"][1]["name"], "wait-for-migrate");
  EXPECT_EQ(pod["initContainers"][1]["args"],
            json::parse(R"(["wait","--for=condition=complete","--timeout=-1s","job/migrate"])"));
  EXPECT_EQ(pod["serviceAccountName"], "app-job-reader");
  EXPECT_EQ(object("app-job-reader-role.yaml")["rules"][0]["resources"], json::array({"jobs"}));
  EXPECT_TRUE(has("base/app-job-reader-rolebinding.yaml"));
  EXPECT_TRUE(has("base/app-job-reader-serviceaccount.yaml"));
  // Only web waits for a Job: it alone may reach the API server.
  EXPECT_EQ(object("app-job-reader-network-policy.yaml")["spec"]["podSelector"]["matchExpressions"][0]["values"],
            json::array({"web"}));
  // The Job waits for db too.
  EXPECT_EQ(job["spec"]["template"]["spec"]["initContainers"][0]["name"], "wait-for-db");
}

TEST_F(BridgeMapping, HealthyDependencyWithoutPortIsAWarning) {
  convert_yaml(R"(
services:
  db: {image: postgres, healthcheck: {test: ["CMD", "true"]}}
  web: {image: app, depends_on: {db: {condition: service_healthy}}}
)");
  EXPECT_FALSE(object("web-deployment.yaml")["spec"]["template"]["spec"].contains("initContainers"));
  EXPECT_NE(warning("web", "depends_on.db").find("no TCP port"), std::string::npos);
  // Nor can web reach it: no Service without a port.
  EXPECT_FALSE(has("base/db-expose.yaml"));
  EXPECT_NE(warning("db", "expose").find("web cannot reach it by name"), std::string::npos);
}

TEST_F(BridgeMapping, NetworksBecomePolicies) {
  convert_yaml(R"(
services:
  web: {image: web, networks: [front, back]}
  db: {image: db, networks: [back]}
networks:
  front: {}
  back: {internal: true}
)");
  json back = object("back-network-policy.yaml");
  EXPECT_EQ(back["spec"]["egress"].size(), 1u);  // internal: its own pods only
  EXPECT_EQ(back["spec"]["egress"][0]["to"][0]["podSelector"]["matchLabels"]["com.docker.compose.network.back"],
            "true");
  json front = object("front-network-policy.yaml");
  ASSERT_EQ(front["spec"]["egress"].size(), 2u);
  EXPECT_EQ(front["spec"]["egress"][1]["to"][0]["ipBlock"]["cidr"], "0.0.0.0/0");
  json labels = object("web-deployment.yaml")["spec"]["template"]["metadata"]["labels"];
  EXPECT_EQ(labels["com.docker.compose.network.front"], "true");
  EXPECT_EQ(labels["com.docker.compose.network.back"], "true");
  EXPECT_FALSE(object("db-deployment.yaml")["spec"]["template"]["metadata"]["labels"].contains(
      "com.docker.compose.network.front"));
  EXPECT_EQ(object("app-dns-network-policy.yaml")["spec"]["egress"][0]["ports"][0]["port"], 53);
}

TEST_F(BridgeMapping, PortsAndServices) {
  convert_yaml(R"(
services:
  a-very-long-service-name:
    image: x
    ports: ["127.0.0.1:8080:80", "5353:53/udp", "9000-9001:9000-9001"]
    expose: ["7000"]
)");
  json expose = object("a-very-long-service-name-expose.yaml");
  EXPECT_EQ(expose["metadata"]["name"], "a-very-long-service-name");
  EXPECT_EQ(expose["spec"]["ports"], json::parse(R"([
      {"name":"a-very-long-80","port":80,"targetPort":"a-very-long-80"},
      {"name":"a-very-l-53-udp","port":53,"protocol":"UDP","targetPort":"a-very-l-53-udp"},
      {"name":"a-very-lon-9000","port":9000,"targetPort":"a-very-lon-9000"},
      {"name":"a-very-lon-9001","port":9001,"targetPort":"a-very-lon-9001"},
      {"name":"a-very-lon-7000","port":7000,"targetPort":"a-very-lon-7000"}])"));
  json published = object("a-very-long-service-name-service.yaml");
  EXPECT_EQ(published["metadata"]["name"], "a-very-long-service-name-published");
  EXPECT_EQ(published["spec"]["ports"][0],
            json::parse(R"({"name":"a-very-lon-8080","port":8080,"protocol":"TCP","targetPort":"a-very-long-80"})"));
  EXPECT_EQ(published["spec"]["ports"][1]["protocol"], "UDP");
  EXPECT_EQ(published["spec"]["ports"].size(), 4u);
  EXPECT_NE(warning("a-very-long-service-name", "ports").find("host_ip 127.0.0.1"), std::string::npos);
}

TEST_F(BridgeMapping, KeysWithoutKubernetesMeaningAreWarnings) {
  convert_yaml(R"(
services:
  a:
    image: a
    network_mode: host
    devices: ["/dev/fuse:/dev/fuse"]
    ulimits: {nofile: 1024}
    extra_hosts: ["db.local=10.0.0.5"]
    dns: [1.1.1.1]
    sysctls: {net.core.somaxconn: "1024"}
    restart: on-failure
)");
  EXPECT_NE(warning("a", "network_mode").find("\"host\""), std::string::npos);
  EXPECT_FALSE(warning("a", "devices").empty());
  EXPECT_FALSE(warning("a", "ulimits").empty());
  EXPECT_FALSE(warning("a", "restart").empty());
  json pod = object("a-deployment.yaml")["spec"]["template"]["spec"];
  EXPECT_EQ(pod["hostAliases"], json::parse(R"([{"ip":"10.0.0.5","hostnames":["db.local"]}])"));
  EXPECT_EQ(pod["dnsConfig"]["nameservers"], json::array({"1.1.1.1"}));
  EXPECT_EQ(pod["securityContext"]["sysctls"][0]["name"], "net.core.somaxconn");
  EXPECT_FALSE(has("base/a-network-policy.yaml"));
}

TEST_F(BridgeMapping, ConfigsAndSecretsFromContentAndEnvironment) {
  Options o;
  o.environment = {{"TOKEN", "s3cret"}};
  convert_yaml(R"(
services:
  a:
    image: a
    configs: [{source: inline, target: /etc/inline.conf, mode: 0440}]
    secrets: [{source: token, target: api-token}]
configs:
  inline: {content: "hello"}
secrets:
  token: {environment: TOKEN}
)",
               {}, o);
  EXPECT_EQ(object("app-configs.yaml")["data"]["inline"], "hello");
  EXPECT_EQ(object("token-secret.yaml")["data"]["token"], "czNjcmV0");
  json pod = object("a-deployment.yaml")["spec"]["template"]["spec"];
  EXPECT_EQ(pod["containers"][0]["volumeMounts"][0],
            json::parse(R"({"name":"run-secrets-api-token","mountPath":"/run/secrets/api-token",
                            "subPath":"token","readOnly":true})"));
  EXPECT_EQ(pod["volumes"][1]["configMap"]["items"][0]["mode"], 0440);
}

TEST_F(BridgeMapping, HelmTemplatesUseValues) {
  Options o;
  o.format = Format::Helm;
  convert_yaml("services:\n  my-web:\n    image: web:1\n    ports: [\"80:80\"]\n", {}, o);
  ASSERT_TRUE(m_files.count("templates/my-web-deployment.yaml"));
  const std::string& t = m_files["templates/my-web-deployment.yaml"];
  // A name with '-' is not a Go template field name: `index`.
  EXPECT_NE(t.find("image: {{ (index .Values \"my-web\").image }}"), std::string::npos) << t;
  EXPECT_NE(t.find("namespace: {{ .Values.namespace }}"), std::string::npos) << t;
  EXPECT_NE(t.find("replicas: {{ .Values.deployment.defaultReplicas }}"), std::string::npos) << t;
  json values = loader::parse_yaml(m_files["values.yaml"], "values.yaml").value;
  EXPECT_EQ(values["my-web"]["image"], "web:1");
  EXPECT_EQ(values["namespace"], "app");
  EXPECT_TRUE(m_files.count("Chart.yaml"));
  EXPECT_FALSE(m_files.count("base/kustomization.yaml"));
}

}  // namespace
}  // namespace berth::bridge

namespace berth::bridge {
namespace {

TEST_F(BridgeMapping, NetworkLabelTooLongIsAWarning) {
  convert_yaml(R"(
services:
  a: {image: a, networks: [a-network-name-that-is-far-too-long-for-a-label]}
networks:
  a-network-name-that-is-far-too-long-for-a-label: {}
)");
  EXPECT_NE(warning("a", "networks.a-network-name-that-is-far-too-long-for-a-label").find("63 characters"),
            std::string::npos);
}

}  // namespace
}  // namespace berth::bridge

namespace berth::bridge {
namespace {

TEST_F(BridgeMapping, RestartingDependencyIsNotAJob) {
  convert_yaml(R"(
services:
  seed: {image: s, restart: always}
  web: {image: w, depends_on: {seed: {condition: service_completed_successfully}}}
)");
  EXPECT_TRUE(has("base/seed-deployment.yaml"));
  EXPECT_FALSE(has("base/seed-job.yaml"));
  EXPECT_NE(warning("web", "depends_on.seed").find("not waited for"), std::string::npos);
}

}  // namespace
}  // namespace berth::bridge

namespace berth::bridge {
namespace {

TEST_F(BridgeMapping, ExposeRangesAndOneWarningPerProblem) {
  convert_yaml(R"(
services:
  db: {image: d, expose: ["6000-6002/udp"], healthcheck: {test: ["CMD", "true"]}}
  web: {image: w, depends_on: {db: {condition: service_healthy}}}
)");
  json ports = container("db-deployment.yaml")["ports"];
  ASSERT_EQ(ports.size(), 3u);
  EXPECT_EQ(ports[2], json::parse(R"({"name":"db-6002-udp","containerPort":6002,"protocol":"UDP"})"));
  // No TCP port to wait on: said once, though the ports are read for each object.
  EXPECT_NE(warning("web", "depends_on.db").find("no TCP port"), std::string::npos);
}

}  // namespace
}  // namespace berth::bridge
