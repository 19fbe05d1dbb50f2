// The image store with a temporary root: blobs are verified and atomic, names resolve to
// records, removal untags and collects only what no other image uses, images.json is replaced
// atomically, the hints about a blob go with it, and the image config reads into typed values.
#include <gtest/gtest.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <sstream>

#include "common/atomic_file.hpp"
#include "compose/image/oci_image.hpp"
#include "compose/image/store.hpp"
#include "support/image_archive.hpp"

using namespace berth::image;
using namespace berth::test;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

/// Builds images in a store by hand: layer tars, a config and an OCI manifest.
class ImageStoreTest : public ::testing::Test {
 protected:
  /// Stores an image of the given layers (each a tar) and returns its manifest digest.
  Digest make_image(const std::vector<std::string>& layer_tars, const json& runtime = json::object(),
                    const std::string& created = "2024-01-02T03:04:05Z") {
    StoreLock lock = m_store.lock();
    json diff_ids = json::array(), layers = json::array();
    std::optional<Digest> parent;
    for (const auto& tar : layer_tars) {
      Digest blob = m_store.put_blob(tar);
      berth::UniqueFd fd = m_store.open_blob(blob);
      LayerInfo l = m_store.add_layer(lock, fd.get(), parent, std::nullopt, blob.str());
      parent = l.chain_id;
      diff_ids.push_back(l.diff_id.str());
      layers.push_back(
          {{"mediaType", "application/vnd.oci.image.layer.v1.tar"}, {"digest", blob.str()}, {"size", tar.size()}});
    }
    json config = {{"architecture", "amd64"},
                   {"os", "linux"},
                   {"created", created},
                   {"config", runtime},
                   {"rootfs", {{"type", "layers"}, {"diff_ids", diff_ids}}}};
    return put_oci_image(m_store, config, layers).manifest;
  }
  void tag(const std::string& name, const Digest& manifest) {
    StoreLock lock = m_store.lock();
    m_store.tag(lock, parse_reference(name), manifest);
  }
  size_t count(const std::string& sub) {
    size_t n = 0;
    for ([[maybe_unused]] const auto& e : fs::directory_iterator(m_dir / sub)) ++n;
    return n;
  }

  TempDir m_dir;
  ImageStore m_store{m_dir / "root"};
  const std::string m_base = make_tar({tar_file("bin/sh", "shell", 0755), tar_file("etc/os-release", "ID=test\n")});
};

TEST_F(ImageStoreTest, BlobsAreVerifiedAndAtomic) {
  Digest d = m_store.put_blob(std::string_view("hello"));
  EXPECT_EQ(d, sha256_of("hello"));
  EXPECT_TRUE(m_store.has_blob(d));
  EXPECT_EQ(m_store.read_blob(d), "hello");
  EXPECT_EQ(m_store.blob_path(d), m_dir / "root/blobs/sha256/" + std::string(d.hex()));
  std::istringstream in("streamed");
  EXPECT_EQ(m_store.put_blob(in, sha256_of("streamed")), sha256_of("streamed"));
  EXPECT_THROW(m_store.put_blob(std::string_view("other"), sha256_of("hello")), std::runtime_error);
  EXPECT_THROW(m_store.put_blob(std::string_view("other"), sha256_of("not stored")), std::runtime_error);
  EXPECT_FALSE(m_store.has_blob(sha256_of("other")));
  {
    BlobWriter w = m_store.begin_blob();
    w.write("abandoned");
  }  // dropped without commit
  EXPECT_EQ(count("root/tmp"), 0u);
  EXPECT_THROW(m_store.read_blob(sha256_of("absent")), std::runtime_error);
  // A corrupted blob is caught when read.
  berth::write_file_atomic(m_store.blob_path(d), "tampered");
  EXPECT_THROW(m_store.read_blob(d), std::runtime_error);
}

