// The whole loading pipeline on compose-go's loader fixtures and on small projects written
// to a temporary directory.
#include "compose/loader/load.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "compose/loader/diagnostics.hpp"
#include "support/files.hpp"
#include "support/temp_dir.hpp"

using namespace berth::loader;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

const std::string kTestdata = fs::weakly_canonical(std::string(BERTH_TESTDATA_DIR) + "/compose-go/testdata").string();

#define REQUIRE_TESTDATA() ASSERT_TRUE(fs::exists(kTestdata)) << "vendored fixtures missing at " << kTestdata

LoadOptions fixture(const std::string& dir, std::vector<std::string> files,
                    std::map<std::string, std::string> env = {}) {
  LoadOptions o;
  o.working_directory = kTestdata + "/" + dir;
  o.files = std::move(files);
  o.os_environment = std::move(env);
  o.os_environment.emplace("HOME", "/home/tester");
  return o;
}

std::string error_of(const LoadOptions& o) {
  try {
    load_project(o);
  } catch (const LoadError& e) {
    return e.what();
  }
  return "";
}

class TempProject : public ::testing::Test {
 protected:
  void SetUp() override { m_dir = m_tmp.path(); }
  void write(const std::string& rel, const std::string& text) { berth::test::write_bytes(m_dir + "/" + rel, text); }
  LoadOptions opts(std::vector<std::string> files = {}, std::map<std::string, std::string> env = {}) {
    LoadOptions o;
    o.working_directory = m_dir;
    o.files = std::move(files);
    o.os_environment = std::move(env);
    return o;
  }
  berth::test::TempDir m_tmp{"berth-load-test"};
  std::string m_dir;
};

}  // namespace

TEST(LoadFixtures, DependsOnCycleIsPrintedInFull) {
  REQUIRE_TESTDATA();
  EXPECT_NE(error_of(fixture("loader/testdata", {"compose-depends-on-cycle.yaml"}))
                .find("dependency cycle: service1 -> service2 -> service3 -> service1"),
            std::string::npos);
  EXPECT_NE(error_of(fixture("loader/testdata", {"compose-depends-on-self.yaml"})).find("service1 -> service1"),
            std::string::npos);
}

TEST(LoadFixtures, IncludeCycleIsAnError) {
  REQUIRE_TESTDATA();
  EXPECT_NE(error_of(fixture("loader/testdata", {"compose-include-cycle.yaml"})).find("include cycle"),
            std::string::npos);
}

TEST(LoadFixtures, IncludeBringsInTheOtherProjectsServices) {
  REQUIRE_TESTDATA();
  auto p = load_project(fixture("loader/testdata", {"compose-include.yaml"}));
  ASSERT_TRUE(p.model.services.count("bar"));
  ASSERT_TRUE(p.model.services.count("imported"));
  const auto& imported = p.model.services.at("imported");
  EXPECT_EQ(imported.image, "nginx");
  // env_file is relative to the included file, and its content lands in the environment.
  EXPECT_EQ(imported.env_file.at(0).path, kTestdata + "/loader/testdata/subdir/extra.env");
  EXPECT_EQ(imported.environment.at("SOURCE"), "extends");
}

TEST(LoadFixtures, ExtendsFromAnotherFileRebasesItsPaths) {
  REQUIRE_TESTDATA();
  auto p = load_project(fixture("loader/testdata", {"compose-test-extends.yaml"}));
  EXPECT_EQ(p.name, "compose-test-extends");
  const auto& svc = p.model.services.at("importer");
  EXPECT_EQ(svc.image, "nginx");
  EXPECT_EQ(svc.container_name, "imported");
  EXPECT_EQ(svc.env_file.at(0).path, kTestdata + "/loader/testdata/subdir/extra.env");
  EXPECT_EQ(svc.volumes.at(0).source, "/opt/data");
  EXPECT_FALSE(svc.extends);
}

