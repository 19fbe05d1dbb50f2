// Normalisation (compose/loader/normalize*.cpp): one test per short syntax, the examples of the
// Compose Specification chapters and error reporting. Ports and volumes have their own files;
// compose-go's golden output is checked in normalize_golden_test.cpp.
#include "compose/loader/normalize.hpp"

#include <gtest/gtest.h>

#include "compose/loader/yaml_to_json.hpp"

using namespace berth::loader;
using nlohmann::json;

namespace {

const NormalizeOptions k_opts{"/wd", "/home/me", "proj"};

struct Result {
  json project;
  std::vector<Diagnostic> errors;
};

Result normalize_yaml(const std::string& yaml, const NormalizeOptions& opts = k_opts) {
  auto doc = parse_yaml(yaml, "compose.yaml");
  Diagnostics diags(&doc.positions);
  normalize_project(doc.value, opts, diags);
  return {doc.value, diags.items()};
}

/// Normalises one service given as the YAML body under `services: {s: ...}` (indented 4 spaces).
json service(const std::string& body) {
  auto r = normalize_yaml("services:\n  s:\n" + body);
  EXPECT_TRUE(r.errors.empty()) << (r.errors.empty() ? "" : format(r.errors[0]));
  return r.project["services"]["s"];
}

std::vector<Diagnostic> errors_of(const std::string& body) { return normalize_yaml("services:\n  s:\n" + body).errors; }

}  // namespace

// --- command, entrypoint -------------------------------------------------------------------

TEST(Normalize, CommandAndEntrypointStringsAreSplitIntoWords) {
  json s = service("    command: bundle exec thin -p 3000\n    entrypoint: /code/entrypoint.sh -p 3000\n");
  EXPECT_EQ(s["command"], json({"bundle", "exec", "thin", "-p", "3000"}));
  EXPECT_EQ(s["entrypoint"], json({"/code/entrypoint.sh", "-p", "3000"}));
  EXPECT_EQ(service("    command: [\"a b\", c]\n")["command"], json({"a b", "c"}));
  EXPECT_EQ(service("    command: ''\n")["command"], json::array());  // an empty string clears the image's command
  EXPECT_TRUE(service("    command:\n")["command"].is_null());
}

