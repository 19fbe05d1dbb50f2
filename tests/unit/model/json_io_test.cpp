// The typed model against compose-go's golden output: the resolved JSON of full-example.yml goes
// through the model and must come back byte for byte as `docker compose config` prints it, in both
// flavours; plus the schema's key set, error paths, extensions and the less common keys.
#include "compose/model/json_io.hpp"

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <fstream>
#include <optional>
#include <regex>
#include <set>
#include <sstream>

#include "compose/model/json_emit.hpp"
#include "compose/model/yaml_emit.hpp"

namespace {

using namespace berth::model;
using Json = nlohmann::json;

const std::string kWork = "/home/user/project";
const std::string kHome = "/home/user";

std::optional<std::string> slurp(const std::string& path) {
  std::ifstream in(path);
  if (!in) return std::nullopt;
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string golden_path(const std::string& name) {
  return std::string(BERTH_TESTDATA_DIR) + "/compose-go/golden/" + name;
}

/// Fills the `%s` placeholders in the order golden/README.md lists them.
std::string fill(std::string text, const std::vector<std::string>& paths) {
  std::size_t pos = 0;
  for (const auto& p : paths) {
    pos = text.find("%s", pos);
    if (pos == std::string::npos) break;
    text.replace(pos, 2, p);
    pos += p.size();
  }
  EXPECT_EQ(text.find("%s"), std::string::npos) << "more placeholders than paths";
  return text;
}

std::vector<std::string> yaml_paths() {
  return {kWork,
          kWork + "/dir",
          kWork + "/bar",
          kWork + "/example1.env",
          kWork + "/example2.env",
          kWork + "/example1.label",
          kWork + "/example2.label",
          kWork,
          kWork + "/static",
          kHome + "/configs",
          kWork + "/opt",
          kWork + "/secret_data",
          kWork + "/config_data",
          kHome + "/config_data"};
}

std::vector<std::string> json_paths() {
  return {kWork + "/config_data",
          kHome + "/config_data",
          kWork + "/secret_data",
          kWork,
          kWork + "/dir",
          kWork + "/bar",
          kWork + "/example1.env",
          kWork + "/example2.env",
          kWork + "/example1.label",
          kWork + "/example2.label",
          kWork,
          kWork + "/static",
          kHome + "/configs",
          kWork + "/opt"};
}

std::string trim_newlines(std::string s) {
  while (!s.empty() && s.back() == '\n') s.pop_back();
  return s;
}

/// yaml-cpp node -> JSON, typing plain scalars as YAML 1.2 does (quoted ones stay strings).
Json yaml_to_json(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Map: {
      Json out = Json::object();
      for (const auto& kv : node) out[kv.first.Scalar()] = yaml_to_json(kv.second);
      return out;
    }
    case YAML::NodeType::Sequence: {
      Json out = Json::array();
      for (const auto& item : node) out.push_back(yaml_to_json(item));
      return out;
    }
    case YAML::NodeType::Scalar: {
      const std::string& s = node.Scalar();
      if (node.Tag() == "!") return s;
      static const std::regex integer(R"([-+]?[0-9]+)");
      static const std::regex real(R"([-+]?([0-9]*\.[0-9]+|[0-9]+\.[0-9]*)([eE][-+]?[0-9]+)?)");
      if (s == "null" || s == "~" || s.empty()) return nullptr;
      if (s == "true" || s == "false") return s == "true";
      if (std::regex_match(s, integer)) return std::stoll(s);
      if (std::regex_match(s, real)) return std::stod(s);
      return s;
    }
    default:
      return nullptr;
  }
}

struct Golden {
  std::string yaml;
  std::string json;
};

std::optional<Golden> load_golden() {
  auto yaml = slurp(golden_path("full-example.expected.yaml"));
  auto json = slurp(golden_path("full-example.expected.json"));
  if (!yaml || !json) return std::nullopt;
  return Golden{fill(*yaml, yaml_paths()), fill(*json, json_paths())};
}

#define LOAD_GOLDEN(var)                                                                                    \
  auto var##_opt = load_golden();                                                                           \
  ASSERT_TRUE(var##_opt) << "vendored golden files missing under " BERTH_TESTDATA_DIR "/compose-go/golden"; \
  const Golden& var = *var##_opt

TEST(ModelJson, JsonGoldenRoundTripsByteForByte) {
  LOAD_GOLDEN(golden);
  Project p = project_from_json(Json::parse(golden.json));
  EXPECT_EQ(to_json_text(project_to_json(p, Flavor::Json)), trim_newlines(golden.json));
}

TEST(ModelJson, NlohmannDumpMatchesGoldenExceptGoHtmlEscaping) {
  LOAD_GOLDEN(golden);
  // Go escapes '>' as \u003e; nlohmann's dump() does not, which is why `berth config` prints with
  // to_json_text(). Everything else (order, indentation, omissions) is the tree's.
  std::string expected = std::regex_replace(trim_newlines(golden.json), std::regex(R"(\\u003e)"), ">");
  Project p = project_from_json(Json::parse(golden.json));
  EXPECT_EQ(project_to_json(p, Flavor::Json).dump(2), expected);
}

TEST(ModelJson, YamlGoldenRoundTripsByteForByte) {
  LOAD_GOLDEN(golden);
  Project p = project_from_json(yaml_to_json(YAML::Load(golden.yaml)));
  EXPECT_EQ(to_yaml(project_to_json(p, Flavor::Yaml)), trim_newlines(golden.yaml) + "\n");
}

TEST(ModelJson, YamlGoldenInputGivesTheJsonGolden) {
  LOAD_GOLDEN(golden);
  // The same project read from the YAML output (which carries x-* everywhere, and no `ipam: {}` or
  // `command: null`) must print the JSON golden: the flavour rules live in the printer, not the input.
  Project p = project_from_json(yaml_to_json(YAML::Load(golden.yaml)));
  EXPECT_EQ(to_json_text(project_to_json(p, Flavor::Json)), trim_newlines(golden.json));
}

TEST(ModelJson, GoldenValuesAreTyped) {
  LOAD_GOLDEN(golden);
  Project p = project_from_json(Json::parse(golden.json));
  const Service& foo = p.services.at("foo");
  EXPECT_EQ(foo.name, "foo");
  EXPECT_EQ(foo.deploy->update_config->monitor.nanoseconds, 60'000'000'000);
  EXPECT_EQ(foo.deploy->resources.limits->memory.value, 52428800);
  EXPECT_FLOAT_EQ(foo.deploy->resources.limits->cpus, 0.001f);
  EXPECT_EQ(foo.secrets.at(1).mode->value, 0440u);
  EXPECT_EQ(foo.ulimits.at("nproc").single, 65535);
  EXPECT_EQ(foo.ulimits.at("nofile").hard, 40000);
  EXPECT_FALSE(foo.networks.at("other-other-network").has_value());
  EXPECT_EQ(foo.networks.at("some-network")->aliases, (std::vector<std::string>{"alias1", "alias3"}));
  EXPECT_FALSE(foo.env_file.at(1).required);
  EXPECT_TRUE(foo.depends_on.at("db").required);
  EXPECT_FALSE(p.services.at("bar").command.has_value());
  EXPECT_EQ(p.extensions["x-nested"]["foo"], "bar");
}

// ---- the schema's key set ----

template <class S>
std::set<std::string> keys_of() {
  S s{};
  std::set<std::string> keys;
  fields(s, [&](const char* key, auto&, Field = {}) { keys.insert(key); });
  return keys;
}

template <class S>
void expect_covers(const Json& schema, const std::string& pointer) {
  SCOPED_TRACE(pointer);
  const Json& props = schema.at(Json::json_pointer(pointer));
  ASSERT_TRUE(props.is_object());
  auto keys = keys_of<S>();
  for (const auto& [key, value] : props.items()) EXPECT_TRUE(keys.count(key)) << "model lacks key `" << key << "`";
}

TEST(ModelJson, ModelHasEveryKeyOfTheSchema) {
  auto text = slurp(std::string(BERTH_TESTDATA_DIR) + "/compose-go/compose-spec.json");
  ASSERT_TRUE(text) << "vendored compose-spec.json missing under " BERTH_TESTDATA_DIR "/compose-go";
  Json schema = Json::parse(*text);
  const std::string svc = "/$defs/service/properties";
  const std::string named = "/patternProperties/^[a-zA-Z0-9._-]+$";
  expect_covers<Service>(schema, svc);
  expect_covers<BuildConfig>(schema, svc + "/build/oneOf/1/properties");
  expect_covers<BlkioConfig>(schema, svc + "/blkio_config/properties");
  expect_covers<ThrottleDevice>(schema, "/$defs/blkio_limit/properties");
  expect_covers<WeightDevice>(schema, "/$defs/blkio_weight/properties");
  expect_covers<CredentialSpec>(schema, svc + "/credential_spec/properties");
  expect_covers<ServiceDependency>(schema, svc + "/depends_on/oneOf/1" + named + "/properties");
  expect_covers<DeviceMapping>(schema, svc + "/devices/items/oneOf/1/properties");
  expect_covers<Extends>(schema, svc + "/extends/oneOf/1/properties");
  expect_covers<Provider>(schema, svc + "/provider/properties");
  expect_covers<Logging>(schema, svc + "/logging/properties");
  expect_covers<ServiceModel>(schema, svc + "/models/oneOf/1" + named + "/oneOf/0/properties");
  expect_covers<ServiceNetwork>(schema, svc + "/networks/oneOf/1" + named + "/oneOf/0/properties");
  expect_covers<ServicePort>(schema, svc + "/ports/items/oneOf/2/properties");
  const std::string vol = svc + "/volumes/items/oneOf/1/properties";
  expect_covers<ServiceVolume>(schema, vol);
  expect_covers<ServiceVolumeBind>(schema, vol + "/bind/properties");
  expect_covers<ServiceVolumeVolume>(schema, vol + "/volume/properties");
  expect_covers<ServiceVolumeTmpfs>(schema, vol + "/tmpfs/properties");
  expect_covers<ServiceVolumeImage>(schema, vol + "/image/properties");
  expect_covers<Healthcheck>(schema, "/$defs/healthcheck/properties");
  expect_covers<Develop>(schema, "/$defs/development/properties");
  expect_covers<WatchTrigger>(schema, "/$defs/development/properties/watch/items/properties");
  const std::string deploy = "/$defs/deployment/properties";
  expect_covers<Deploy>(schema, deploy);
  expect_covers<UpdateConfig>(schema, deploy + "/update_config/properties");
  expect_covers<UpdateConfig>(schema, deploy + "/rollback_config/properties");
  expect_covers<Resources>(schema, deploy + "/resources/properties");
  expect_covers<Resource>(schema, deploy + "/resources/properties/limits/properties");
  expect_covers<Resource>(schema, deploy + "/resources/properties/reservations/properties");
  expect_covers<RestartPolicy>(schema, deploy + "/restart_policy/properties");
  expect_covers<Placement>(schema, deploy + "/placement/properties");
  expect_covers<PlacementPreference>(schema, deploy + "/placement/properties/preferences/items/properties");
  expect_covers<GenericResource>(schema, "/$defs/generic_resources/items/properties");
  expect_covers<DiscreteGenericResource>(schema,
                                         "/$defs/generic_resources/items/properties/discrete_resource_spec/properties");
  expect_covers<DeviceRequest>(schema, "/$defs/devices/items/properties");
  expect_covers<DeviceRequest>(schema, "/$defs/gpus/oneOf/1/items/properties");
  expect_covers<Network>(schema, "/$defs/network/properties");
  expect_covers<Ipam>(schema, "/$defs/network/properties/ipam/properties");
  expect_covers<IpamPool>(schema, "/$defs/network/properties/ipam/properties/config/items/properties");
  expect_covers<Volume>(schema, "/$defs/volume/properties");
  expect_covers<Secret>(schema, "/$defs/secret/properties");
  expect_covers<Config>(schema, "/$defs/config/properties");
  expect_covers<Model>(schema, "/$defs/model/properties");
  expect_covers<ServiceHook>(schema, "/$defs/service_hook/properties");
  expect_covers<ServiceHook>(schema, "/$defs/pre_start_hook/properties");
  expect_covers<EnvFile>(schema, "/$defs/env_file/oneOf/1/items/oneOf/1/properties");
  expect_covers<FileReference>(schema, "/$defs/service_config_or_secret/items/oneOf/1/properties");
  auto top = keys_of<Project>();
  for (const auto& [key, value] : schema.at("properties").items()) {
    if (key != "version" && key != "include") {
      EXPECT_TRUE(top.count(key)) << "Project lacks `" << key << "`";
    }
  }
}

// ---- errors ----

std::string error_of(const Json& input) {
  try {
    project_from_json(input);
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(ModelJson, TypeMismatchNamesTheKeyPath) {
  EXPECT_EQ(error_of(Json::parse(R"({"services": {"web": {"ports": [{"target": 80}, {"target": "http"}]}}})")),
            "services.web.ports[1].target: expected a non-negative integer, got \"http\"");
  EXPECT_EQ(
      error_of(Json::parse(R"({"services": {"web": {"deploy": {"resources": {"limits": {"memory": "lots"}}}}}})")),
      "services.web.deploy.resources.limits.memory: expected a byte size like \"512m\", got \"lots\"");
  EXPECT_EQ(error_of(Json::parse(R"({"services": {"web": {"cap_add": "ALL"}}})")),
            "services.web.cap_add: expected a list, got \"ALL\"");
  EXPECT_EQ(error_of(Json::parse(R"({"services": {"web": {"healthcheck": {"interval": "often"}}}})")),
            "services.web.healthcheck.interval: expected a duration like \"1m30s\", got \"often\"");
  EXPECT_EQ(error_of(Json::parse(R"({"networks": {"n": {"ipam": []}}})")),
            "networks.n.ipam: expected a mapping, got a list");
  EXPECT_EQ(error_of(Json::parse(R"({"services": {"web": {"extends": {"service": "a", "x-y": 1}}}})")),
            "services.web.extends.x-y: unknown key");
  EXPECT_EQ(error_of(Json::parse(R"([1])")), "top level: expected a mapping, got a list");
}

TEST(ModelJson, ScalarsAreCoercedWhereTheSpecAllowsStrings) {
  Project p = project_from_json(Json::parse(R"({"services": {"web": {
      "privileged": "true", "labels": {"n": 42, "b": true, "f": 1.5, "z": null},
      "environment": {"UNSET": null, "EMPTY": ""}, "mem_limit": "1.5GB", "shm_size": 1024,
      "cpus": "0.5", "scale": "3", "stop_grace_period": "1m30s", "memswap_limit": "-1",
      "provider": {"type": "model", "options": {"one": true, "many": ["a", 2]}},
      "secrets": [{"source": "s", "mode": 288}, {"source": "t", "mode": "0755"}]}}})"));
  const Service& web = p.services.at("web");
  EXPECT_TRUE(web.privileged);
  EXPECT_EQ(web.labels, (Mapping{{"b", "true"}, {"f", "1.5"}, {"n", "42"}, {"z", ""}}));
  EXPECT_FALSE(web.environment.at("UNSET").has_value());
  EXPECT_EQ(web.environment.at("EMPTY"), "");
  EXPECT_EQ(web.mem_limit.value, 1610612736);
  EXPECT_EQ(web.shm_size.value, 1024);
  EXPECT_EQ(web.memswap_limit.value, -1);
  EXPECT_EQ(web.provider->options.at("one"), std::vector<std::string>{"true"});
  EXPECT_EQ(web.provider->options.at("many"), (std::vector<std::string>{"a", "2"}));
  EXPECT_FLOAT_EQ(web.cpus, 0.5f);
  EXPECT_EQ(web.scale, 3);
  EXPECT_EQ(web.stop_grace_period->nanoseconds, 90'000'000'000);
  EXPECT_EQ(web.secrets[0].mode->value, 0440u);
  EXPECT_EQ(web.secrets[1].mode->value, 0755u);
}

// ---- extensions and keys the model does not know ----

const char* kWithExtensions = R"({
  "name": "p", "x-top": {"b": 1, "a": [true]},
  "services": {"web": {"image": "nginx", "x-svc": "s",
                       "ports": [{"target": 80, "x-port": 1}],
                       "deploy": {"x-deploy": {"k": "v"}, "resources": {"x-res": 2}},
                       "future_key": {"z": 1}}},
  "networks": {"net": {"x-net": null}},
  "future_top": 7
})";

TEST(ModelJson, ExtensionsAreKeptAndPrintedAsComposeDoes) {
  Project p = project_from_json(Json::parse(kWithExtensions));
  EXPECT_EQ(p.services.at("web").extensions["x-svc"], "s");
  EXPECT_EQ(p.services.at("web").ports.at(0).extensions["x-port"], 1);
  EXPECT_EQ(p.networks.at("net").extensions.count("x-net"), 1u);

  EXPECT_EQ(to_yaml(project_to_json(p, Flavor::Yaml)),
            "name: p\n"
            "services:\n"
            "  web:\n"
            "    deploy:\n"
            "      resources:\n"
            "        x-res: 2\n"
            "      x-deploy:\n"
            "        k: v\n"
            "    image: nginx\n"
            "    ports:\n"
            "      - target: 80\n"
            "        x-port: 1\n"
            "    future_key:\n"
            "      z: 1\n"
            "    x-svc: s\n"
            "networks:\n"
            "  net:\n"
            "    x-net: null\n"
            "future_top: 7\n"
            "x-top:\n"
            "  a:\n"
            "    - true\n"
            "  b: 1\n");

  // JSON: compose-go drops x-* below the top level (json:"-") and sorts the top level; unknown
  // keys are still printed.
  auto json = project_to_json(p, Flavor::Json);
  EXPECT_EQ(json.dump(),
            R"({"future_top":7,"name":"p","networks":{"net":{"ipam":{}}},)"
            R"("services":{"web":{"command":null,"deploy":{"resources":{},"placement":{}},"entrypoint":null,)"
            R"("image":"nginx","ports":[{"target":80}],"future_key":{"z":1}}},"x-top":{"a":[true],"b":1}})");
}

TEST(ModelJson, MapKeysFollowEachEncodersOrder) {
  Project p =
      project_from_json(Json::parse(R"({"services": {"s": {"labels": {"a10": "", "a9": "", "aB": "", "a_b": ""}}}})"));
  auto yaml_labels = project_to_json(p, Flavor::Yaml)["services"]["s"]["labels"];
  auto json_labels = project_to_json(p, Flavor::Json)["services"]["s"]["labels"];
  std::vector<std::string> yaml_order, json_order;
  for (const auto& [k, v] : yaml_labels.items()) yaml_order.push_back(k);
  for (const auto& [k, v] : json_labels.items()) json_order.push_back(k);
  EXPECT_EQ(yaml_order, (std::vector<std::string>{"a_b", "a9", "a10", "aB"}));  // go-yaml's sorter
  EXPECT_EQ(json_order, (std::vector<std::string>{"a10", "a9", "aB", "a_b"}));  // encoding/json: bytewise
}

// ---- less common keys, by compose-go's marshalling rules ----

const char* kRichService = R"({"name": "p", "services": {"web": {
  "blkio_config": {"weight": 300, "weight_device": [{"path": "/dev/sda", "weight": 400}],
                   "device_read_bps": [{"path": "/dev/sdb", "rate": "12m"}]},
  "cpus": 1.5, "cpu_percent": 50, "command": [],
  "develop": {"watch": [{"path": "./src", "action": "sync", "target": "/app"}]},
  "gpus": [{"count": "all", "capabilities": ["gpu"]}],
  "post_start": [{"command": ["echo", "hi"], "user": "root"}],
  "pre_start": [{"image": "busybox", "per_replica": true}],
  "ulimits": {"nofile": {"soft": 1024, "hard": 2048}},
  "volumes": [{"type": "bind", "source": "/src", "target": "/dst", "bind": {"create_host_path": false}},
              {"type": "tmpfs", "target": "/t", "tmpfs": {"size": "1k", "mode": 1777}}],
  "env_file": [{"path": "/a.env", "required": true}],
  "extra_hosts": ["b=2.2.2.2", "a=1.1.1.1"],
  "mem_limit": "1g", "stop_grace_period": "90s",
  "healthcheck": {"test": ["CMD", "true"], "interval": "1m30s", "retries": 0},
  "deploy": {"mode": "global"},
  "build": {"context": "/src", "ssh": ["default", "key=/k"], "ulimits": {"nproc": 10}}
}}})";