TEST(LoadFixtures, ExtendsChainsAndResets) {
  REQUIRE_TESTDATA();
  // base.yaml holds fragments to extend (services without an image): compose-go's consistency
  // check refuses it as a project of its own, so it is loaded without.
  auto base_options = fixture("loader/testdata/extends", {"base.yaml"});
  base_options.check_consistency = false;
  auto base = load_project(base_options);
  EXPECT_EQ(base.model.services.at("another").image, "base");
  EXPECT_EQ(base.model.services.at("with-build").build->context, kTestdata + "/loader/testdata/extends");
  auto reset = load_project(fixture("loader/testdata/extends", {"reset.yaml"}));
  EXPECT_EQ(reset.model.services.at("base").image, "alpine:latest");
  EXPECT_FALSE(reset.model.services.at("base").command);
  auto withdir = load_project(fixture("loader/testdata/extends/withdir", {"compose.yaml"}));
  EXPECT_EQ(withdir.model.services.at("test").image, "hello-world");
}

TEST(LoadFixtures, IncludeAndExtendsCombined) {
  REQUIRE_TESTDATA();
  auto p = load_project(fixture("loader/testdata/combined", {"compose.yaml"}));
  EXPECT_EQ(p.model.services.at("service").build->context, kTestdata + "/loader/testdata/combined/dir");
}

TEST(LoadFixtures, DotEnvFeedsInterpolation) {
  REQUIRE_TESTDATA();
  auto p = load_project(fixture("cli/testdata/simple", {"compose-with-variables.yaml"}));
  EXPECT_EQ(p.model.services.at("simple").ports.at(0).published, "8000");
  EXPECT_EQ(p.name, "simple");
}

TEST(LoadFixtures, ShellEnvironmentBeatsDotEnv) {
  REQUIRE_TESTDATA();
  auto p = load_project(fixture("cli/testdata/simple", {"compose-with-variables.yaml"}, {{"PUBLIC_PORT", "9999"}}));
  EXPECT_EQ(p.model.services.at("simple").ports.at(0).published, "9999");
}

TEST(LoadFixtures, OverrideFilesMergeInOrder) {
  REQUIRE_TESTDATA();
  auto p = load_project(fixture("cli/testdata/simple", {"compose.yaml", "compose-with-overrides.yaml"}));
  EXPECT_EQ(p.model.services.at("simple").image, "haproxy");
}

TEST(LoadFixtures, ProjectNameIsInterpolated) {
  REQUIRE_TESTDATA();
  auto p = load_project(fixture("cli/testdata/simple", {"compose-name.yaml"}, {{"TEST", "env"}}));
  EXPECT_EQ(p.name, "test-env-test");
}

TEST(LoadFixtures, ComposeFileAndProjectNameFromDotEnv) {
  REQUIRE_TESTDATA();
  auto p = load_project(fixture("cli/testdata/env-file", {}));
  EXPECT_EQ(p.name, "my_project_from_dot_env");
  EXPECT_EQ(p.config_files,
            (std::vector<std::string>{kTestdata + "/cli/testdata/env-file/compose-with-env-file.yaml"}));
  EXPECT_EQ(p.model.services.at("simple").environment.at("DEFAULT_PORT"), "8080");
  ASSERT_EQ(p.warnings.size(), 1u);  // obsolete `version`
}

TEST(LoadFixtures, EnvFileFlagReplacesDotEnv) {
  REQUIRE_TESTDATA();
  auto o = fixture("cli/testdata/env-file", {"compose-with-env-files.yaml"});
  o.env_files = {"override.env"};
  auto p = load_project(o);
  EXPECT_EQ(p.model.services.at("simple").ports.at(0).published, "9000");
  EXPECT_EQ(p.model.services.at("simple").environment.at("DEFAULT_PORT"), "9090");  // later env_file wins
}

TEST_F(TempProject, DiscoversDefaultFileAndOverrideFromASubdirectory) {
  write("compose.yaml", "services:\n  web:\n    image: nginx\n");
  write("compose.override.yaml", "services:\n  web:\n    image: caddy\n");
  write("sub/dir/.keep", "");
  auto o = opts();
  o.working_directory = m_dir + "/sub/dir";
  auto p = load_project(o);
  EXPECT_EQ(p.working_dir, m_dir);
  EXPECT_EQ(p.model.services.at("web").image, "caddy");
  EXPECT_EQ(p.config_files.size(), 2u);
}

TEST_F(TempProject, NoComposeFileIsAClearError) {
  std::string err = error_of(opts());
  EXPECT_NE(err.find("no configuration file provided"), std::string::npos);
}