TEST(NormalizeShellWords, QuotesEscapesAndOperators) {
  EXPECT_EQ(split_shell_words("sh -c 'echo \"hi there\"'"),
            (std::vector<std::string>{"sh", "-c", "echo \"hi there\""}));
  EXPECT_EQ(split_shell_words("echo \"a\\\"b\" c\\ d"), (std::vector<std::string>{"echo", "a\"b", "c d"}));
  EXPECT_EQ(split_shell_words("a '' \"\" b"), (std::vector<std::string>{"a", "", "", "b"}));
  EXPECT_EQ(split_shell_words("  a\t\tb\n"), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(split_shell_words("echo 'a\\b'"), (std::vector<std::string>{"echo", "a\\b"}));
  EXPECT_EQ(split_shell_words("echo \\n"),
            (std::vector<std::string>{"echo", "n"}));  // no \n escape, as go-shellwords 1.0.12
  EXPECT_EQ(split_shell_words("echo $(date) `id`"), (std::vector<std::string>{"echo", "$(date)", "`id`"}));
  EXPECT_EQ(split_shell_words("echo hi > /tmp/x"),
            (std::vector<std::string>{"echo", "hi"}));  // go-shellwords stops at operators
  EXPECT_EQ(split_shell_words("run 2>&1"), (std::vector<std::string>{"run"}));
  EXPECT_EQ(split_shell_words("a && b"), (std::vector<std::string>{"a"}));
  EXPECT_EQ(split_shell_words("echo 'a;b|c'"), (std::vector<std::string>{"echo", "a;b|c"}));
  EXPECT_TRUE(split_shell_words("").empty());
}

TEST(NormalizeShellWords, Errors) {
  for (const char* bad : {"echo 'x", "echo \"x", "echo x\\", "echo (x)", "echo x)", "echo $(x", "echo `x"}) {
    EXPECT_THROW(split_shell_words(bad), std::invalid_argument) << bad;
  }
  auto errs = errors_of("    command: echo 'oops\n");
  ASSERT_EQ(errs.size(), 1u);
  EXPECT_EQ(errs[0].path, "services.s.command");
  EXPECT_NE(errs[0].message.find("unterminated quote"), std::string::npos);
}

// --- mappings --------------------------------------------------------------------------------

TEST(Normalize, EnvironmentListBecomesMapWithNullsKept) {
  json s = service(
      "    environment:\n      - RACK_ENV=development\n      - SHOW=true\n      - EMPTY=\n      - SESSION_SECRET\n     "
      " - A=b=c\n");
  EXPECT_EQ(
      s["environment"],
      (json{{"RACK_ENV", "development"}, {"SHOW", "true"}, {"EMPTY", ""}, {"SESSION_SECRET", nullptr}, {"A", "b=c"}}));
  s = service("    environment:\n      N: 1\n      F: 1.5\n      B: false\n      U:\n");
  EXPECT_EQ(s["environment"], (json{{"N", "1"}, {"F", "1.5"}, {"B", "false"}, {"U", nullptr}}));
}

TEST(Normalize, LabelsAnnotationsSysctlsBecomeStringMaps) {
  json s = service(
      "    labels:\n      - com.example.description=Accounting webapp\n      - com.example.number=42\n      - "
      "com.example.empty-label\n"
      "    annotations: [com.example.foo=bar]\n"
      "    sysctls:\n      net.core.somaxconn: 1024\n      net.ipv4.tcp_syncookies: 0\n");
  EXPECT_EQ(s["labels"], (json{{"com.example.description", "Accounting webapp"},
                               {"com.example.number", "42"},
                               {"com.example.empty-label", ""}}));
  EXPECT_EQ(s["annotations"], (json{{"com.example.foo", "bar"}}));
  EXPECT_EQ(s["sysctls"], (json{{"net.core.somaxconn", "1024"}, {"net.ipv4.tcp_syncookies", "0"}}));
  EXPECT_EQ(service("    labels:\n      a: 42\n      b:\n      c: 1.5\n")["labels"],
            (json{{"a", "42"}, {"b", ""}, {"c", "1.5"}}));
  EXPECT_EQ(service("    sysctls: [net.core.somaxconn=1024]\n")["sysctls"], (json{{"net.core.somaxconn", "1024"}}));
}

TEST(Normalize, ExtraHostsBecomeSortedHostEqualsIpList) {
  EXPECT_EQ(
      service("    extra_hosts:\n      - \"somehost:162.242.195.82\"\n      - \"otherhost=50.31.209.229\"\n      - "
              "\"myhostv6=::1\"\n"
              "      - \"v6colon:::1\"\n      - \"brackets=[::2]\"\n")["extra_hosts"],
      json({"brackets=::2", "myhostv6=::1", "otherhost=50.31.209.229", "somehost=162.242.195.82", "v6colon=::1"}));
  EXPECT_EQ(service("    extra_hosts:\n      somehost: 162.242.195.82\n      multi: [\"10.0.0.1\", \"10.0.0.2\"]\n")
                ["extra_hosts"],
            json({"multi=10.0.0.1", "multi=10.0.0.2", "somehost=162.242.195.82"}));
  EXPECT_EQ(service("    extra_hosts: [\"both=10.0.0.1,10.0.0.2\"]\n")["extra_hosts"],
            json({"both=10.0.0.1", "both=10.0.0.2"}));
  auto errs = errors_of("    extra_hosts: [\"nohost\"]\n");
  ASSERT_EQ(errs.size(), 1u);
  EXPECT_EQ(errs[0].path, "services.s.extra_hosts[0]");
  EXPECT_NE(errs[0].message.find("missing IP"), std::string::npos);
}

TEST(Normalize, OptionsBecomeStrings) {
  json s = service(
      "    logging:\n      driver: syslog\n      options:\n        max-size: 10m\n        max-file: 3\n"
      "    storage_opt:\n      size: 20G\n");
  EXPECT_EQ(s["logging"]["options"], (json{{"max-size", "10m"}, {"max-file", "3"}}));
  EXPECT_EQ(s["storage_opt"], (json{{"size", "20G"}}));  // not a byte size for compose: kept as written
}

// --- string or list --------------------------------------------------------------------------

TEST(Normalize, StringOrListKeysBecomeLists) {
  json s = service("    dns: 8.8.8.8\n    dns_search: example.com\n    tmpfs: /run\n    expose: [\"3000\", 8000]\n");
  EXPECT_EQ(s["dns"], json({"8.8.8.8"}));
  EXPECT_EQ(s["dns_search"], json({"example.com"}));
  EXPECT_EQ(s["tmpfs"], json({"/run"}));
  EXPECT_EQ(s["expose"], json({"3000", "8000"}));
  EXPECT_EQ(service("    dns: [8.8.8.8, 9.9.9.9]\n")["dns"], json({"8.8.8.8", "9.9.9.9"}));
}

TEST(Normalize, EnvFilesBecomeAbsolutePathsWithRequiredPrintedOnlyWhenFalse) {
  EXPECT_EQ(service("    env_file: .env\n")["env_file"], json::array({{{"path", "/wd/.env"}}}));
  json s = service(
      "    env_file:\n      - ./a.env\n      - path: ./b.env\n        required: false\n      - path: /abs/c.env\n      "
      "  required: true\n"
      "      - path: ~/d.env\n        format: raw\n");
  EXPECT_EQ(s["env_file"], json::array({{{"path", "/wd/a.env"}},
                                        {{"path", "/wd/b.env"}, {"required", false}},
                                        {{"path", "/abs/c.env"}},
                                        {{"path", "/home/me/d.env"}, {"format", "raw"}}}));
}

TEST(Normalize, LabelFilesBecomeAbsolute) {
  EXPECT_EQ(service("    label_file: ./app.labels\n")["label_file"], json({"/wd/app.labels"}));
  EXPECT_EQ(service("    label_file: [./a, /b]\n")["label_file"], json({"/wd/a", "/b"}));
}

// --- references --------------------------------------------------------------------------------

TEST(Normalize, NetworksListBecomesMap) {
  EXPECT_EQ(service("    networks: [front, back]\n")["networks"], (json{{"front", nullptr}, {"back", nullptr}}));
  json s = service(
      "    networks:\n      front:\n        aliases: [a1]\n        driver_opts:\n          mtu: 1500\n      back:\n");
  EXPECT_EQ(s["networks"],
            (json{{"front", {{"aliases", {"a1"}}, {"driver_opts", {{"mtu", "1500"}}}}}, {"back", nullptr}}));
}

TEST(Normalize, DependsOnGetsConditionAndRequired) {
  EXPECT_EQ(service("    depends_on: [db, redis]\n")["depends_on"],
            (json{{"db", {{"condition", "service_started"}, {"required", true}}},
                  {"redis", {{"condition", "service_started"}, {"required", true}}}}));
  json s = service(
      "    depends_on:\n      db:\n        condition: service_healthy\n        restart: true\n      redis:\n        "
      "condition: service_started\n"
      "        required: false\n");
  EXPECT_EQ(s["depends_on"], (json{{"db", {{"condition", "service_healthy"}, {"restart", true}, {"required", true}}},
                                   {"redis", {{"condition", "service_started"}, {"required", false}}}}));
}

TEST(Normalize, ConfigsAndSecretsShortSyntax) {
  json s = service(
      "    configs:\n      - my_config\n      - source: my_other_config\n        target: /redis_config\n        uid: "
      "103\n"
      "        gid: '103'\n        mode: 0440\n"
      "    secrets:\n      - server-certificate\n      - source: s2\n        mode: \"440\"\n      - source: s3\n       "
      " target: /x\n        mode: 0o400\n");
  EXPECT_EQ(s["configs"], json::array({{{"source", "my_config"}},
                                       {{"source", "my_other_config"},
                                        {"target", "/redis_config"},
                                        {"uid", "103"},
                                        {"gid", "103"},
                                        {"mode", "0440"}}}));
  EXPECT_EQ(s["secrets"],
            json::array({{{"source", "server-certificate"}, {"target", "/run/secrets/server-certificate"}},
                         {{"source", "s2"}, {"target", "/run/secrets/s2"}, {"mode", "0440"}},
                         {{"source", "s3"}, {"target", "/x"}, {"mode", "0400"}}}));
  auto errs = errors_of("    secrets:\n      - source: s\n        mode: \"rwx\"\n");
  ASSERT_EQ(errs.size(), 1u);
  EXPECT_EQ(errs[0].path, "services.s.secrets[0].mode");
}

TEST(Normalize, DevicesShortSyntax) {
  json s = service(
      "    devices:\n      - \"/dev/ttyUSB0:/dev/ttyUSB1\"\n      - \"/dev/sda:/dev/xvda:rwm\"\n      - /dev/fuse\n"
      "      - source: /dev/a\n        target: /dev/b\n        permissions: r\n");
  EXPECT_EQ(s["devices"], json::array({{{"source", "/dev/ttyUSB0"}, {"target", "/dev/ttyUSB1"}, {"permissions", "rwm"}},
                                       {{"source", "/dev/sda"}, {"target", "/dev/xvda"}, {"permissions", "rwm"}},
                                       {{"source", "/dev/fuse"}, {"target", "/dev/fuse"}, {"permissions", "rwm"}},
                                       {{"source", "/dev/a"}, {"target", "/dev/b"}, {"permissions", "r"}}}));
  EXPECT_EQ(errors_of("    devices: [\"a:b:c:d\"]\n").size(), 1u);
}

// --- healthcheck, durations, sizes ------------------------------------------------------------------

TEST(Normalize, Healthcheck) {
  json s = service(
      "    healthcheck:\n      test: echo \"hello world\"\n      interval: 1m30s\n      timeout: 10s\n      retries: "
      "3\n"
      "      start_period: 40s\n      start_interval: 5s\n");
  EXPECT_EQ(s["healthcheck"], (json{{"test", {"CMD-SHELL", "echo \"hello world\""}},
                                    {"interval", "1m30s"},
                                    {"timeout", "10s"},
                                    {"retries", 3},
                                    {"start_period", "40s"},
                                    {"start_interval", "5s"}}));
  EXPECT_EQ(
      service(
          "    healthcheck:\n      test: [\"CMD\", \"curl\", \"-f\", \"http://localhost\"]\n")["healthcheck"]["test"],
      json({"CMD", "curl", "-f", "http://localhost"}));
  EXPECT_EQ(service("    healthcheck:\n      disable: true\n")["healthcheck"],
            (json{{"disable", true}, {"test", {"NONE"}}}));
  EXPECT_EQ(service("    healthcheck:\n      interval: 90s\n")["healthcheck"]["interval"], "1m30s");
  auto errs = errors_of("    healthcheck:\n      interval: 10\n      timeout: soon\n");
  ASSERT_EQ(errs.size(), 2u);
  EXPECT_EQ(errs[0].path, "services.s.healthcheck.interval");
  EXPECT_NE(errs[0].message.find("invalid duration \"10\""), std::string::npos);
}

TEST(Normalize, StopGracePeriodIsAGoDuration) {
  EXPECT_EQ(service("    stop_grace_period: 20s\n")["stop_grace_period"], "20s");
  EXPECT_EQ(service("    stop_grace_period: 1m30s\n")["stop_grace_period"], "1m30s");
  EXPECT_EQ(service("    stop_grace_period: 120s\n")["stop_grace_period"], "2m0s");
}

TEST(Normalize, MemoryKeysBecomeByteStrings) {
  json s = service(
      "    mem_limit: 512m\n    mem_reservation: 1g\n    memswap_limit: -1\n    shm_size: 64M\n    mem_swappiness: 60\n"
      "    cpus: \"1.5\"\n");
  EXPECT_EQ(s["mem_limit"], "536870912");
  EXPECT_EQ(s["mem_reservation"], "1073741824");
  EXPECT_EQ(s["memswap_limit"], "-1");
  EXPECT_EQ(s["shm_size"], "67108864");
  EXPECT_EQ(s["mem_swappiness"], "60");  // compose-go types it as bytes too
  EXPECT_EQ(s["cpus"], 1.5);
  auto errs = errors_of("    mem_limit: 12q\n");
  ASSERT_EQ(errs.size(), 1u);
  EXPECT_EQ(errs[0].path, "services.s.mem_limit");
  EXPECT_EQ(errs[0].where.line, 3);
  EXPECT_NE(errs[0].message.find("invalid size \"12q\""), std::string::npos);
}

TEST(Normalize, BlkioRatesBecomeByteStrings) {
  json s = service(
      "    blkio_config:\n      weight: 300\n      device_read_bps:\n        - path: /dev/sdb\n          rate: '12mb'\n"
      "      device_write_iops:\n        - path: /dev/sdb\n          rate: 120\n");
  EXPECT_EQ(s["blkio_config"]["device_read_bps"][0]["rate"], "12582912");
  EXPECT_EQ(s["blkio_config"]["device_write_iops"][0]["rate"], "120");
  EXPECT_EQ(s["blkio_config"]["weight"], 300);
}

TEST(Normalize, PullPolicyIfNotPresentIsMissing) {
  EXPECT_EQ(service("    pull_policy: if_not_present\n")["pull_policy"], "missing");
  EXPECT_EQ(service("    pull_policy: always\n")["pull_policy"], "always");
}

TEST(Normalize, UlimitsAreKept) {
  json s = service("    ulimits:\n      nproc: 65535\n      nofile:\n        soft: 20000\n        hard: 40000\n");
  EXPECT_EQ(s["ulimits"], (json{{"nproc", 65535}, {"nofile", {{"soft", 20000}, {"hard", 40000}}}}));
}

// --- build -----------------------------------------------------------------------------------

TEST(Normalize, BuildStringIsTheContext) {
  EXPECT_EQ(service("    build: ./dir\n")["build"], (json{{"context", "/wd/dir"}, {"dockerfile", "Dockerfile"}}));
  EXPECT_EQ(service("    build: .\n")["build"], (json{{"context", "/wd"}, {"dockerfile", "Dockerfile"}}));
  EXPECT_EQ(
      service("    build: https://github.com/mycompany/example.git#branch_or_tag:subdirectory\n")["build"]["context"],
      "https://github.com/mycompany/example.git#branch_or_tag:subdirectory");
  EXPECT_EQ(service("    build: git@github.com:me/repo.git\n")["build"]["context"], "git@github.com:me/repo.git");
  EXPECT_EQ(service("    build: ~/src\n")["build"]["context"], "/home/me/src");
}

TEST(Normalize, BuildLongSyntax) {
  json b = service(
      "    build:\n"
      "      dockerfile: webapp.Dockerfile\n"
      "      args:\n        - GIT_COMMIT=cdc3b19\n        - EMPTY\n"
      "      labels: [com.example.description=Accounting webapp]\n"
      "      additional_contexts:\n        - resources=./resources\n        - app=docker-image://my-app:latest\n       "
      " - src=https://github.com/x/y.git\n"
      "      ssh:\n        - default\n        - myproject=~/.ssh/myproject.pem\n"
      "      secrets:\n        - server-certificate\n        - source: s\n          target: t\n          mode: 0440\n"
      "      cache_from: alpine:latest\n"
      "      tags: myimage:mytag\n"
      "      platforms: linux/amd64\n"
      "      extra_hosts: [\"somehost:162.242.195.82\"]\n"
      "      shm_size: 2g\n")["build"];
  EXPECT_EQ(b["context"], "/wd");
  EXPECT_EQ(b["dockerfile"], "webapp.Dockerfile");
  EXPECT_EQ(b["args"], (json{{"GIT_COMMIT", "cdc3b19"}, {"EMPTY", nullptr}}));
  EXPECT_EQ(b["labels"], (json{{"com.example.description", "Accounting webapp"}}));
  EXPECT_EQ(b["additional_contexts"], (json{{"resources", "/wd/resources"},
                                            {"app", "docker-image://my-app:latest"},
                                            {"src", "https://github.com/x/y.git"}}));
  EXPECT_EQ(b["ssh"], json({"default", "myproject=/home/me/.ssh/myproject.pem"}));
  EXPECT_EQ(b["secrets"],
            json::array({{{"source", "server-certificate"}}, {{"source", "s"}, {"target", "t"}, {"mode", "0440"}}}));
  EXPECT_EQ(b["cache_from"], json({"alpine:latest"}));
  EXPECT_EQ(b["tags"], json({"myimage:mytag"}));
  EXPECT_EQ(b["platforms"], json({"linux/amd64"}));
  EXPECT_EQ(b["extra_hosts"], json({"somehost=162.242.195.82"}));
  EXPECT_EQ(b["shm_size"], "2147483648");
  EXPECT_EQ(service("    build:\n      dockerfile_inline: FROM x\n")["build"],
            (json{{"context", "/wd"}, {"dockerfile_inline", "FROM x"}}));
  EXPECT_EQ(service("    build:\n      ssh:\n        default:\n        key: ./k\n")["build"]["ssh"],
            json({"default", "key=/wd/k"}));
  EXPECT_EQ(errors_of("    build:\n      ssh: [nokey]\n").size(), 1u);
  EXPECT_EQ(errors_of("    build:\n      additional_contexts: [novalue]\n").size(), 1u);
}

// --- deploy --------------------------------------------------------------------------------

TEST(Normalize, Deploy) {
  json d = service(
      "    deploy:\n"
      "      labels: [com.example.description=Accounting webapp]\n"
      "      update_config:\n        delay: 10s\n        monitor: 60s\n"
      "      rollback_config:\n        monitor: 90s\n"
      "      restart_policy:\n        condition: on-failure\n        delay: 5s\n        window: 120s\n"
      "      resources:\n"
      "        limits:\n          cpus: '0.50'\n          memory: 50M\n          pids: 100\n"
      "        reservations:\n          cpus: 0.25\n          memory: 20M\n"
      "          devices:\n            - capabilities: [gpu]\n            - capabilities: [gpu]\n              count: "
      "all\n"
      "            - capabilities: [tpu]\n              device_ids: ['0', '3']\n              options:\n               "
      " virtualization: false\n")["deploy"];
  EXPECT_EQ(d["labels"], (json{{"com.example.description", "Accounting webapp"}}));
  EXPECT_EQ(d["update_config"], (json{{"delay", "10s"}, {"monitor", "1m0s"}}));
  EXPECT_EQ(d["rollback_config"]["monitor"], "1m30s");
  EXPECT_EQ(d["restart_policy"], (json{{"condition", "on-failure"}, {"delay", "5s"}, {"window", "2m0s"}}));
  EXPECT_EQ(d["resources"]["limits"], (json{{"cpus", 0.5}, {"memory", "52428800"}, {"pids", 100}}));
  EXPECT_EQ(d["resources"]["reservations"]["cpus"], 0.25);
  EXPECT_EQ(d["resources"]["reservations"]["memory"], "20971520");
  const json& devices = d["resources"]["reservations"]["devices"];
  EXPECT_EQ(devices[0], (json{{"capabilities", {"gpu"}}, {"count", -1}}));  // compose prints "all" as -1
  EXPECT_EQ(devices[1], (json{{"capabilities", {"gpu"}}, {"count", -1}}));
  EXPECT_EQ(devices[2],
            (json{{"capabilities", {"tpu"}}, {"device_ids", {"0", "3"}}, {"options", {{"virtualization", "false"}}}}));
  EXPECT_EQ(service("    gpus: all\n")["gpus"], json::array({{{"count", -1}}}));
  EXPECT_EQ(service("    gpus:\n      - driver: nvidia\n        count: 2\n")["gpus"],
            json::array({{{"driver", "nvidia"}, {"count", 2}}}));
  EXPECT_EQ(errors_of("    deploy:\n      resources:\n        limits:\n          cpus: lots\n").size(), 1u);
  EXPECT_EQ(errors_of("    gpus:\n      - count: 1\n        device_ids: ['0']\n").size(), 1u);
}

// --- hooks, develop ------------------------------------------------------------------------------

TEST(Normalize, HooksAndDevelopWatch) {
  json s = service(
      "    post_start:\n      - command: ./do_something_on_startup.sh\n        environment: [A=1, B]\n"
      "    develop:\n      watch:\n        - action: sync\n          path: [./web, ./lib]\n          target: "
      "/src/web\n          ignore: node_modules/\n"
      "        - action: rebuild\n          path: package.json\n");
  EXPECT_EQ(s["post_start"][0],
            (json{{"command", {"./do_something_on_startup.sh"}}, {"environment", {{"A", "1"}, {"B", nullptr}}}}));
  const json& watch = s["develop"]["watch"];
  ASSERT_EQ(watch.size(), 3u);
  EXPECT_EQ(watch[0],
            (json{{"action", "sync"}, {"path", "/wd/web"}, {"target", "/src/web"}, {"ignore", {"node_modules/"}}}));
  EXPECT_EQ(watch[1]["path"], "/wd/lib");
  EXPECT_EQ(watch[2], (json{{"action", "rebuild"}, {"path", "/wd/package.json"}}));
}

// --- project level ----------------------------------------------------------------------------

TEST(Normalize, TopLevelResources) {
  auto r = normalize_yaml(
      "networks:\n"
      "  some-network:\n"
      "  other:\n    driver_opts:\n      baz: 1\n    labels: [a=b]\n"
      "    ipam:\n      config:\n        - subnet: 172.28.0.0/16\n          aux_addresses:\n            host1: "
      "172.28.1.5\n"
      "  ext:\n    external: true\n"
      "  legacy:\n    external:\n      name: my-cool-network\n"
      "volumes:\n"
      "  data:\n"
      "  named:\n    name: user_specified_name\n"
      "  local-bind:\n    driver: local\n    driver_opts:\n      type: none\n      o: bind\n      device: ./data\n"
      "  legacy:\n    external:\n      name: my-cool-volume\n"
      "configs:\n  c1:\n    file: ./config_data\n    labels: [x=y]\n  c2:\n    file: ~/config_data\n  c3:\n    "
      "external: true\n"
      "  c4:\n    content: hello\n"
      "secrets:\n  s1:\n    file: /abs/secret_data\n  s2:\n    environment: BAR\n");
  EXPECT_TRUE(r.errors.empty());
  const json& n = r.project["networks"];
  EXPECT_EQ(n["some-network"], (json{{"name", "proj_some-network"}}));
  EXPECT_EQ(n["other"]["driver_opts"], (json{{"baz", "1"}}));
  EXPECT_EQ(n["other"]["labels"], (json{{"a", "b"}}));
  EXPECT_EQ(n["other"]["ipam"]["config"][0]["aux_addresses"], (json{{"host1", "172.28.1.5"}}));
  EXPECT_EQ(n["ext"], (json{{"name", "ext"}, {"external", true}}));
  EXPECT_EQ(n["legacy"], (json{{"name", "my-cool-network"}, {"external", true}}));
  EXPECT_FALSE(n.contains("default"));  // no service uses it
  const json& v = r.project["volumes"];
  EXPECT_EQ(v["data"], (json{{"name", "proj_data"}}));
  EXPECT_EQ(v["named"], (json{{"name", "user_specified_name"}}));
  EXPECT_EQ(v["local-bind"]["driver_opts"]["device"], "/wd/data");
  EXPECT_EQ(v["legacy"], (json{{"name", "my-cool-volume"}, {"external", true}}));
  const json& c = r.project["configs"];
  EXPECT_EQ(c["c1"], (json{{"name", "proj_c1"}, {"file", "/wd/config_data"}, {"labels", {{"x", "y"}}}}));
  EXPECT_EQ(c["c2"]["file"], "/home/me/config_data");
  EXPECT_EQ(c["c3"], (json{{"name", "c3"}, {"external", true}}));
  EXPECT_EQ(c["c4"], (json{{"name", "proj_c4"}, {"content", "hello"}}));
  EXPECT_EQ(r.project["secrets"]["s1"], (json{{"name", "proj_s1"}, {"file", "/abs/secret_data"}}));
  EXPECT_EQ(r.project["secrets"]["s2"], (json{{"name", "proj_s2"}, {"environment", "BAR"}}));
}

TEST(Normalize, ExternalNameConflictIsAnError) {
  auto r = normalize_yaml("volumes:\n  v:\n    name: a\n    external:\n      name: b\n");
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].path, "volumes.v.external.name");
  EXPECT_NE(r.errors[0].message.find("conflict"), std::string::npos);
  EXPECT_TRUE(normalize_yaml("volumes:\n  v:\n    name: a\n    external:\n      name: a\n").errors.empty());
}

