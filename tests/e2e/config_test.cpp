// `berth config` end to end: compose-go's golden file, output formats and flags, errors.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "support/files.hpp"
#include "support/run_command.hpp"
#include "support/temp_dir.hpp"
#include "support/text.hpp"

using berth::test::contains;
using berth::test::read_bytes;
using berth::test::run_berth;
namespace fs = std::filesystem;

namespace {

const std::string kGolden = std::string(BERTH_TESTDATA_DIR) + "/compose-go/golden";

/// Replaces each "%s" in order by the next value of `fills`.
std::string fill(std::string text, const std::vector<std::string>& fills) {
  size_t pos = 0;
  for (const auto& f : fills) {
    pos = text.find("%s", pos);
    if (pos == std::string::npos) break;
    text.replace(pos, 2, f);
    pos += f.size();
  }
  return text;
}

class ConfigCommand : public ::testing::Test {
 protected:
  void SetUp() override { m_dir = m_tmp.path(); }
  void write(const std::string& rel, const std::string& text) { berth::test::write_bytes(m_dir + "/" + rel, text); }
  berth::test::TempDir m_tmp{"berth-config-test"};
  std::string m_dir;
};

class Golden : public ConfigCommand {
 protected:
  void SetUp() override {
    ConfigCommand::SetUp();
    ASSERT_TRUE(fs::exists(kGolden)) << "vendored golden files missing at " << kGolden;
    m_wd = m_dir + "/work";
    m_home = m_dir + "/home";
    fs::create_directories(m_wd);
    fs::create_directories(m_home);
    for (const char* f : {"full-example.yml", "example1.env", "example2.env", "example1.label", "example2.label"})
      fs::copy_file(kGolden + "/" + f, m_wd + "/" + f);
  }
  berth::test::CommandResult config(std::vector<std::string> extra = {}) {
    std::vector<std::string> args{"-f", "full-example.yml", "config", "--no-consistency"};
    args.insert(args.end(), extra.begin(), extra.end());
    return run_berth(args, m_wd, {{"HOME", m_home}, {"BAR", "this is a secret"}, {"QUX", "qux_from_environment"}});
  }
  std::string m_wd, m_home;
};

}  // namespace