TEST_F(TempProject, StandardInput) {
  auto o = opts({"-"});
  o.read_stdin = [] { return std::string("name: piped\nservices:\n  a:\n    image: busybox\n"); };
  auto p = load_project(o);
  EXPECT_EQ(p.name, "piped");
  EXPECT_EQ(p.working_dir, m_dir);
}

TEST_F(TempProject, EveryProblemIsReportedWithItsLocation) {
  write("compose.yaml",
        "services:\n"
        "  web:\n"
        "    imgae: nginx\n"
        "    restart: 5\n"
        "  db:\n"
        "    image: ${DB_IMAGE:?set DB_IMAGE}\n");
  auto o = opts({"compose.yaml"});
  try {
    load_project(o);
    FAIL() << "expected LoadError";
  } catch (const LoadError& e) {
    std::string all = e.what();
    const std::string f = m_dir + "/compose.yaml";
    EXPECT_NE(all.find(f + ":6:5: services.db.image: required variable DB_IMAGE is missing a value: set DB_IMAGE"),
              std::string::npos)
        << all;
    // With interpolation failing the file is not validated further; fix it and see the rest.
  }
  o.os_environment["DB_IMAGE"] = "postgres";
  try {
    load_project(o);
    FAIL() << "expected LoadError";
  } catch (const LoadError& e) {
    ASSERT_EQ(e.items().size(), 2u) << e.what();
    EXPECT_EQ(e.items()[0].where.line, 3);
    EXPECT_NE(std::string(e.what()).find("did you mean \"image\""), std::string::npos) << e.what();
    EXPECT_EQ(e.items()[1].where.line, 4);
    EXPECT_EQ(e.items()[1].path, "services.web.restart");
  }
}

TEST_F(TempProject, ServiceWithoutImageOrBuildIsRefusedAtItsLine) {
  write("compose.yaml", "services:\n  web:\n    image: nginx\n  worker:\n    command: [run]\n");
  try {
    load_project(opts({"compose.yaml"}));
    FAIL() << "expected LoadError";
  } catch (const LoadError& e) {
    ASSERT_EQ(e.items().size(), 1u) << e.what();
    EXPECT_EQ(std::string(e.what()), m_dir +
                                         "/compose.yaml:4:3: services.worker: service \"worker\" has neither an "
                                         "image nor a build context specified: invalid compose project");
  }
  auto o = opts({"compose.yaml"});
  o.check_consistency = false;  // compose-go's rule is a consistency check: --no-consistency skips it
  EXPECT_NO_THROW(load_project(o));
}

TEST_F(TempProject, NoInterpolateKeepsWhatOnlyInterpolationMakesValid) {
  write("compose.yaml",
        "services:\n  web:\n    image: nginx\n    ports: [\"${PORT:-8080}:80\", \"443\"]\n"
        "    mem_limit: ${MEM:-1g}\n");
  auto o = opts({"compose.yaml"});
  o.interpolate = false;
  auto p = load_project(o);
  const json& web = p.document["services"]["web"];
  // compose-go keeps the whole ports list as written when one entry does not parse.
  EXPECT_EQ(web["ports"], json({"${PORT:-8080}:80", "443"}));
  EXPECT_EQ(web["mem_limit"], "${MEM:-1g}");
  // A value without a variable is still an error.
  write("compose.yaml", "services:\n  web:\n    image: nginx\n    ports: [\"80:x\"]\n");
  EXPECT_NE(error_of(o).find("services.web.ports[0]"), std::string::npos);
  // compose-go loads only the model then (no typed project), which it does not check for
  // consistency: the volume named "${DATA}" above is not "undefined", nor is a missing image.
  write("compose.yaml", "services:\n  web:\n    volumes: [\"${DATA}:/data\"]\n");
  EXPECT_NO_THROW(load_project(o));
  o.interpolate = true;
  o.os_environment["DATA"] = "data";
  EXPECT_NE(error_of(o).find("undefined volume \"data\""), std::string::npos);
}