TEST_F(ImageStoreTest, TagResolveAndList) {
  std::string top = make_tar({tar_file("app", "binary")});
  Digest m = make_image({m_base, top}, {{"Cmd", {"/app"}}, {"Env", {"PATH=/bin"}}});
  tag("example/app:1", m);
  tag("example/app", m);

  auto r = m_store.resolve(parse_reference("docker.io/example/app:1"));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->manifest_digest, m);
  ASSERT_EQ(r->layers.size(), 2u);
  EXPECT_EQ(r->layers[0].diff_id, sha256_of(m_base));
  EXPECT_EQ(r->layers[0].chain_id, sha256_of(m_base));
  EXPECT_EQ(r->layers[1].chain_id, sha256_of(sha256_of(m_base).str() + " " + sha256_of(top).str()));
  ASSERT_EQ(r->names.size(), 2u);
  EXPECT_EQ(r->names[0].familiar(), "example/app:1");
  EXPECT_EQ(r->size, 5u + 8u + 6u);
  EXPECT_EQ(r->runtime_config().cmd, std::vector<std::string>{"/app"});

  std::vector<std::string> lower = m_store.lower_dirs(*r);
  ASSERT_EQ(lower.size(), 2u);
  EXPECT_EQ(lower[0], m_store.layer_dir(r->layers[1].chain_id));  // topmost first
  EXPECT_EQ(lower[1], m_store.layer_dir(r->layers[0].chain_id));
  EXPECT_EQ(berth::test::read_bytes(lower[0] + "/app"), "binary");

  auto rows = m_store.list();
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].config_digest, r->config_digest);
  EXPECT_EQ(rows[0].created, "2024-01-02T03:04:05Z");
  EXPECT_FALSE(m_store.resolve(parse_reference("example/app:2")));

  // By id: full, prefix, and a name that is not there.
  EXPECT_EQ(m_store.find(r->config_digest.str())->manifest_digest, m);
  EXPECT_EQ(m_store.find(r->config_digest.short_hex())->manifest_digest, m);
  EXPECT_EQ(m_store.find("example/app:1")->manifest_digest, m);
  EXPECT_FALSE(m_store.find("nothing"));
}

TEST_F(ImageStoreTest, TagRefusesMissingLayersAndRetaggingLeavesADanglingImage) {
  Digest a = make_image({m_base}, json::object(), "2024-01-01T00:00:00Z");
  Digest b = make_image({m_base, make_tar({tar_file("b", "b")})}, json::object(), "2024-02-01T00:00:00Z");
  tag("x:1", a);
  tag("x:1", b);
  auto rows = m_store.list();
  ASSERT_EQ(rows.size(), 2u);
  bool dangling_a = false;
  for (const auto& row : rows) dangling_a |= !row.name && row.manifest_digest == a;
  EXPECT_TRUE(dangling_a);
  tag("x:old", a);  // naming it again removes the dangling row
  EXPECT_EQ(m_store.list().size(), 2u);

  json manifest = json::parse(m_store.read_blob(b));
  manifest["layers"][0]["digest"] = sha256_of("zzz").str();
  json config = json::parse(m_store.read_blob(manifest_config_digest(manifest)));
  config["rootfs"]["diff_ids"][0] = sha256_of("zzz").str();
  manifest["config"]["digest"] = m_store.put_blob(config.dump()).str();
  Digest broken = m_store.put_blob(manifest.dump());
  StoreLock lock = m_store.lock();
  EXPECT_THROW(m_store.tag(lock, parse_reference("x:broken"), broken), std::runtime_error);
}

TEST_F(ImageStoreTest, RemoveUntagsThenCollectsWhatNoOtherImageUses) {
  std::string top_a = make_tar({tar_file("a", "a")}), top_b = make_tar({tar_file("b", "b")});
  Digest a = make_image({m_base, top_a});
  Digest b = make_image({m_base, top_b});
  tag("a:1", a);
  tag("a:2", a);
  tag("b:1", b);
  ImageRecord ra = *m_store.resolve(parse_reference("a:1"));
  ImageRecord rb = *m_store.resolve(parse_reference("b:1"));
  EXPECT_EQ(count("root/layers"), 3u);  // the base layer is shared

  StoreLock lock = m_store.lock();
  auto first = m_store.remove(lock, parse_reference("a:1"));
  ASSERT_TRUE(first);
  EXPECT_EQ(first->untagged, std::vector<std::string>{"a:1"});
  EXPECT_TRUE(first->deleted.empty());
  EXPECT_TRUE(m_store.has_blob(a));

  auto second = m_store.remove(lock, parse_reference("a:2"));
  ASSERT_TRUE(second);
  ASSERT_EQ(second->deleted.size(), 2u);  // the image id and its own top layer
  EXPECT_EQ(second->deleted[0], ra.config_digest);
  EXPECT_EQ(second->deleted[1], ra.layers[1].chain_id);
  EXPECT_FALSE(m_store.has_blob(a));
  EXPECT_FALSE(m_store.has_blob(ra.config_digest));
  EXPECT_FALSE(m_store.has_blob(ra.layers[1].blob));
  EXPECT_FALSE(m_store.has_layer(ra.layers[1].chain_id));
  EXPECT_TRUE(m_store.has_layer(ra.layers[0].chain_id));  // b still uses it
  EXPECT_TRUE(m_store.has_blob(ra.layers[0].blob));
  EXPECT_EQ(count("root/layers"), 2u);
  EXPECT_FALSE(m_store.remove(lock, parse_reference("a:2")));

  RemoveResult last = m_store.remove_image(lock, rb.manifest_digest);
  EXPECT_EQ(last.untagged, std::vector<std::string>{"b:1"});
  EXPECT_EQ(last.deleted.size(), 3u);
  EXPECT_EQ(count("root/layers"), 0u);
  EXPECT_EQ(count("root/blobs/sha256"), 0u);
  EXPECT_EQ(count("root/tmp"), 0u);
  EXPECT_TRUE(m_store.list().empty());
}

