// `image load` of docker-save archives (legacy and Docker 25+ layouts) and OCI image layouts,
// and `image import` of rootfs tarballs, all generated here with libarchive's writer.
#include <gtest/gtest.h>
#include <sys/mman.h>
#include <unistd.h>

#include <filesystem>

#include "compose/image/archive_load.hpp"
#include "support/files.hpp"
#include "support/image_archive.hpp"

using namespace berth::image;
using namespace berth::test;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

std::string blob_path(const std::string& data) { return "blobs/sha256/" + std::string(sha256_of(data).hex()); }

json config_for(const std::vector<std::string>& plain_layers, const json& runtime = {{"Cmd", {"sh"}}}) {
  json diff_ids = json::array();
  for (const auto& l : plain_layers) diff_ids.push_back(sha256_of(l).str());
  return {{"architecture", host_architecture()},
          {"os", "linux"},
          {"created", "2024-03-04T05:06:07Z"},
          {"config", runtime},
          {"rootfs", {{"type", "layers"}, {"diff_ids", diff_ids}}}};
}

class ImageLoad : public ::testing::Test {
 protected:
  std::vector<LoadedImage> load(const std::string& archive) {
    berth::UniqueFd fd = memfd_with(archive);
    return load_archive(m_store, fd.get(), "test.tar");
  }
  bool nothing_staged() { return fs::is_empty(m_dir / "root/tmp"); }

  TempDir m_dir;
  ImageStore m_store{m_dir / "root"};
  std::string m_base = make_tar({tar_file("bin/sh", "shell", 0755), tar_symlink("bin/ls", "sh")});
  std::string m_top = make_tar({tar_file("etc/motd", "hello\n")});
};

TEST_F(ImageLoad, LegacyDockerSave) {
  std::string config = config_for({m_base, m_top}).dump();
  std::string id = std::string(sha256_of(config).hex());
  std::string top_gz = make_tar({tar_file("etc/motd", "hello\n")}, TarCompression::Gzip);
  json manifest =
      json::array({{{"Config", id + ".json"},
                    {"RepoTags", {"busybox:test", "localhost:5000/x/y:1"}},
                    {"Layers", {"aaa/layer.tar", "bbb/layer.tar"}}},
                   {{"Config", id + ".json"}, {"RepoTags", nullptr}, {"Layers", {"ccc/layer.tar", "bbb/layer.tar"}}}});
  std::string archive = make_tar(
      {tar_dir("aaa"), tar_file("aaa/layer.tar", m_base), tar_file("aaa/VERSION", "1.0"),
       tar_file("bbb/layer.tar", top_gz), tar_symlink("ccc/layer.tar", "../aaa/layer.tar"),
       tar_file(id + ".json", config), tar_file("repositories", "{}"), tar_file("manifest.json", manifest.dump())},
      TarCompression::Gzip);
  std::vector<LoadedImage> loaded = load(archive);
  ASSERT_EQ(loaded.size(), 2u);
  ASSERT_EQ(loaded[0].names.size(), 2u);
  EXPECT_EQ(loaded[0].names[1].str(), "localhost:5000/x/y:1");
  EXPECT_EQ(loaded[0].id.hex(), id);
  EXPECT_TRUE(loaded[1].names.empty());

  auto r = m_store.resolve(parse_reference("busybox:test"));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->config_digest.hex(), id);
  ASSERT_EQ(r->layers.size(), 2u);
  EXPECT_EQ(r->layers[0].media_type, "application/vnd.oci.image.layer.v1.tar");
  EXPECT_EQ(r->layers[1].media_type, "application/vnd.oci.image.layer.v1.tar+gzip");
  EXPECT_EQ(r->layers[1].blob, sha256_of(top_gz));  // kept as received
  EXPECT_TRUE(m_store.has_blob(sha256_of(top_gz)));
  EXPECT_EQ(read_bytes(m_store.lower_dirs(*r)[0] + "/etc/motd"), "hello\n");
  EXPECT_EQ(fs::read_symlink(m_store.lower_dirs(*r)[1] + "/bin/ls"), "sh");
  EXPECT_EQ(r->runtime_config().cmd, std::vector<std::string>{"sh"});
  EXPECT_EQ(m_store.list().size(), 2u);  // busybox:test, localhost:5000/x/y:1; the unnamed one is the same manifest
  EXPECT_FALSE(m_store.has_blob(sha256_of("1.0")));  // files no manifest names are not kept
  EXPECT_TRUE(nothing_staged());
}