TEST_F(TempProject, DotEnvOfANestedWorkingDirectoryComesFirst) {
  // docker compose reads the working directory's .env, finds compose.yaml in a parent, then
  // adds what the project directory's .env sets and the first did not.
  write("compose.yaml",
        "services:\n  a:\n    image: \"a:${TAG}-${OTHER}\"\n  dbg:\n    image: d\n    profiles: [debug]\n");
  write(".env", "TAG=project\nOTHER=from-project\n");
  write("sub/.env", "TAG=nested\nCOMPOSE_PROFILES=debug\n");
  auto o = opts();
  o.working_directory = m_dir + "/sub";
  auto p = load_project(o);
  EXPECT_EQ(p.working_dir, m_dir);
  EXPECT_EQ(p.model.services.at("a").image, "a:nested-from-project");
  EXPECT_TRUE(p.model.services.count("dbg"));  // COMPOSE_PROFILES from the working directory's .env
  EXPECT_EQ(p.environment.at("COMPOSE_PROFILES"), "debug");
  // The shell wins over both.
  o.os_environment = {{"TAG", "shell"}};
  EXPECT_EQ(load_project(o).model.services.at("a").image, "a:shell-from-project");
}

TEST_F(TempProject, ComposeEnvFilesReplacesDotEnv) {
  write("compose.yaml", "services:\n  a:\n    image: \"a:${TAG:-none}-${X:-none}\"\n");
  write(".env", "TAG=dotenv\n");
  write("one.env", "TAG=one\nX=1\n");
  write("two.env", "X=2\n");
  auto o = opts({"compose.yaml"}, {{"COMPOSE_ENV_FILES", "one.env,two.env"}});
  EXPECT_EQ(load_project(o).model.services.at("a").image, "a:one-2");  // later files override earlier ones
  o.env_files = {"two.env"};                                           // --env-file wins over the variable
  EXPECT_EQ(load_project(o).model.services.at("a").image, "a:none-2");
}

TEST_F(TempProject, ProfilesFromTheEnvironment) {
  write("compose.yaml", "services:\n  a:\n    image: a\n  dbg:\n    image: d\n    profiles: [debug]\n");
  EXPECT_FALSE(load_project(opts({"compose.yaml"})).model.services.count("dbg"));
  EXPECT_TRUE(load_project(opts({"compose.yaml"}, {{"COMPOSE_PROFILES", "debug,other"}})).model.services.count("dbg"));
  auto o = opts({"compose.yaml"});
  o.profiles = {"debug"};
  auto p = load_project(o);
  EXPECT_TRUE(p.model.services.count("dbg"));
  EXPECT_EQ(p.profiles, (std::vector<std::string>{"debug"}));
}

TEST_F(TempProject, MissingRequiredEnvFileIsReportedAtItsEntry) {
  write("compose.yaml",
        "services:\n  a:\n    image: a\n    env_file:\n      - ./missing.env\n      - path: ./optional.env\n        "
        "required: false\n");
  try {
    load_project(opts({"compose.yaml"}));
    FAIL();
  } catch (const LoadError& e) {
    ASSERT_EQ(e.items().size(), 1u) << e.what();
    EXPECT_EQ(e.items()[0].path, "services.a.env_file[0]");
    EXPECT_EQ(e.items()[0].where.line, 5);
  }
}

TEST_F(TempProject, MissingEnvFileOnlyBlocksTheServicesTheCommandTouches) {
  write("compose.yaml",
        "services:\n  other:\n    image: a\n  broken:\n    image: b\n    env_file: ./missing.env\n"
        "  front:\n    image: c\n    depends_on: [broken]\n");
  auto o = opts({"compose.yaml"});
  o.services = {"other"};  // `up -d other`
  EXPECT_NO_THROW(load_project(o));
  o.services = {"broken"};
  // compose-go's words: "env file X not found: stat X: no such file or directory".
  EXPECT_EQ(error_of(o), m_dir + "/compose.yaml:6:5: services.broken.env_file[0]: env file " + m_dir +
                             "/missing.env not found: stat " + m_dir + "/missing.env: no such file or directory");
  o.services = {"front"};  // its dependency is started too, so it needs its env file
  EXPECT_NE(error_of(o).find("env file " + m_dir + "/missing.env not found"), std::string::npos);
  o.services = {};
  o.touched_services = {"other"};  // `config --hash other`
  EXPECT_NO_THROW(load_project(o));
  o.touched_services = {};
  EXPECT_NE(error_of(o).find("env file " + m_dir + "/missing.env not found"), std::string::npos);
}