TEST_F(ImageStoreTest, ABlobsHintsGoWithTheBlob) {
  // The hints compose/registry writes (store.hpp): blob-sources/<hex> and push-gzip/<diff id hex>
  // naming the gzip form, whose own blob-sources record goes too unless it is a stored blob.
  auto hint = [&](std::string_view dir, const Digest& d) {
    return m_dir / ("root/" + std::string(dir) + "/" + std::string(d.hex()));
  };
  auto note = [&](std::string_view dir, const Digest& d, const std::string& text) { write_bytes(hint(dir, d), text); };
  std::string top_a = make_tar({tar_file("a", "a")}), top_b = make_tar({tar_file("b", "b")});
  Digest a = make_image({m_base, top_a});
  Digest b = make_image({m_base, top_b});
  tag("a:1", a);
  tag("b:1", b);
  ImageRecord ra = *m_store.resolve(parse_reference("a:1"));
  const Digest own = ra.layers[1].blob, shared = ra.layers[0].blob;
  const Digest gzip_of_own = sha256_of("gzip of a's top layer");
  for (const Digest& d : {own, shared, ra.config_digest, gzip_of_own})
    note(kBlobSourcesDir, d, "127.0.0.1:5000/test/a\n");
  note(kPushGzipDir, own, gzip_of_own.str() + " 99\n");
  note(kPushGzipDir, shared, sha256_of("gzip of the base").str() + " 98\n");

  StoreLock lock = m_store.lock();
  ASSERT_TRUE(m_store.remove(lock, parse_reference("a:1")));
  EXPECT_FALSE(fs::exists(hint(kBlobSourcesDir, own)));
  EXPECT_FALSE(fs::exists(hint(kPushGzipDir, own)));
  EXPECT_FALSE(fs::exists(hint(kBlobSourcesDir, gzip_of_own))) << "the gzip form's sources outlived it";
  EXPECT_FALSE(fs::exists(hint(kBlobSourcesDir, ra.config_digest)));
  EXPECT_TRUE(fs::exists(hint(kBlobSourcesDir, shared))) << "b still uses the base layer";
  EXPECT_TRUE(fs::exists(hint(kPushGzipDir, shared)));

  // remove_unused (builder prune) too; a gzip form that is itself a stored blob keeps its sources.
  const Digest orphan = m_store.put_blob(std::string_view("an intermediate layer"));
  const Digest stored_gzip = m_store.put_blob(std::string_view("its gzip form, pulled"));
  note(kBlobSourcesDir, orphan, "127.0.0.1:5000/test/c\n");
  note(kBlobSourcesDir, stored_gzip, "127.0.0.1:5000/test/c\n");
  note(kPushGzipDir, orphan, stored_gzip.str() + " 21\n");
  m_store.remove_unused(lock, {}, {orphan, shared});
  EXPECT_FALSE(fs::exists(hint(kBlobSourcesDir, orphan)));
  EXPECT_FALSE(fs::exists(hint(kPushGzipDir, orphan)));
  EXPECT_TRUE(fs::exists(hint(kBlobSourcesDir, stored_gzip)));
  EXPECT_TRUE(fs::exists(hint(kBlobSourcesDir, shared))) << "a used blob is not removed, nor its hints";

  m_store.remove_image(lock, b);
  EXPECT_FALSE(fs::exists(hint(kBlobSourcesDir, shared)));
  EXPECT_FALSE(fs::exists(hint(kPushGzipDir, shared)));
}

