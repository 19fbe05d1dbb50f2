// make_context (compose/project/project_context): a project loaded from a compose.yaml in a temp
// dir plus an image store holding one tiny imported image → images, desired state (replicas from
// --scale, deploy.replicas and scale; networks only when a service uses them), the dependency
// map with namespaces, and the errors for a cycle, a missing image and an unknown --scale.
#include "compose/project/project_context.hpp"

#include <gtest/gtest.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <optional>
#include <stdexcept>

#include "common/unique_fd.hpp"
#include "compose/image/archive_load.hpp"
#include "support/image_archive.hpp"

namespace berth::project {
namespace {

using test::TempDir;

class ProjectContextTest : public ::testing::Test {
 protected:
  ProjectContextTest() : m_store(m_dir / "root") {}

  void SetUp() override {
    // One tiny image, "tiny:1": a one-layer import of a root filesystem with a single file.
    std::string rootfs = test::make_tar({test::tar_dir("./"), test::tar_file("./bin/true", "x", 0755)});
    UniqueFd fd(::memfd_create("rootfs", MFD_CLOEXEC));
    ASSERT_TRUE(fd);
    ASSERT_EQ(::write(fd.get(), rootfs.data(), rootfs.size()), static_cast<ssize_t>(rootfs.size()));
    ASSERT_EQ(::lseek(fd.get(), 0, SEEK_SET), 0);
    image::ImportOptions o;
    o.name = image::parse_reference("tiny:1");
    o.label = "rootfs.tar";
    m_image_id = image::import_rootfs(m_store, fd.get(), o).id;
  }

  loader::Project load(const std::string& yaml, bool check = true) {
    test::write_bytes(m_dir / "app/compose.yaml", yaml);
    loader::LoadOptions o;
    o.files = {m_dir / "app/compose.yaml"};
    o.working_directory = m_dir / "app";
    o.project_name = "app";
    o.check_consistency = check;
    return loader::load_project(o);
  }