TEST_F(ImageLoad, Docker25SaveWithBlobPaths) {
  std::string config = config_for({m_base}).dump();
  json manifest =
      json::array({{{"Config", blob_path(config)}, {"RepoTags", {"app:2"}}, {"Layers", {blob_path(m_base)}}}});
  std::string archive =
      make_tar({tar_file("oci-layout", R"({"imageLayoutVersion":"1.0.0"})"),
                tar_file("index.json", R"({"schemaVersion":2,"manifests":[]})"), tar_file(blob_path(config), config),
                tar_file(blob_path(m_base), m_base), tar_file("manifest.json", manifest.dump())});
  auto loaded = load(archive);
  ASSERT_EQ(loaded.size(), 1u);
  auto r = m_store.resolve(parse_reference("app:2"));
  ASSERT_TRUE(r);
  EXPECT_EQ(read_bytes(m_store.lower_dirs(*r)[0] + "/bin/sh"), "shell");
}

TEST_F(ImageLoad, OciLayoutWithNestedIndex) {
  std::string top_zst = make_tar({tar_file("etc/motd", "hello\n")}, TarCompression::Zstd);
  std::string config = config_for({m_base, m_top}).dump();
  json manifest = {{"schemaVersion", 2},
                   {"mediaType", "application/vnd.oci.image.manifest.v1+json"},
                   {"config",
                    {{"mediaType", "application/vnd.oci.image.config.v1+json"},
                     {"digest", sha256_of(config).str()},
                     {"size", config.size()}}},
                   {"layers",
                    {{{"mediaType", "application/vnd.oci.image.layer.v1.tar"},
                      {"digest", sha256_of(m_base).str()},
                      {"size", m_base.size()}},
                     {{"mediaType", "application/vnd.oci.image.layer.v1.tar+zstd"},
                      {"digest", sha256_of(top_zst).str()},
                      {"size", top_zst.size()}}}}};
  std::string manifest_text = manifest.dump();
  json nested = {{"schemaVersion", 2},
                 {"mediaType", "application/vnd.oci.image.index.v1+json"},
                 {"manifests",
                  {{{"mediaType", "application/vnd.oci.image.manifest.v1+json"},
                    {"digest", sha256_of("absent arm64 manifest").str()},
                    {"size", 10},
                    {"platform", {{"os", "linux"}, {"architecture", "riscv-none"}}}},
                   {{"mediaType", "application/vnd.oci.image.manifest.v1+json"},
                    {"digest", sha256_of(manifest_text).str()},
                    {"size", manifest_text.size()},
                    {"platform", {{"os", "linux"}, {"architecture", host_architecture()}}}}}}};
  std::string nested_text = nested.dump();
  json index = {{"schemaVersion", 2},
                {"manifests",
                 {{{"mediaType", "application/vnd.oci.image.index.v1+json"},
                   {"digest", sha256_of(nested_text).str()},
                   {"size", nested_text.size()},
                   {"annotations", {{"org.opencontainers.image.ref.name", "localhost/oci/app:v1"}}}},
                  {{"mediaType", "application/vnd.oci.image.manifest.v1+json"},
                   {"digest", sha256_of(manifest_text).str()},
                   {"size", manifest_text.size()},
                   {"annotations", {{"org.opencontainers.image.ref.name", "latest"}}}}}}};
  std::vector<TarEntry> entries = {tar_file("oci-layout", R"({"imageLayoutVersion":"1.0.0"})"),
                                   tar_file("index.json", index.dump()),
                                   tar_file(blob_path(nested_text), nested_text),
                                   tar_file(blob_path(manifest_text), manifest_text),
                                   tar_file(blob_path(config), config),
                                   tar_file(blob_path(m_base), m_base),
                                   tar_file(blob_path(top_zst), top_zst)};
  auto loaded = load(make_tar(entries));
  ASSERT_EQ(loaded.size(), 2u);
  EXPECT_EQ(loaded[0].manifest, sha256_of(manifest_text));  // the layout's own manifest is kept
  ASSERT_EQ(loaded[0].names.size(), 1u);
  EXPECT_EQ(loaded[0].names[0].str(), "localhost/oci/app:v1");
  EXPECT_TRUE(loaded[1].names.empty());  // "latest" alone names no repository
  auto r = m_store.resolve(parse_reference("localhost/oci/app:v1"));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->layers[1].media_type, "application/vnd.oci.image.layer.v1.tar+zstd");
  EXPECT_EQ(read_bytes(m_store.lower_dirs(*r)[0] + "/etc/motd"), "hello\n");
  EXPECT_TRUE(nothing_staged());

  // A blob whose content does not match its name is refused.
  entries[5] = tar_file(blob_path(m_base), m_top);
  TempDir other;
  ImageStore fresh(other / "root");
  berth::UniqueFd fd = memfd_with(make_tar(entries));
  try {
    load_archive(fresh, fd.get(), "bad.tar");
    FAIL();
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("load bad.tar: `" + blob_path(m_base) + "` has the wrong content"),
              std::string::npos)
        << e.what();
  }
  EXPECT_TRUE(fresh.list().empty());
}