// compose-go made the golden files without its Normalize step (no resource names, no implicit
// default network) and without its consistency check (the file names services it does not
// define): `config --no-normalize --no-consistency`.
TEST_F(Golden, YamlOutputEqualsDockerCompose) {
  auto r = config({"--no-normalize"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto& w = m_wd;
  std::string expected = fill(read_bytes(kGolden + "/full-example.expected.yaml"),
                              {w, w + "/dir", w + "/bar", w + "/example1.env", w + "/example2.env",
                               w + "/example1.label", w + "/example2.label", w, w + "/static", m_home + "/configs",
                               w + "/opt", w + "/secret_data", w + "/config_data", m_home + "/config_data"});
  EXPECT_EQ(r.out, expected);
}

TEST_F(Golden, JsonOutputEqualsDockerCompose) {
  auto r = config({"--no-normalize", "--format", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto& w = m_wd;
  std::string expected = fill(read_bytes(kGolden + "/full-example.expected.json"),
                              {w + "/config_data", m_home + "/config_data", w + "/secret_data", w, w + "/dir",
                               w + "/bar", w + "/example1.env", w + "/example2.env", w + "/example1.label",
                               w + "/example2.label", w, w + "/static", m_home + "/configs", w + "/opt"});
  EXPECT_EQ(nlohmann::json::parse(r.out), nlohmann::json::parse(expected));
  while (!expected.empty() && expected.back() == '\n') expected.pop_back();
  std::string out = r.out;
  while (!out.empty() && out.back() == '\n') out.pop_back();
  EXPECT_EQ(out, expected);
}

TEST_F(Golden, ListingFlags) {
  auto services = config({"--services"});
  EXPECT_EQ(services.out, "bar\nfoo\n");
  auto volumes = config({"--volumes"});
  EXPECT_EQ(volumes.out,
            "another-volume\nexternal-volume\nexternal-volume3\nother-external-volume\nother-volume\nsome-volume\n");
  auto images = config({"--images"});
  EXPECT_EQ(images.out, "full_example_project_name-bar\nredis\n");
  auto hash = config({"--hash", "foo"});
  ASSERT_EQ(hash.exit_code, 0) << hash.err;
  EXPECT_EQ(hash.out.rfind("foo ", 0), 0u);
  EXPECT_EQ(hash.out.size(), 4 + 64 + 1);
  auto quiet = config({"-q"});
  EXPECT_EQ(quiet.exit_code, 0);
  EXPECT_EQ(quiet.out, "");
}

TEST_F(ConfigCommand, HashChangesWithTheServiceButNotWithReplicas) {
  write("compose.yaml",
        "services:\n  a:\n    image: busybox\n    deploy:\n      replicas: 1\n  b:\n    image: busybox\n");
  auto h1 = run_berth({"config", "--hash", "*"}, m_dir);
  write("compose.yaml",
        "services:\n  a:\n    image: busybox\n    deploy:\n      replicas: 3\n  b:\n    image: busybox:1\n");
  auto h2 = run_berth({"config", "--hash", "*"}, m_dir);
  ASSERT_EQ(h1.exit_code, 0) << h1.err;
  auto lines = [](const std::string& s) {
    std::vector<std::string> out;
    std::istringstream in(s);
    for (std::string l; std::getline(in, l);) out.push_back(l);
    return out;
  };
  auto a = lines(h1.out), b = lines(h2.out);
  ASSERT_EQ(a.size(), 2u);
  ASSERT_EQ(b.size(), 2u);
  EXPECT_EQ(a[0], b[0]);  // replicas do not change a container's config
  EXPECT_NE(a[1], b[1]);  // the image does
}

TEST_F(ConfigCommand, PflagFormsAndUnknownCommandsAsDockerCompose) {
  write("one.yaml", "services:\n  a:\n    image: busybox\n");
  auto short_equals = run_berth({"-f=one.yaml", "config", "--services", "-q=false"}, m_dir);
  ASSERT_EQ(short_equals.exit_code, 0) << short_equals.err;
  EXPECT_EQ(short_equals.out, "a\n");
  auto long_equals = run_berth({"config", "--file=one.yaml", "--services"}, m_dir);
  EXPECT_EQ(long_equals.out, "a\n") << long_equals.err;

  auto unknown = run_berth({"-f", "one.yaml", "foo"}, m_dir);
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_EQ(unknown.err, "berth: 'foo' is not a berth command.\nSee 'berth --help'\n");
  auto nested = run_berth({"image", "foo"}, m_dir);
  EXPECT_EQ(nested.exit_code, 1);
  EXPECT_EQ(nested.err, "berth: 'image foo' is not a berth command.\nSee 'berth --help'\n");
  EXPECT_EQ(run_berth({"version", "--format", "json"}, m_dir).out, R"({"version":"v)" BERTH_VERSION "\"}\n");
  EXPECT_EQ(run_berth({"version", "--short"}, m_dir).out, BERTH_VERSION "\n");
  auto none = run_berth({}, m_dir);
  EXPECT_EQ(none.exit_code, 0);
  EXPECT_TRUE(contains(none.out, "Usage: berth")) << none.out;
}

TEST_F(ConfigCommand, EnvironmentPrintsWhatInterpolationUses) {
  write("compose.yaml", "services:\n  a:\n    image: busybox:${TAG}\n");
  write(".env", "TAG=1.36\nA0=zero\n");
  auto r = run_berth({"config", "--environment"}, m_dir, {{"HOME", "/root"}, {"A", "from the shell"}});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // The shell's variables and .env's, "KEY=VALUE" sorted as strings (A0= before A=).
  EXPECT_TRUE(contains(r.out, "A0=zero\nA=from the shell\n")) << r.out;
  EXPECT_TRUE(contains(r.out, "\nTAG=1.36\n")) << r.out;
  EXPECT_TRUE(contains(r.out, "HOME=/root\n")) << r.out;
}

TEST_F(ConfigCommand, VariablesAsDockerComposePrintsThem) {
  write("compose.yaml",
        "services:\n  web:\n    image: \"nginx:${TAG:-1.25}\"\n    environment:\n"
        "      DOMAIN: \"${SUB:-www}.${ROOT:?root domain needed}\"\n      DEBUG: \"${DEBUG:+--verbose}\"\n"
        "      PRICE: \"$$5\"\n");
  // Not interpolated: the required ROOT is unset and that is no error here.
  auto table = run_berth({"config", "--variables"}, m_dir, {{"HOME", "/root"}});
  ASSERT_EQ(table.exit_code, 0) << table.err;
  auto pad = [](const std::string& s) { return s + std::string(20 - s.size(), ' '); };
  // compose's tabwriter (minimum width 20) pads every cell but the last, empty ones too
  EXPECT_EQ(table.out, pad("NAME") + pad("REQUIRED") + pad("DEFAULT VALUE") + "ALTERNATE VALUE\n" +  //
                           pad("DEBUG") + pad("false") + pad("") + "--verbose\n" +                   //
                           pad("ROOT") + pad("true") + pad("") + "\n" +                              //
                           pad("SUB") + pad("false") + pad("www") + "\n" +                           //
                           pad("TAG") + pad("false") + pad("1.25") + "\n");

  auto json = run_berth({"config", "--variables", "--format", "json"}, m_dir, {{"HOME", "/root"}});
  ASSERT_EQ(json.exit_code, 0) << json.err;
  auto entry = [](const std::string& name, const std::string& def, const std::string& alt, bool required) {
    return "    \"" + name + "\": {\n        \"Name\": \"" + name + "\",\n        \"DefaultValue\": \"" + def +
           "\",\n        \"PresenceValue\": \"" + alt + "\",\n        \"Required\": " + (required ? "true" : "false") +
           "\n    }";
  };
  // the map, 4-space indent, then Encode's newline and Println's
  EXPECT_EQ(json.out, "{\n" + entry("DEBUG", "", "--verbose", false) + ",\n" + entry("ROOT", "", "", true) + ",\n" +
                          entry("SUB", "www", "", false) + ",\n" + entry("TAG", "1.25", "", false) + "\n}\n\n");
  auto parsed = nlohmann::json::parse(json.out);
  EXPECT_EQ(parsed["ROOT"]["Required"], true);
  EXPECT_EQ(parsed["TAG"]["DefaultValue"], "1.25");
  EXPECT_EQ(parsed.size(), 4u);

  auto yaml = run_berth({"config", "--variables", "--format", "yaml"}, m_dir, {{"HOME", "/root"}});
  ASSERT_EQ(yaml.exit_code, 0) << yaml.err;
  EXPECT_EQ(yaml.out,
            "DEBUG:\n    name: DEBUG\n    defaultvalue: \"\"\n    presencevalue: --verbose\n    required: false\n"
            "ROOT:\n    name: ROOT\n    defaultvalue: \"\"\n    presencevalue: \"\"\n    required: true\n"
            "SUB:\n    name: SUB\n    defaultvalue: www\n    presencevalue: \"\"\n    required: false\n"
            "TAG:\n    name: TAG\n    defaultvalue: \"1.25\"\n    presencevalue: \"\"\n    required: false\n");

  auto bad = run_berth({"config", "--variables", "--format", "xml"}, m_dir, {{"HOME", "/root"}});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_TRUE(contains(bad.err, "format value \"xml\" could not be parsed")) << bad.err;
}

TEST_F(ConfigCommand, NoEnvResolutionKeepsEnvFilesAndNoPathResolutionKeepsRelativePaths) {
  write("compose.yaml",
        "services:\n  app:\n    build: ./app\n    env_file: [app.env]\n    volumes: [\"./data:/data\"]\n");
  write("app.env", "FROM_FILE=1\n");
  auto resolved = run_berth({"config"}, m_dir, {{"HOME", "/root"}});
  ASSERT_EQ(resolved.exit_code, 0) << resolved.err;
  EXPECT_TRUE(contains(resolved.out, "FROM_FILE: \"1\"")) << resolved.out;
  EXPECT_TRUE(contains(resolved.out, "context: " + m_dir + "/app\n")) << resolved.out;
  EXPECT_TRUE(contains(resolved.out, "source: " + m_dir + "/data\n")) << resolved.out;

  auto env_kept = run_berth({"config", "--no-env-resolution"}, m_dir, {{"HOME", "/root"}});
  ASSERT_EQ(env_kept.exit_code, 0) << env_kept.err;
  EXPECT_TRUE(contains(env_kept.out, "env_file:\n")) << env_kept.out;
  EXPECT_TRUE(contains(env_kept.out, "path: " + m_dir + "/app.env\n")) << env_kept.out;
  EXPECT_FALSE(contains(env_kept.out, "FROM_FILE")) << env_kept.out;

  auto relative = run_berth({"config", "--no-path-resolution", "--no-env-resolution"}, m_dir, {{"HOME", "/root"}});
  ASSERT_EQ(relative.exit_code, 0) << relative.err;
  EXPECT_TRUE(contains(relative.out, "context: ./app\n")) << relative.out;
  EXPECT_TRUE(contains(relative.out, "source: ./data\n")) << relative.out;
  EXPECT_TRUE(contains(relative.out, "path: app.env\n")) << relative.out;
  EXPECT_FALSE(contains(relative.out, m_dir)) << relative.out;
}

TEST_F(ConfigCommand, CompatibilityModeRendersWithoutNormalization) {
  write("compose.yaml", "services:\n  web:\n    image: busybox\n");
  auto plain = run_berth({"config"}, m_dir, {{"HOME", "/root"}});
  auto compat = run_berth({"--compatibility", "config"}, m_dir, {{"HOME", "/root"}});
  auto no_normalize = run_berth({"config", "--no-normalize"}, m_dir, {{"HOME", "/root"}});
  ASSERT_EQ(compat.exit_code, 0) << compat.err;
  EXPECT_EQ(compat.out, no_normalize.out);  // docker compose: --compatibility implies --no-normalize
  EXPECT_NE(compat.out, plain.out);
  EXPECT_TRUE(contains(plain.out, "_default")) << plain.out;
}

TEST_F(ConfigCommand, ErrorsNameFileLineColumnAndPathAndExitNonZero) {
  write("compose.yaml", "services:\n  web:\n    image: nginx\n    ports:\n      - \"80:x\"\n    depends_on: [ghost]\n");
  auto r = run_berth({"config"}, m_dir);
  EXPECT_NE(r.exit_code, 0);
  EXPECT_EQ(r.out, "");
  EXPECT_NE(r.err.find(m_dir + "/compose.yaml:5:9: services.web.ports[0]:"), std::string::npos) << r.err;
}

TEST_F(ConfigCommand, MalformedYaml) {
  write("compose.yaml", "services:\n  web:\n    image: [nginx\n");
  auto r = run_berth({"config"}, m_dir);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find(m_dir + "/compose.yaml:"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("invalid YAML"), std::string::npos) << r.err;
}

TEST_F(ConfigCommand, OutputFileAndStdin) {
  auto r = run_berth({"-f", "-", "config", "--format", "json", "-o", m_dir + "/out.json"}, m_dir, {},
                     "name: piped\nservices:\n  a:\n    image: busybox\n");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(read_bytes(m_dir + "/out.json"));
  EXPECT_EQ(j["name"], "piped");
  EXPECT_EQ(j["services"]["a"]["image"], "busybox");
}

TEST_F(ConfigCommand, NoInterpolateKeepsVariables) {
  write("compose.yaml", "services:\n  a:\n    image: \"busybox:${TAG:-1}\"\n");
  auto r = run_berth({"config", "--no-interpolate", "--format", "json"}, m_dir);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(nlohmann::json::parse(r.out)["services"]["a"]["image"], "busybox:${TAG:-1}");
  auto i = run_berth({"config", "--format", "json"}, m_dir, {{"TAG", "2"}});
  EXPECT_EQ(nlohmann::json::parse(i.out)["services"]["a"]["image"], "busybox:2");
}

TEST_F(ConfigCommand, NoInterpolatePrintsTheModelAsDockerComposeDoes) {
  // docker compose prints its loader's map there: keys sorted, the ports list kept as written.
  write("compose.yaml", "name: demo\nservices:\n  web:\n    ports: [\"${PORT:-8080}:80\"]\n    image: nginx\n");
  auto r = run_berth({"config", "--no-interpolate"}, m_dir);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(
      r.out,
      "name: demo\nnetworks:\n  default:\n    name: demo_default\nservices:\n  web:\n    image: nginx\n    networks:\n"
      "      default: null\n    ports:\n      - ${PORT:-8080}:80\n");
  auto i = run_berth({"config", "--format", "json"}, m_dir, {{"PORT", "9000"}});
  ASSERT_EQ(i.exit_code, 0) << i.err;
  EXPECT_EQ(nlohmann::json::parse(i.out)["services"]["web"]["ports"][0]["published"], "9000");
}

TEST_F(ConfigCommand, NoInterpolateShowsEnvFilesRequiredAsDockerComposeDoes) {
  // compose-go's map (canonical transform) holds `required: true` on every env_file entry that
  // does not say otherwise; the typed model leaves the default out.
  write("compose.yaml",
        "name: demo\nservices:\n  web:\n    image: nginx\n    env_file: [a.env, {path: b.env, required: false}]\n");
  auto r = run_berth({"config", "--no-interpolate"}, m_dir);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out,
            "name: demo\nnetworks:\n  default:\n    name: demo_default\nservices:\n  web:\n    env_file:\n"
            "      - path: " +
                m_dir + "/a.env\n        required: true\n      - path: " + m_dir +
                "/b.env\n        required: false\n    image: nginx\n    networks:\n      default: null\n");
  write("a.env", "A=1\n");
  auto typed = run_berth({"config"}, m_dir);
  ASSERT_EQ(typed.exit_code, 0) << typed.err;
  EXPECT_NE(
      typed.out.find("      - path: " + m_dir + "/a.env\n      - path: " + m_dir + "/b.env\n        required: false\n"),
      std::string::npos)
      << typed.out;
}

TEST_F(ConfigCommand, HashOfAServiceDespiteAnotherMissingEnvFile) {
  write("compose.yaml",
        "services:\n  other:\n    image: busybox\n  broken:\n    image: busybox\n    env_file: ./missing.env\n");
  auto r = run_berth({"config", "--hash", "other"}, m_dir);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.rfind("other ", 0), 0u) << r.out;
  auto b = run_berth({"config", "--hash", "broken"}, m_dir);
  EXPECT_EQ(b.exit_code, 1);
  EXPECT_NE(b.err.find("env file " + m_dir + "/missing.env not found: stat " + m_dir +
                       "/missing.env: no such file or directory"),
            std::string::npos)
      << b.err;
}

TEST_F(ConfigCommand, ComposeProfilesFromTheWorkingDirectorysDotEnv) {
  write("compose.yaml", "services:\n  a:\n    image: a\n  dbg:\n    image: d\n    profiles: [debug]\n");
  write("sub/.env", "COMPOSE_PROFILES=debug\n");
  EXPECT_EQ(run_berth({"config", "--services"}, m_dir + "/sub").out, "a\ndbg\n");
  EXPECT_EQ(run_berth({"config", "--services"}, m_dir).out, "a\n");
}

TEST_F(ConfigCommand, ProfilesFlagAndServiceArguments) {
  write("compose.yaml",
        "services:\n  a:\n    image: a\n    depends_on: [b]\n  b:\n    image: b\n  c:\n    image: c\n    profiles: "
        "[tools]\n");
  EXPECT_EQ(run_berth({"config", "--profiles"}, m_dir).out, "tools\n");
  EXPECT_EQ(run_berth({"config", "--services"}, m_dir).out, "a\nb\n");
  EXPECT_EQ(run_berth({"--profile", "tools", "config", "--services"}, m_dir).out, "a\nb\nc\n");
  EXPECT_EQ(run_berth({"config", "--services", "a"}, m_dir).out, "a\nb\n");
}

TEST_F(ConfigCommand, ExampleStackIsValid) {
  auto r =
      run_berth({"-f", std::string(BERTH_SOURCE_DIR) + "/examples/app-db/compose.yaml", "config", "--services"}, m_dir);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "db\nweb\n");
}

TEST_F(ConfigCommand, VersionFlag) {
  auto r = run_berth({"--version"}, m_dir);
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("Berth version v"), std::string::npos);
}