TEST_F(ImageStoreTest, HintsOfBlobsDeletedEarlierAreSweptByTheNextRemoval) {
  // Hints left behind by an older Berth (which deleted blobs without them) or by a crash between a
  // blob and its hints: the next removal sweeps every hint whose blob is gone, and only those.
  auto hint = [&](std::string_view dir, const Digest& d) {
    return m_dir / ("root/" + std::string(dir) + "/" + std::string(d.hex()));
  };
  Digest a = make_image({m_base, make_tar({tar_file("a", "a")})});
  Digest b = make_image({m_base});
  tag("a:1", a);
  tag("b:1", b);
  const Digest base = m_store.resolve(parse_reference("b:1"))->layers[0].blob;
  const Digest gone = sha256_of("a blob deleted long ago"), gone_gzip = sha256_of("its gzip form");
  const Digest base_gzip = sha256_of("the base layer's gzip form, kept");
  write_bytes(hint(kBlobSourcesDir, gone), "127.0.0.1:5000/old\n");
  write_bytes(hint(kPushGzipDir, gone), gone_gzip.str() + " 7\n");
  write_bytes(hint(kBlobSourcesDir, gone_gzip), "127.0.0.1:5000/old\n");
  write_bytes(hint(kPushGzipDir, base), base_gzip.str() + " 9\n");
  write_bytes(hint(kBlobSourcesDir, base_gzip), "127.0.0.1:5000/b\n");
  write_bytes(hint(kBlobSourcesDir, base), "127.0.0.1:5000/b\n");

  StoreLock lock = m_store.lock();
  ASSERT_TRUE(m_store.remove(lock, parse_reference("a:1")));
  EXPECT_FALSE(fs::exists(hint(kBlobSourcesDir, gone)));
  EXPECT_FALSE(fs::exists(hint(kPushGzipDir, gone)));
  EXPECT_FALSE(fs::exists(hint(kBlobSourcesDir, gone_gzip)));
  EXPECT_TRUE(fs::exists(hint(kPushGzipDir, base))) << "b still holds the base layer";
  EXPECT_TRUE(fs::exists(hint(kBlobSourcesDir, base_gzip))) << "the gzip form of a kept blob";
  EXPECT_TRUE(fs::exists(hint(kBlobSourcesDir, base)));
}

TEST_F(ImageStoreTest, RemovalsKeepWhatALiveClaimNamesAndSweepDeadClaims) {
  // A pull claims the blobs and layers it relies on before it looks whether they are stored; a
  // removal in the meantime (another pull's failure cleanup) must keep them.
  const Digest relied_on = m_store.put_blob(std::string_view("a layer another pull found here"));
  const Digest unclaimed = m_store.put_blob(std::string_view("a layer nobody relies on"));
  StoreLock lock = m_store.lock();
  {
    StoreClaim claim = m_store.claim();
    claim.add({relied_on});
    m_store.remove_unused(lock, {}, {relied_on, unclaimed});
    EXPECT_TRUE(m_store.has_blob(relied_on)) << "a live claim's blob was deleted";
    EXPECT_FALSE(m_store.has_blob(unclaimed));
  }
  // The claim ended: its file is gone and the blob is fair game.
  EXPECT_TRUE(fs::is_empty(m_dir / "root/claims"));
  m_store.remove_unused(lock, {}, {relied_on});
  EXPECT_FALSE(m_store.has_blob(relied_on));

  // A claim file nobody holds (its process was killed) protects nothing and is swept.
  const Digest again = m_store.put_blob(std::string_view("a layer a killed pull claimed"));
  write_bytes(m_dir / "root/claims/4242-dead00", again.str() + "\n");
  m_store.remove_unused(lock, {}, {again});
  EXPECT_FALSE(m_store.has_blob(again));
  EXPECT_FALSE(fs::exists(m_dir / "root/claims/4242-dead00"));
}

