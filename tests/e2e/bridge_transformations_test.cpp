// `bridge convert -t IMAGE` and `bridge transformations list|create` end to end, on a
// transformation image built here (the engine fixture's busybox plus a shell script that copies
// /in/compose.yaml to /out and records what it was given), as docker compose runs one: the model
// at /in/compose.yaml, the output dir at /out, --templates at /templates, LICENSE_AGREEMENT=true,
// the caller's uid. `transformations create` copies an image's /templates out with a Dockerfile
// that `berth build` then builds into a new transformation (FROM docker/compose-bridge-transformer,
// which the test names busybox with `image tag`).
#include <unistd.h>

#include <filesystem>

#include <nlohmann/json.hpp>

#include "e2e/engine_fixture.hpp"
#include "support/files.hpp"

namespace berth::test {
namespace {

namespace fs = std::filesystem;

const char* kTransformScript = R"SH(#!/bin/sh
set -e
cp /in/compose.yaml /out/model.yaml
echo "license=$LICENSE_AGREEMENT uid=$(id -u)" > /out/env.txt
if [ -d /templates ]; then ls /templates > /out/templates.txt; fi
echo "Kubernetes resource model.yaml created"
)SH";

class BridgeTransformations : public EngineFixture {
 protected:
  void TearDown() override {
    if (m_tmp) {
      auto prune = berth({"builder", "prune", "-f"});
      EXPECT_EQ(prune.exit_code, 0) << prune.err;
      std::error_code ec;
      for (const auto& e : fs::directory_iterator(m_root + "/tmp", ec))
        ADD_FAILURE() << "left in the store's tmp: " << e.path();
    }
    EngineFixture::TearDown();
  }

  void file(const std::string& rel, const std::string& text) {
    fs::create_directories(fs::path(dir() + "/" + rel).parent_path());
    write_bytes(dir() + "/" + rel, text);
  }