TEST(Normalize, ImplicitDefaultNetwork) {
  auto r = normalize_yaml(
      "services:\n"
      "  web:\n    image: nginx\n"
      "  empty:\n    image: nginx\n    networks: []\n"
      "  host:\n    image: nginx\n    network_mode: host\n"
      "  front:\n    image: nginx\n    networks: [front]\n"
      "networks:\n  front:\n");
  EXPECT_TRUE(r.errors.empty());
  const json& s = r.project["services"];
  EXPECT_EQ(s["web"]["networks"], (json{{"default", nullptr}}));
  EXPECT_EQ(s["empty"]["networks"], (json{{"default", nullptr}}));
  EXPECT_FALSE(s["host"].contains("networks"));
  EXPECT_EQ(s["front"]["networks"], (json{{"front", nullptr}}));
  EXPECT_EQ(r.project["networks"]["default"], (json{{"name", "proj_default"}}));
  // A declared default network is kept as declared.
  r = normalize_yaml("services:\n  web:\n    image: x\nnetworks:\n  default:\n    name: my_net\n");
  EXPECT_EQ(r.project["networks"]["default"], (json{{"name", "my_net"}}));
  // No service on it: no default network.
  r = normalize_yaml("services:\n  web:\n    network_mode: none\n");
  EXPECT_FALSE(r.project.contains("networks"));
}