TEST_F(ImageLoad, RefusesBadArchivesWithoutLeavingAnything) {
  try {
    load(make_tar({tar_file("hello", "x")}));
    FAIL();
  } catch (const std::runtime_error& e) {
    EXPECT_STREQ(e.what(),
                 "load test.tar: neither manifest.json (docker save) nor index.json (OCI image layout) found");
  }
  std::string evil = make_tar({tar_file("../../evil", "x")});
  std::string config = config_for({evil}).dump();
  json manifest = json::array({{{"Config", "c.json"}, {"RepoTags", {"evil:1"}}, {"Layers", {"l/layer.tar"}}}});
  try {
    load(make_tar(
        {tar_file("l/layer.tar", evil), tar_file("c.json", config), tar_file("manifest.json", manifest.dump())}));
    FAIL();
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("load test.tar: unpack layer `l/layer.tar`: entry `../../evil`: path escapes"),
              std::string::npos)
        << e.what();
  }
  std::string wrong = config_for({m_top}).dump();  // diff id of another layer
  try {
    load(make_tar(
        {tar_file("l/layer.tar", m_base), tar_file("c.json", wrong), tar_file("manifest.json", manifest.dump())}));
    FAIL();
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("but the image config says"), std::string::npos) << e.what();
  }
  EXPECT_TRUE(m_store.list().empty());
  EXPECT_TRUE(fs::is_empty(m_dir / "root/layers"));
  EXPECT_TRUE(fs::is_empty(m_dir / "root/blobs/sha256"));
  EXPECT_TRUE(nothing_staged());
}

TEST_F(ImageLoad, ImportRootfsWithChanges) {
  std::string rootfs = make_tar({tar_dir("./"), tar_file("./bin/sh", "shell", 0755)});
  berth::UniqueFd fd = memfd_with(make_tar({tar_dir("./"), tar_file("./bin/sh", "shell", 0755)}, TarCompression::Gzip));
  ImportOptions o;
  o.name = parse_reference("imported:1");
  o.changes = {R"(CMD ["/bin/sh"])", "ENV A=1",   "WORKDIR /srv",      "EXPOSE 8080",
               "LABEL k=v",          "USER 1000", "STOPSIGNAL SIGINT", "ENTRYPOINT [\"/init\"]"};
  o.label = "rootfs.tgz";
  LoadedImage image = import_rootfs(m_store, fd.get(), o);
  auto r = m_store.resolve(parse_reference("imported:1"));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->config_digest, image.id);
  ImageConfig c = r->runtime_config();
  EXPECT_EQ(c.cmd, std::vector<std::string>{"/bin/sh"});
  EXPECT_EQ(c.entrypoint, std::vector<std::string>{"/init"});
  EXPECT_EQ(c.env, std::vector<std::string>{"A=1"});
  EXPECT_EQ(c.working_dir, "/srv");
  EXPECT_EQ(c.exposed_ports, std::vector<std::string>{"8080/tcp"});
  EXPECT_EQ(c.labels.at("k"), "v");
  EXPECT_EQ(c.user, "1000");
  EXPECT_EQ(c.stop_signal, "SIGINT");
  EXPECT_EQ(c.os, "linux");
  EXPECT_EQ(c.architecture, host_architecture());
  ASSERT_EQ(r->layers.size(), 1u);
  EXPECT_EQ(r->layers[0].diff_id, sha256_of(rootfs));
  EXPECT_EQ(r->layers[0].blob, sha256_of(rootfs));  // stored uncompressed: blob digest == diff id
  EXPECT_EQ(sha256_of(read_bytes(m_store.blob_path(r->layers[0].blob))), sha256_of(rootfs));
  EXPECT_EQ(r->config["history"][0]["comment"], "Imported from rootfs.tgz");
  EXPECT_EQ(read_bytes(m_store.lower_dirs(*r)[0] + "/bin/sh"), "shell");

  // No name: the image is kept without one. A bad --change writes nothing.
  berth::UniqueFd again = memfd_with(rootfs);
  LoadedImage unnamed = import_rootfs(m_store, again.get(), ImportOptions{{}, {}, "msg", "x"});
  EXPECT_TRUE(unnamed.names.empty());
  EXPECT_EQ(m_store.list().size(), 2u);
  size_t blobs = std::distance(fs::directory_iterator(m_dir / "root/blobs/sha256"), fs::directory_iterator());
  berth::UniqueFd third = memfd_with(rootfs);
  EXPECT_THROW(import_rootfs(m_store, third.get(), ImportOptions{{}, {"RUN rm -rf /"}, "", "x"}),
               std::invalid_argument);
  EXPECT_EQ(std::distance(fs::directory_iterator(m_dir / "root/blobs/sha256"), fs::directory_iterator()),
            static_cast<long>(blobs));
  EXPECT_TRUE(nothing_staged());
}

}  // namespace