TEST_F(TempProject, MissingLabelFileInComposeGosWords) {
  write("compose.yaml", "services:\n  a:\n    image: a\n    label_file: ./nowhere.labels\n");
  EXPECT_EQ(error_of(opts({"compose.yaml"})), m_dir + "/compose.yaml:4:5: services.a.label_file[0]: label file " +
                                                  m_dir + "/nowhere.labels not found: stat " + m_dir +
                                                  "/nowhere.labels: no such file or directory");
}

TEST_F(TempProject, SecretEnvironmentFromAnIncludesEnvFile) {
  write("sub/compose.yaml",
        "services:\n  app:\n    image: a\n    secrets: [tok]\nsecrets:\n  tok:\n    environment: TOKEN\n"
        "  other:\n    environment: MAIN_ONLY\n");
  write("sub/vars.env", "TOKEN=from-include\n");
  write(".env", "MAIN_ONLY=main\n");
  write("compose.yaml", "include:\n  - path: sub/compose.yaml\n    env_file: sub/vars.env\n");
  auto p = load_project(opts({"compose.yaml"}));
  EXPECT_EQ(p.model.secrets.at("tok").content, "from-include");
  EXPECT_EQ(p.model.secrets.at("other").content, "main");  // not in the include's environment: the project's
  EXPECT_FALSE(p.environment.count("TOKEN"));              // the include's variables stay its own
}

TEST_F(TempProject, InvalidProjectNameFromFile) {
  write("compose.yaml", "name: Not Valid\nservices:\n  a:\n    image: a\n");
  EXPECT_NE(error_of(opts({"compose.yaml"})).find("invalid project name"), std::string::npos);
}

TEST_F(TempProject, ExtendsCycleIsAnError) {
  write("compose.yaml", "services:\n  a:\n    extends: b\n  b:\n    extends: a\n");
  EXPECT_NE(error_of(opts({"compose.yaml"})).find("circular extends"), std::string::npos);
}

TEST_F(TempProject, ExtendsMergesLikeTheSpecExample) {
  write("compose.yaml",
        "services:\n  common:\n    image: busybox\n    environment:\n      TZ: utc\n      PORT: 80\n"
        "  cli:\n    extends:\n      service: common\n    environment:\n      PORT: 8080\n");
  auto p = load_project(opts({"compose.yaml"}));
  EXPECT_EQ(p.model.services.at("cli").environment, (berth::model::MappingWithEquals{{"PORT", "8080"}, {"TZ", "utc"}}));
  EXPECT_EQ(p.model.services.at("cli").image, "busybox");
}

TEST_F(TempProject, ValuesThatDoNotFitTheModelAreReportedWithTheirPosition) {
  // Found by the loader fuzzer: the schema allows a string here (for interpolation).
  write(
      "compose.yaml",
      "services:\n  app:\n    image: a\n    volumes:\n      - type: bind\n        source: ./src\n        target: /src\n"
      "        bind:\n          create_host_path: tru\n");
  try {
    load_project(opts({"compose.yaml"}));
    FAIL() << "expected LoadError";
  } catch (const LoadError& e) {
    ASSERT_EQ(e.items().size(), 1u) << e.what();
    EXPECT_EQ(e.items()[0].path, "services.app.volumes[0].bind.create_host_path");
    EXPECT_EQ(e.items()[0].where.line, 9);
  }
}

namespace berth::loader {
namespace {

// compose-go loads each document of a `---` stream as a file of its own, merged in order: what an
// `oci://` artifact with several compose files is fetched as.
TEST(LoadProject, DocumentsOfOneFileMergeInOrder) {
  test::TempDir dir;
  std::ofstream(dir / "compose.yaml") << "services:\n  web:\n    image: a\n    environment: {X: '1'}\n"
                                         "\n---\nservices:\n  web:\n    image: b\n  db:\n    image: c\n";
  LoadOptions o;
  o.files = {dir / "compose.yaml"};
  const Project p = load_project(o);
  ASSERT_EQ(p.model.services.size(), 2u);
  EXPECT_EQ(p.model.services.at("web").image, "b");
  EXPECT_EQ(p.model.services.at("web").environment.at("X"), "1");
  EXPECT_EQ(p.model.services.at("db").image, "c");
}

}  // namespace
}  // namespace berth::loader