TEST(Normalize, ImplicitDependencies) {
  auto r = normalize_yaml(
      "services:\n"
      "  web:\n    links: [db, 'cache:redis']\n    network_mode: service:vpn\n    volumes_from: ['data:ro', "
      "'container:abc']\n"
      "    depends_on:\n      db:\n        condition: service_healthy\n");
  const json& deps = r.project["services"]["web"]["depends_on"];
  EXPECT_EQ(deps["db"], (json{{"condition", "service_healthy"}, {"required", true}}));  // explicit entry wins
  EXPECT_EQ(deps["cache"], (json{{"condition", "service_started"}, {"restart", true}, {"required", true}}));
  EXPECT_EQ(deps["vpn"], (json{{"condition", "service_started"}, {"restart", true}, {"required", true}}));
  EXPECT_EQ(deps["data"], (json{{"condition", "service_started"}, {"restart", false}, {"required", true}}));
  EXPECT_EQ(deps.size(), 4u);
}

TEST(Normalize, ProjectNameFallsBackToTheDocument) {
  auto r = normalize_yaml("name: fromdoc\nvolumes:\n  v:\n", NormalizeOptions{"/wd", "/home/me", ""});
  EXPECT_EQ(r.project["volumes"]["v"]["name"], "fromdoc_v");
}