  /// Builds the transformation image `bridge-tr:e2e` (service `tr`) from tr/, and with `failing`
  /// `bridge-bad:e2e`, whose command fails.
  void build_transformer(bool failing = false) {
    const std::string from = std::string("FROM ") + image + "\nLABEL com.docker.compose.bridge=transformation\n";
    file("tr/Dockerfile", from +
                              "COPY transform.sh /transform.sh\nCOPY templates /templates\nEXPOSE 8080\n"
                              "CMD [\"/bin/sh\", \"/transform.sh\"]\n");
    file("tr/transform.sh", kTransformScript);
    file("tr/templates/service.tmpl", "{{ range $name, $s := .services }}{{ $name }}{{ end }}\n");
    file("bad/Dockerfile", from + "CMD [\"/bin/sh\", \"-c\", \"echo broken >&2; exit 3\"]\n");
    std::string compose =
        "services:\n  tr:\n    build: ./tr\n    image: bridge-tr:e2e\n    command: [\"true\"]\n"
        "    secrets: [token]\n";
    if (failing) compose += "  bad:\n    build: ./bad\n    image: bridge-bad:e2e\n";
    write_compose(compose + "secrets:\n  token:\n    file: ./token.txt\n");
    file("token.txt", "s3cret");
    auto b = berth_bounded(300, {"build"});
    ASSERT_EQ(b.exit_code, 0) << b.out << b.err;
  }
};

TEST_F(BridgeTransformations, ConvertRunsTheImageOnTheModel) {
  if (auto missing = engine_e2e_missing(); !missing.empty()) GTEST_SKIP() << missing;
  build_transformer(true);
  fs::create_directories(dir() + "/mytemplates");
  write_bytes(dir() + "/mytemplates/a.tmpl", "x");
  auto r = berth_bounded(120, {"bridge", "convert", "-t", "bridge-tr:e2e", "--templates", "mytemplates", "-o", "k8s"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("Kubernetes resource model.yaml created"), std::string::npos) << r.out;
  std::string model = read_bytes(dir() + "/k8s/model.yaml");
  EXPECT_NE(model.find("name: " + project() + "\n"), std::string::npos) << model;
  EXPECT_NE(model.find("    tr:\n"), std::string::npos) << model;        // go-yaml's indent 4
  EXPECT_NE(model.find("content: s3cret"), std::string::npos) << model;  // secrets with their content
  EXPECT_NE(model.find("- \"8080\""), std::string::npos) << model;       // the image's EXPOSE among `expose`
  EXPECT_EQ(read_bytes(dir() + "/k8s/env.txt"), "license=true uid=" + std::to_string(::getuid()) + "\n");
  EXPECT_EQ(read_bytes(dir() + "/k8s/templates.txt"), "a.tmpl\n");  // --templates is /templates

  // a non-empty output directory is not overwritten without a confirmation
  auto again = berth_bounded(120, {"bridge", "convert", "-t", "bridge-tr:e2e", "-o", "k8s"});
  EXPECT_NE(again.exit_code, 0);
  EXPECT_NE(again.err.find("deletion of output directory 'k8s' was not confirmed"), std::string::npos) << again.err;

  // a transformation that fails fails the command; what it printed is shown
  auto bad = berth_bounded(120, {"bridge", "convert", "-t", "bridge-bad:e2e", "-o", "k8s-bad"});
  EXPECT_NE(bad.exit_code, 0);
  EXPECT_NE((bad.out + bad.err).find("broken"), std::string::npos) << bad.out << bad.err;
  EXPECT_NE(bad.err.find("transformation bridge-bad:e2e failed: exit status 3"), std::string::npos) << bad.err;
}

TEST_F(BridgeTransformations, ListAndCreate) {
  if (auto missing = engine_e2e_missing(); !missing.empty()) GTEST_SKIP() << missing;
  build_transformer();
  auto ls = berth({"bridge", "transformations", "ls"});
  ASSERT_EQ(ls.exit_code, 0) << ls.err;
  EXPECT_EQ(ls.out.rfind("IMAGE ID", 0), 0u) << ls.out;
  EXPECT_NE(ls.out.find("bridge-tr"), std::string::npos) << ls.out;
  EXPECT_EQ(ls.out.find("busybox"), std::string::npos) << ls.out;  // not labelled
  auto q = berth({"bridge", "transformations", "list", "-q"});
  EXPECT_EQ(q.out, "bridge-tr:e2e\n");
  auto json = berth({"bridge", "transformations", "list", "--format", "json"});
  auto parsed = nlohmann::json::parse(json.out);
  ASSERT_EQ(parsed.size(), 1u);
  EXPECT_EQ(parsed[0]["RepoTags"], nlohmann::json::array({"bridge-tr:e2e"}));
  EXPECT_EQ(parsed[0]["Labels"]["com.docker.compose.bridge"], "transformation");

  auto create = berth({"bridge", "transformations", "create", "mytr", "--from", "bridge-tr:e2e"});
  ASSERT_EQ(create.exit_code, 0) << create.err;
  EXPECT_EQ(create.out, "Transformer created in \"" + dir() + "/mytr\"\n");
  EXPECT_EQ(read_bytes(dir() + "/mytr/templates/service.tmpl"),
            "{{ range $name, $s := .services }}{{ $name }}{{ end }}\n");
  EXPECT_EQ(read_bytes(dir() + "/mytr/Dockerfile"),
            "FROM docker/compose-bridge-transformer\nLABEL com.docker.compose.bridge=transformation\n"
            "COPY templates /templates\n");
  auto exists = berth({"bridge", "transformations", "create", "mytr", "--from", "bridge-tr:e2e"});
  EXPECT_NE(exists.exit_code, 0);
  EXPECT_NE(exists.err.find("output folder " + dir() + "/mytr already exists"), std::string::npos) << exists.err;

  // the directory builds into a transformation of its own
  auto tag = berth({"image", "tag", image, "docker/compose-bridge-transformer"});
  ASSERT_EQ(tag.exit_code, 0) << tag.err;
  write_compose("services:\n  mine:\n    build: ./mytr\n    image: my-transformation:1\n");
  auto b = berth_bounded(300, {"build"});
  ASSERT_EQ(b.exit_code, 0) << b.out << b.err;
  auto ls2 = berth({"bridge", "transformations", "list", "-q"});
  EXPECT_NE(ls2.out.find("my-transformation:1\n"), std::string::npos) << ls2.out;
}

}  // namespace
}  // namespace berth::test