  TempDir m_dir{"berth-context"};
  image::ImageStore m_store;
  std::optional<image::Digest> m_image_id;  // the imported image's config digest
};

bool contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

TEST_F(ProjectContextTest, DesiredStateImagesAndReplicas) {
  ProjectContext ctx = make_context(load(R"(
services:
  web:
    image: tiny:1
    depends_on:
      db: {condition: service_healthy}
    networks: [front, outside]
  db:
    image: tiny:1
    deploy: {replicas: 2}
    volumes: [data:/var/lib/db, shared:/shared]
  worker:
    image: tiny:1
    scale: 3
networks:
  front: {}
  unused: {}
  outside: {external: true}
volumes:
  data: {}
  shared: {external: true}
)"),
                                    m_store);
  EXPECT_EQ(ctx.desired.project, "app");
  ASSERT_EQ(ctx.desired.services.size(), 3u);
  EXPECT_EQ(ctx.desired.services.at("web").replicas, 1);
  EXPECT_EQ(ctx.desired.services.at("db").replicas, 2);
  EXPECT_EQ(ctx.desired.services.at("worker").replicas, 3);
  // Own networks that a service joins: not the unused one, not the external one.
  EXPECT_TRUE(contains(ctx.desired.networks, "front"));
  EXPECT_TRUE(contains(ctx.desired.networks, "default"));  // db and worker join the default network
  EXPECT_FALSE(contains(ctx.desired.networks, "unused"));
  EXPECT_FALSE(contains(ctx.desired.networks, "outside"));
  EXPECT_EQ(ctx.desired.volumes, std::vector<std::string>{"data"});
  // Every service has its image and a config hash that includes the image id.
  for (const char* s : {"web", "db", "worker"}) {
    ASSERT_TRUE(ctx.images.count(s)) << s;
    EXPECT_EQ(ctx.images.at(s).config_digest, *m_image_id) << s;
    EXPECT_EQ(ctx.desired.services.at(s).config_hash.size(), 64u) << s;
  }
  EXPECT_NE(ctx.desired.services.at("web").config_hash, ctx.desired.services.at("db").config_hash);
  // The dependency map is the model's, and each desired service carries its own edges.
  ASSERT_TRUE(ctx.dependencies.at("web").count("db"));
  EXPECT_EQ(ctx.dependencies.at("web").at("db").condition, "service_healthy");
  EXPECT_EQ(ctx.desired.services.at("web").dependencies.at("db").condition, "service_healthy");
  EXPECT_TRUE(ctx.dependencies.at("db").empty());
  EXPECT_EQ(ctx.loaded.name, "app");
}

TEST_F(ProjectContextTest, ScaleOverridesReplicas) {
  const std::string yaml = R"(
services:
  web: {image: tiny:1}
  db: {image: tiny:1, deploy: {replicas: 2}}
  worker: {image: tiny:1, scale: 3}
)";
  ProjectContext ctx = make_context(load(yaml), m_store, {{"db", 5}, {"web", 0}});
  EXPECT_EQ(ctx.desired.services.at("web").replicas, 0);
  EXPECT_EQ(ctx.desired.services.at("db").replicas, 5);
  EXPECT_EQ(ctx.desired.services.at("worker").replicas, 3);
  EXPECT_EQ(replicas(ctx.loaded.model.services.at("db"), {}), 2);
  EXPECT_EQ(replicas(ctx.loaded.model.services.at("web"), {}), 1);
  try {
    make_context(load(yaml), m_store, {{"nope", 2}});
    FAIL() << "no error for --scale of an unknown service";
  } catch (const std::runtime_error& e) {
    EXPECT_STREQ(e.what(), "no such service: nope");
  }
}

TEST_F(ProjectContextTest, NamespaceDependencies) {
  ProjectContext ctx = make_context(load(R"(
services:
  web: {image: tiny:1}
  sidecar:
    image: tiny:1
    network_mode: "service:web"
    ipc: "service:web"
)"),
                                    m_store);
  ASSERT_TRUE(ctx.dependencies.at("sidecar").count("web"));
  EXPECT_EQ(ctx.dependencies.at("sidecar").at("web").namespaces, (std::set<std::string>{"ipc", "network"}));
  EXPECT_TRUE(ctx.dependencies.at("web").empty());
  // The sidecar joins web's network namespace: only web needs the default network.
  EXPECT_FALSE(uses_bridge_networks(ctx.loaded.model.services.at("sidecar")));
  EXPECT_EQ(ctx.desired.networks, std::vector<std::string>{"default"});
}

TEST_F(ProjectContextTest, CycleIsAnError) {
  // The loader's own consistency check reports cycles too; without it, make_context must.
  loader::Project p = load(R"(
services:
  a: {image: tiny:1, depends_on: [b]}
  b: {image: tiny:1, depends_on: [a]}
)",
                           false);
  try {
    make_context(std::move(p), m_store);
    FAIL() << "no error for a dependency cycle";
  } catch (const std::runtime_error& e) {
    std::string what = e.what();
    EXPECT_TRUE(what == "dependency cycle detected: a -> b -> a" || what == "dependency cycle detected: b -> a -> b")
        << what;
  }
}

TEST_F(ProjectContextTest, MissingImage) {
  const std::string yaml = R"(
services:
  web: {image: "nosuch/image:1", depends_on: [db]}
  db: {image: tiny:1}
)";
  try {
    make_context(load(yaml), m_store);
    FAIL() << "no error for a missing image";
  } catch (const std::runtime_error& e) {
    // up/create/run pull first; what is still missing here, its pull policy did not let them pull.
    EXPECT_NE(std::string(e.what()).find("service \"web\": no such image: nosuch/image:1"), std::string::npos)
        << e.what();
  }
  // Only the selected services (and what they depend on) need their images.
  ProjectContext db_only = make_context(load(yaml), m_store, {}, {"db"});
  EXPECT_TRUE(db_only.images.count("db"));
  EXPECT_FALSE(db_only.images.count("web"));
  EXPECT_THROW(make_context(load(yaml), m_store, {}, {"web"}), std::runtime_error);
  // stop, down, ps: no image needed; the ones present are still resolved.
  ProjectContext any = make_context(load(yaml), m_store, {}, {}, false);
  EXPECT_FALSE(any.images.count("web"));
  EXPECT_TRUE(any.images.count("db"));
  EXPECT_EQ(any.desired.services.size(), 2u);
  EXPECT_TRUE(any.desired.services.at("web").config_hash.empty());
}

TEST(ProjectNetworkOrder, PriorityThenName) {
  model::Service svc;
  model::ServiceNetwork high;
  high.priority = 10;
  svc.networks["b"] = std::nullopt;
  svc.networks["a"] = std::nullopt;
  svc.networks["z"] = high;
  EXPECT_EQ(network_order(svc), (std::vector<std::string>{"z", "a", "b"}));
  EXPECT_TRUE(uses_bridge_networks(svc));
  svc.network_mode = "host";
  EXPECT_FALSE(uses_bridge_networks(svc));
}

}  // namespace
}  // namespace berth::project
