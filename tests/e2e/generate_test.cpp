// `berth alpha generate`: a compose file from the containers of a running project, from Berth's
// state and the containers' bundles (docker compose's Generate reads `docker inspect`); and, on
// the same project, `exec --dry-run` / `run --dry-run` after the verb.
#include <gtest/gtest.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "engine_fixture.hpp"
#include "support/text.hpp"

namespace berth::test {

namespace {

using berth::test::contains;

class Generate : public EngineFixture {};

TEST_F(Generate, ServicesFromTheProjectsContainers) {
  write_compose(R"(services:
  web:
    image: busybox:e2e
    command: ["sleep", "300"]
    environment:
      GREETING: hello
    labels:
      team: blue
    ports:
      - "127.0.0.1:18093:80"
    volumes:
      - data:/data
    healthcheck:
      test: ["CMD", "true"]
      interval: 5s
      retries: 2
    deploy:
      replicas: 2
  db:
    image: busybox:e2e
    command: ["sleep", "300"]
volumes:
  data: {}
)");
  auto up = berth({"up", "-d"});
  ASSERT_EQ(up.exit_code, 0) << up.err;
  const std::string p = project();

  auto r = berth({"alpha", "generate", "--format", "json", "--name", "copy", p + "-web"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(contains(r.err, "generate command is EXPERIMENTAL")) << r.err;
  const nlohmann::json doc = nlohmann::json::parse(r.out);
  EXPECT_EQ(doc.value("name", ""), "copy");
  ASSERT_EQ(doc["services"].size(), 1u) << r.out;  // db's container is not named
  const nlohmann::json& web = doc["services"]["web"];
  EXPECT_EQ(web.value("image", ""), "busybox:e2e");
  EXPECT_EQ(web.value("scale", 0), 2) << web.dump();
  EXPECT_EQ(web["environment"].value("GREETING", ""), "hello") << web.dump();
  EXPECT_EQ(web["labels"].value("team", ""), "blue") << web.dump();
  EXPECT_FALSE(web["labels"].contains("com.docker.compose.project")) << web.dump();
  EXPECT_EQ(web["healthcheck"]["test"], nlohmann::json::array({"CMD", "true"})) << web.dump();
  EXPECT_EQ(web["healthcheck"].value("retries", 0), 2) << web.dump();
  ASSERT_FALSE(web["ports"].empty()) << web.dump();
  EXPECT_EQ(web["ports"][0].value("target", 0), 80);
  EXPECT_EQ(web["ports"][0].value("published", ""), "18093");
  EXPECT_EQ(web["ports"][0].value("host_ip", ""), "127.0.0.1");
  ASSERT_FALSE(web["volumes"].empty()) << web.dump();
  EXPECT_EQ(web["volumes"][0].value("type", ""), "volume");
  EXPECT_EQ(web["volumes"][0].value("source", ""), p + "_data");
  EXPECT_EQ(web["volumes"][0].value("target", ""), "/data");
  EXPECT_TRUE(doc["volumes"].contains(p + "_data")) << r.out;
  EXPECT_TRUE(web["networks"].contains(p + "_default")) << web.dump();
  EXPECT_TRUE(doc["networks"].contains(p + "_default")) << r.out;

  auto yaml = berth({"alpha", "generate", p + "-db-1"});
  ASSERT_EQ(yaml.exit_code, 0) << yaml.err;
  EXPECT_TRUE(contains(yaml.out, "services:\n  db:\n")) << yaml.out;

  // --dry-run after exec's and run's verb is the global flag: nothing is run or created.
  auto exec = berth({"exec", "--dry-run", "-T", "web", "sh", "-c", "touch /data/ran"});
  EXPECT_EQ(exec.exit_code, 0) << exec.err;
  auto check = berth({"exec", "-T", "web", "ls", "/data"});
  EXPECT_FALSE(contains(check.out, "ran")) << check.out;
  auto run = berth({"run", "--dry-run", "--rm", "db", "true"});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_TRUE(contains(run.err, "DRY-RUN MODE -  Container " + p + "-db-run-")) << run.err;
  auto ps = berth({"ps", "-a", "-q"});
  EXPECT_EQ(std::count(ps.out.begin(), ps.out.end(), '\n'), 3) << ps.out;  // web x2 and db, no one-off

  auto none = berth({"alpha", "generate", "no-such-container"});
  EXPECT_EQ(none.exit_code, 1);
  EXPECT_TRUE(contains(none.err, "no container(s) found with the following name(s): no-such-container")) << none.err;
  auto empty = berth({"alpha", "generate"});
  EXPECT_EQ(empty.exit_code, 1);
  EXPECT_TRUE(contains(empty.err, "at least one container must be specified")) << empty.err;
}

}  // namespace
}  // namespace berth::test