TEST_F(ImageStoreTest, ImagesJsonIsReplacedAtomically) {
  Digest m = make_image({m_base});
  tag("one", m);
  std::string path = m_dir / "root/images.json";
  struct stat before {};
  ASSERT_EQ(::stat(path.c_str(), &before), 0);
  tag("two", m);
  struct stat after {};
  ASSERT_EQ(::stat(path.c_str(), &after), 0);
  EXPECT_NE(before.st_ino, after.st_ino);  // a new file renamed over the old one, never rewritten in place
  json index = json::parse(berth::test::read_bytes(path));
  EXPECT_EQ(index["images"].size(), 2u);
  EXPECT_EQ(index["images"]["docker.io/library/one:latest"]["manifest"], m.str());
  for (const auto& e : fs::directory_iterator(m_dir / "root"))
    EXPECT_EQ(e.path().filename().string().find(".tmp"), std::string::npos) << e.path();
  berth::write_file_atomic(path, "{not json");
  EXPECT_THROW(m_store.list(), std::runtime_error);
}

TEST_F(ImageStoreTest, ConcurrentWritersSerialiseOnTheLock) {
  Digest m = make_image({m_base});
  std::vector<pid_t> kids;
  for (int i = 0; i < 4; ++i) {
    pid_t pid = ::fork();
    if (pid == 0) {
      ImageStore store(m_dir / "root");
      for (int j = 0; j < 10; ++j) {
        StoreLock lock = store.lock();
        store.tag(lock, parse_reference('p' + std::to_string(i) + ':' + std::to_string(j)), m);
      }
      ::_exit(0);
    }
    kids.push_back(pid);
  }
  for (pid_t pid : kids) {
    int status = 0;
    ::waitpid(pid, &status, 0);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  }
  EXPECT_EQ(m_store.list().size(), 40u);  // no update lost
}

TEST_F(ImageStoreTest, TheLockSweepsWhatCrashedWritersLeft) {
  { StoreLock lock = m_store.lock(); }
  fs::create_directories(m_dir / "root/tmp/trash-abc/layer/diff");
  write_bytes(m_dir / "root/tmp/blob-old", "x");
  fs::last_write_time(m_dir / "root/tmp/blob-old", fs::file_time_type::clock::now() - std::chrono::hours(25));
  write_bytes(m_dir / "root/tmp/blob-young", "y");  // may be a download in progress
  { StoreLock lock = m_store.lock(); }
  EXPECT_FALSE(fs::exists(m_dir / "root/tmp/trash-abc"));
  EXPECT_FALSE(fs::exists(m_dir / "root/tmp/blob-old"));
  EXPECT_TRUE(fs::exists(m_dir / "root/tmp/blob-young"));
}

// A killed writer's staging dir (its owner.lock free) goes at the next lock, with what it held;
// a live one's (another store, still writing) stays, and so does a young dir not yet locked
// while its maker lives; one whose maker died before locking it (named stage-<pid>-...) goes.
TEST_F(ImageStoreTest, TheLockSweepsTheStagingOfDeadWritersOnly) {
  { StoreLock lock = m_store.lock(); }
  fs::create_directories(m_dir / "root/tmp/stage-dead/layer-x/diff");
  write_bytes(m_dir / "root/tmp/stage-dead/owner.lock", "");
  write_bytes(m_dir / "root/tmp/stage-dead/blob-y", "half a blob");
  fs::create_directories(m_dir / "root/tmp/stage-new");  // mkdtemp done, lock file not yet made
  const std::string mine = "stage-" + std::to_string(::getpid()) + "-abcdef";
  fs::create_directories(m_dir / ("root/tmp/" + mine));  // the same, by a live process
  const pid_t child = ::fork();
  if (child == 0) ::_exit(0);
  ASSERT_EQ(::waitpid(child, nullptr, 0), child);
  const std::string orphan = "stage-" + std::to_string(child) + "-abcdef";
  fs::create_directories(m_dir / ("root/tmp/" + orphan));  // its maker killed between mkdtemp and lock
  ImageStore other(m_store.root());
  BlobWriter live = other.begin_blob();
  live.write("being written");
  const std::string live_dir = fs::path(live.path()).parent_path();
  { StoreLock lock = m_store.lock(); }
  EXPECT_FALSE(fs::exists(m_dir / "root/tmp/stage-dead"));
  EXPECT_TRUE(fs::exists(m_dir / "root/tmp/stage-new"));
  EXPECT_TRUE(fs::exists(m_dir / ("root/tmp/" + mine)));
  EXPECT_FALSE(fs::exists(m_dir / ("root/tmp/" + orphan)));
  EXPECT_TRUE(fs::exists(live.path()));
  EXPECT_EQ(live.commit(), sha256_of("being written"));
  live = other.begin_blob();  // the committed writer is dropped; the new one keeps the staging
  EXPECT_TRUE(fs::exists(live_dir));
}