TEST(ModelJson, LessCommonKeysPrintAsComposeGoMarshalsThem) {
  Project p = project_from_json(Json::parse(kRichService));
  EXPECT_EQ(p.services.at("web").gpus.at(0).count.value, -1);
  EXPECT_EQ(to_yaml(project_to_json(p, Flavor::Yaml)),
            "name: p\n"
            "services:\n"
            "  web:\n"
            "    build:\n"
            "      context: /src\n"
            "      ssh:\n"
            "        - default\n"
            "        - 'key: /k'\n"
            "      ulimits:\n"
            "        nproc: 10\n"
            "    develop:\n"
            "      watch:\n"
            "        - path: ./src\n"
            "          action: sync\n"
            "          target: /app\n"
            "    blkio_config:\n"
            "      weight: 300\n"
            "      weight_device:\n"
            "        - path: /dev/sda\n"
            "          weight: 400\n"
            "      device_read_bps:\n"
            "        - path: /dev/sdb\n"
            "          rate: \"12582912\"\n"
            "    cpu_percent: 50\n"
            "    cpus: 1.5\n"
            "    command: []\n"
            "    deploy:\n"
            "      mode: global\n"
            "    env_file:\n"
            "      - path: /a.env\n"
            "    extra_hosts:\n"
            "      - a=1.1.1.1\n"
            "      - b=2.2.2.2\n"
            "    gpus:\n"
            "      - capabilities:\n"
            "          - gpu\n"
            "        count: -1\n"
            "    healthcheck:\n"
            "      test:\n"
            "        - CMD\n"
            "        - \"true\"\n"
            "      interval: 1m30s\n"
            "      retries: 0\n"
            "    mem_limit: \"1073741824\"\n"
            "    stop_grace_period: 1m30s\n"
            "    ulimits:\n"
            "      nofile:\n"
            "        soft: 1024\n"
            "        hard: 2048\n"
            "    volumes:\n"
            "      - type: bind\n"
            "        source: /src\n"
            "        target: /dst\n"
            "        bind:\n"
            "          create_host_path: false\n"
            "      - type: tmpfs\n"
            "        target: /t\n"
            "        tmpfs:\n"
            "          size: \"1024\"\n"
            "          mode: 1777\n"
            "    pre_start:\n"
            "      - image: busybox\n"
            "        per_replica: true\n"
            "    post_start:\n"
            "      - command:\n"
            "          - echo\n"
            "          - hi\n"
            "        user: root\n");

  // encoding/json's view of the same: struct values are never omitted, untagged Go fields keep
  // their Go names, ShellCommand fields are null rather than absent.
  auto web = project_to_json(p, Flavor::Json)["services"]["web"];
  EXPECT_EQ(web["develop"]["watch"][0]["exec"].dump(), R"({"command":null})");
  EXPECT_EQ(web["blkio_config"]["weight_device"][0].dump(), R"({"Path":"/dev/sda","Weight":400})");
  EXPECT_EQ(web["blkio_config"]["device_read_bps"][0].dump(), R"({"Path":"/dev/sdb","Rate":"12582912"})");
  EXPECT_EQ(web["deploy"].dump(), R"({"mode":"global","resources":{},"placement":{}})");
  EXPECT_EQ(web["command"].dump(), "[]");
  EXPECT_TRUE(web["entrypoint"].is_null());
  EXPECT_EQ(web["post_start"][0]["command"].dump(), R"(["echo","hi"])");
  EXPECT_EQ(web["pre_start"][0].dump(), R"({"command":null,"image":"busybox","per_replica":true})");
  EXPECT_EQ(web["build"]["ssh"].dump(), R"(["default","key=/k"])");
  EXPECT_EQ(web["ulimits"].dump(), R"({"nofile":{"soft":1024,"hard":2048}})");
  EXPECT_EQ(to_json_text(web["cpus"]), "1.5");
  EXPECT_EQ(to_json_text(web["cpu_percent"]), "50");

  // And the printed JSON reads back to the same model.
  Project again = project_from_json(Json::parse(to_json_text(project_to_json(p, Flavor::Json))));
  EXPECT_EQ(to_yaml(project_to_json(again, Flavor::Yaml)), to_yaml(project_to_json(p, Flavor::Yaml)));
}

TEST(ModelJson, SecretContentIsNeverPrintedConfigContentOnlyWithoutEnvironment) {
  Project p = project_from_json(Json::parse(R"({
    "secrets": {"s": {"content": "hunter2", "environment": "S"}},
    "configs": {"a": {"content": "inline"}, "b": {"content": "from env", "environment": "B"}}})"));
  EXPECT_EQ(p.secrets.at("s").content, "hunter2");  // the engine still needs it
  auto tree = project_to_json(p, Flavor::Yaml);
  EXPECT_EQ(tree["secrets"]["s"].dump(), R"({"environment":"S"})");
  EXPECT_EQ(tree["configs"]["a"].dump(), R"({"content":"inline"})");
  EXPECT_EQ(tree["configs"]["b"].dump(), R"({"environment":"B"})");
}

}  // namespace