TEST(Normalize, ExtensionsAreKept) {
  json s = service("    image: x\n    x-foo: bar\n");
  EXPECT_EQ(s["x-foo"], "bar");
}

// --- more examples from the specification chapters ------------------------------------------------

TEST(Normalize, SpecExamplesExtraHostsTmpfsBuild) {
  EXPECT_EQ(service("    extra_hosts:\n      - \"somehost=162.242.195.82\"\n      - \"otherhost=50.31.209.229\"\n      "
                    "- \"myhostv6=::1\"\n")["extra_hosts"],
            json({"myhostv6=::1", "otherhost=50.31.209.229", "somehost=162.242.195.82"}));
  EXPECT_EQ(service("    extra_hosts:\n      - \"myhostv6=[::1]\"\n")["extra_hosts"], json({"myhostv6=::1"}));
  EXPECT_EQ(service("    extra_hosts:\n      - \"somehost:162.242.195.82\"\n      - \"myhostv6:::1\"\n")["extra_hosts"],
            json({"myhostv6=::1", "somehost=162.242.195.82"}));
  EXPECT_EQ(service("    extra_hosts:\n      somehost: \"162.242.195.82\"\n      otherhost: \"50.31.209.229\"\n      "
                    "myhostv6: \"::1\"\n")["extra_hosts"],
            json({"myhostv6=::1", "otherhost=50.31.209.229", "somehost=162.242.195.82"}));
  EXPECT_EQ(service("    tmpfs:\n      - /data:mode=755,uid=1009,gid=1009\n      - /run\n")["tmpfs"],
            json({"/data:mode=755,uid=1009,gid=1009", "/run"}));
  json b = service(
      "    build:\n      context: .\n      additional_contexts:\n        resources: /path/to/resources\n"
      "        app: docker-image://my-app:latest\n        source: https://github.com/myuser/project.git\n        base: "
      "service:base\n"
      "      shm_size: '2gb'\n")["build"];
  EXPECT_EQ(b["additional_contexts"], (json{{"resources", "/path/to/resources"},
                                            {"app", "docker-image://my-app:latest"},
                                            {"source", "https://github.com/myuser/project.git"},
                                            {"base", "service:base"}}));
  EXPECT_EQ(b["shm_size"], "2147483648");
  EXPECT_EQ(service("    build:\n      shm_size: 10000000\n")["build"]["shm_size"], "10000000");
  EXPECT_EQ(service("    build:\n      ssh: [\"default\"]\n")["build"]["ssh"], json({"default"}));
}

TEST(Normalize, RealtimeCpuBudgetsBecomeMicroseconds) {
  auto r = normalize_yaml("services:\n  s:\n    cpu_rt_runtime: 400ms\n    cpu_rt_period: \"1400\"\n");
  ASSERT_TRUE(r.errors.empty());
  EXPECT_EQ(r.project["services"]["s"]["cpu_rt_runtime"], 400000);
  EXPECT_EQ(r.project["services"]["s"]["cpu_rt_period"], 1400);
  EXPECT_EQ(errors_of("    cpu_rt_runtime: soon\n").size(), 1u);
}