// A staged layer is in no layers/ until installed; dropped uninstalled, nothing of it is left.
TEST_F(ImageStoreTest, AStagedLayerAppearsOnlyWhenInstalled) {
  const std::string tar = make_tar({tar_file("f", "1")});
  const Digest chain = sha256_of(tar);
  std::string staged_dir;
  {
    ImageStore store(m_store.root());
    int fds[2];
    ASSERT_EQ(::pipe(fds), 0);
    ASSERT_EQ(::write(fds[1], tar.data(), tar.size()), static_cast<ssize_t>(tar.size()));
    ::close(fds[1]);
    StagedLayer layer = store.stage_layer(fds[0], std::nullopt, chain, "t");
    ::close(fds[0]);
    EXPECT_EQ(layer.info().chain_id, chain);
    EXPECT_FALSE(store.has_layer(chain));
    for (const auto& e : fs::directory_iterator(m_dir / "root/tmp")) staged_dir = e.path();
    EXPECT_FALSE(staged_dir.empty());
  }
  EXPECT_FALSE(m_store.has_layer(chain));
  EXPECT_FALSE(fs::exists(staged_dir)) << "the staging dir outlived its store";

  ImageStore store(m_store.root());
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  ASSERT_EQ(::write(fds[1], tar.data(), tar.size()), static_cast<ssize_t>(tar.size()));
  ::close(fds[1]);
  StagedLayer layer = store.stage_layer(fds[0], std::nullopt, chain, "t");
  ::close(fds[0]);
  StoreLock lock = store.lock();
  store.install(lock, layer);
  EXPECT_TRUE(m_store.has_layer(chain));
  EXPECT_TRUE(fs::exists(m_store.layer_dir(chain) + "/f"));
}

TEST_F(ImageStoreTest, ImageConfigAccessors) {
  json blob = {{"os", "linux"},
               {"architecture", "amd64"},
               {"config",
                {{"Env", {"PATH=/usr/bin", "A=b"}},
                 {"Cmd", nullptr},
                 {"Entrypoint", {"/init", "--"}},
                 {"WorkingDir", "/srv"},
                 {"User", "1000:1000"},
                 {"ExposedPorts", {{"80/tcp", json::object()}, {"53/udp", json::object()}}},
                 {"Volumes", {{"/data", json::object()}}},
                 {"Labels", {{"a", "1"}}},
                 {"StopSignal", "SIGQUIT"},
                 {"Healthcheck", {{"Test", {"CMD-SHELL", "true"}}, {"Interval", 30000000000}, {"Retries", 3}}}}}};
  ImageConfig c = parse_image_config(blob);
  EXPECT_EQ(c.env, (std::vector<std::string>{"PATH=/usr/bin", "A=b"}));
  EXPECT_TRUE(c.cmd.empty());
  EXPECT_EQ(c.entrypoint, (std::vector<std::string>{"/init", "--"}));
  EXPECT_EQ(c.working_dir, "/srv");
  EXPECT_EQ(c.user, "1000:1000");
  EXPECT_EQ(c.exposed_ports, (std::vector<std::string>{"53/udp", "80/tcp"}));
  EXPECT_EQ(c.volumes, std::vector<std::string>{"/data"});
  EXPECT_EQ(c.labels.at("a"), "1");
  EXPECT_EQ(c.stop_signal, "SIGQUIT");
  ASSERT_TRUE(c.healthcheck);
  EXPECT_EQ(c.healthcheck->interval, std::chrono::seconds(30));
  EXPECT_EQ(c.healthcheck->retries, 3);
  EXPECT_EQ(c.os, "linux");
  blob["config"]["Env"] = "PATH=/bin";
  try {
    parse_image_config(blob);
    FAIL();
  } catch (const std::runtime_error& e) {
    EXPECT_STREQ(e.what(), "image config: config.Env: expected an array of strings");
  }
}

}  // namespace
