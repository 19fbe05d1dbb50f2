// `berth pull`, `image pull` and `up` against a real registry (docker-registry on 127.0.0.1):
// what lands in the store, docker's messages for what is missing, refused credentials, a
// tampered blob, a resumed download, two pulls at once, and login/logout.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "registry_fixture.hpp"
#include "support/files.hpp"
#include "support/text.hpp"
#include "throttle_proxy.hpp"

namespace berth::test {

namespace {

namespace fs = std::filesystem;

using berth::test::contains;

class RegistryPull : public RegistryFixture {};

}  // namespace

TEST_F(RegistryPull, ImagePullByTagThenByDigestAndNothingTwice) {
  auto reg = start();
  const std::string digest = reg->push_image("test/bb:1");
  auto r = berth({"image", "pull", reg->host() + "/test/bb:1"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "1: Pulling from " + reg->host() + "/test/bb")) << r.out;
  EXPECT_TRUE(contains(r.out, "Pull complete")) << r.out;
  EXPECT_TRUE(contains(r.out, "Digest: " + digest)) << r.out;
  EXPECT_TRUE(contains(r.out, "Status: Downloaded newer image for " + reg->host() + "/test/bb:1")) << r.out;
  auto again = berth({"image", "pull", reg->host() + "/test/bb:1"});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_TRUE(contains(again.out, "Already exists")) << again.out;
  EXPECT_TRUE(contains(again.out, "Status: Image is up to date for")) << again.out;
  auto by_digest = berth({"image", "pull", reg->host() + "/test/bb@" + digest});
  ASSERT_EQ(by_digest.exit_code, 0) << by_digest.err;
  auto ls = berth({"image", "ls", "--format", "json"});
  EXPECT_TRUE(contains(ls.out, reg->host() + "/test/bb")) << ls.out;
  // Layer blobs were fetched once: the second pull asked for the manifest only.
  const std::string log = reg->log();
  size_t blob_gets = 0;
  for (size_t at = 0; (at = log.find("\"GET /v2/test/bb/blobs/", at)) != std::string::npos; ++at) ++blob_gets;
  EXPECT_EQ(blob_gets, 2u) << log;  // the config and the one layer
}

TEST_F(RegistryPull, UpPullsWhatIsMissingAndRunsIt) {
  auto reg = start();
  reg->push_image("app/web:2");
  write_compose("services:\n  web:\n    image: " + reg->host() +
                "/app/web:2\n    network_mode: none\n"
                "    command: [\"/bin/busybox\", \"sleep\", \"300\"]\n");
  auto up = berth({"up", "-d"});
  ASSERT_EQ(up.exit_code, 0) << up.err;
  EXPECT_TRUE(std::regex_search(up.err, std::regex(R"(web +Pulling)"))) << up.err;
  EXPECT_TRUE(std::regex_search(up.err, std::regex(R"(web +Pulled)"))) << up.err;
  auto ps = berth({"ps", "--format", "json"});
  EXPECT_TRUE(contains(ps.out, "\"State\":\"running\"")) << ps.out;
  // Present now: a second up pulls nothing.
  auto again = berth({"up", "-d"});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_FALSE(contains(again.err, "Pulling")) << again.err;
}

TEST_F(RegistryPull, CreateQuietPullPrintsNoPullAndParallelOnePullsOneAtATime) {
  auto reg = start();
  reg->push_image("app/first:1");
  reg->push_image("app/second:1");
  write_compose("services:\n  first:\n    image: " + reg->host() +
                "/app/first:1\n    network_mode: none\n    command: [\"/bin/busybox\", \"sleep\", \"300\"]\n"
                "  second:\n    image: " +
                reg->host() +
                "/app/second:1\n    network_mode: none\n    command: [\"/bin/busybox\", \"sleep\", \"300\"]\n");
  auto create = berth({"create", "--quiet-pull", "first"});
  ASSERT_EQ(create.exit_code, 0) << create.err;
  EXPECT_FALSE(contains(create.err, "Pull")) << "--quiet-pull: " << create.err;
  auto ls = berth({"image", "ls", "--format", "json"});
  EXPECT_TRUE(contains(ls.out, reg->host() + "/app/first")) << ls.out;

  // --parallel 1: each pull ends before the next begins (docker compose's errgroup limit)
  auto pull = berth({"--parallel", "1", "pull"});
  ASSERT_EQ(pull.exit_code, 0) << pull.err;
  std::vector<std::string> seen;  // "first Pulling", "first Pulled", ...
  std::stringstream lines(pull.err);
  const std::regex step(R"((first|second) +(Pulling|Pulled)\s*$)");
  for (std::string line; std::getline(lines, line);)
    if (std::smatch m; std::regex_search(line, m, step)) seen.push_back(m[1].str() + " " + m[2].str());
  ASSERT_EQ(seen.size(), 4u) << pull.err;
  EXPECT_EQ(seen[0].substr(seen[0].find(' ')), " Pulling") << pull.err;
  EXPECT_EQ(seen[1], seen[0].substr(0, seen[0].find(' ')) + " Pulled") << pull.err;
  EXPECT_EQ(seen[2].substr(seen[2].find(' ')), " Pulling") << pull.err;
  EXPECT_EQ(seen[3], seen[2].substr(0, seen[2].find(' ')) + " Pulled") << pull.err;
}

TEST_F(RegistryPull, MissingRepositoryTagAndRegistryAreDockersErrorsAndCreateNothing) {
  auto reg = start();
  reg->push_image("test/bb:1");
  // distribution answers MANIFEST_UNKNOWN for a repository it does not have, and docker then
  // says what it says for a missing tag (Docker Hub's 401 gives "pull access denied", tested
  // with an authenticating registry below).
  auto no_repo = berth({"image", "pull", reg->host() + "/test/nosuch:1"});
  EXPECT_EQ(no_repo.exit_code, 1);
  EXPECT_TRUE(contains(no_repo.err, "manifest for " + reg->host() + "/test/nosuch:1 not found: manifest unknown"))
      << no_repo.err;
  auto no_tag = berth({"image", "pull", reg->host() + "/test/bb:2"});
  EXPECT_EQ(no_tag.exit_code, 1);
  EXPECT_TRUE(contains(no_tag.err, "manifest for " + reg->host() + "/test/bb:2 not found: manifest unknown"))
      << no_tag.err;

  // A registry that is not there: `up` fails before creating anything.
  write_compose("services:\n  web:\n    image: 127.0.0.1:9/app/web:1\n    network_mode: none\n");
  auto up = berth({"up", "-d"});
  EXPECT_EQ(up.exit_code, 1);
  EXPECT_TRUE(contains(up.err, "127.0.0.1:9")) << up.err;
  EXPECT_TRUE(container_ids().empty());
  auto ls = berth({"image", "ls", "-q"});
  EXPECT_TRUE(ls.out.find_first_not_of(" \n") == std::string::npos || ls.out.find('\n') == ls.out.rfind('\n'))
      << ls.out;
}

TEST_F(RegistryPull, TamperedAndTruncatedBlobsAreRefusedAndNothingIsStored) {
  auto reg = start();
  reg->push_image("test/big:1", 2);
  // The second layer's stored bytes: flip one byte in the middle (same size).
  std::string layers = berth({"image", "ls"}).out;  // (store is empty: nothing pulled yet)
  std::string manifest;
  {
    auto m = run_command({"/usr/bin/curl", "-s", "-H", "Accept: application/vnd.oci.image.manifest.v1+json",
                          "http://" + reg->host() + "/v2/test/big/manifests/1"},
                         "/", {});
    manifest = m.out;
  }
  auto last = manifest.rfind("sha256:");
  const std::string blob = manifest.substr(last, 71);
  const std::string data = reg->blob_data_path(blob);
  flip_byte(data, 1000);
  auto r = berth({"image", "pull", reg->host() + "/test/big:1"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(contains(r.err, "blob " + blob)) << r.err;
  EXPECT_TRUE(contains(r.err, "digest mismatch")) << r.err;
  EXPECT_FALSE(fs::exists(root() + "/blobs/sha256/" + blob.substr(7)));
  EXPECT_FALSE(fs::exists(root() + "/partial/" + blob.substr(7)));
  EXPECT_FALSE(contains(berth({"image", "ls"}).out, "test/big"));

  // Truncated: the registry serves fewer bytes than the manifest says.
  fs::resize_file(data, fs::file_size(data) / 2);
  auto t = berth({"image", "pull", reg->host() + "/test/big:1"});
  EXPECT_EQ(t.exit_code, 1);
  EXPECT_TRUE(contains(t.err, "blob " + blob)) << t.err;
  EXPECT_TRUE(contains(t.err, "truncated")) << t.err;
  EXPECT_FALSE(fs::exists(root() + "/blobs/sha256/" + blob.substr(7)));
  EXPECT_FALSE(fs::exists(root() + "/partial/" + blob.substr(7)));
  EXPECT_FALSE(contains(berth({"image", "ls"}).out, "test/big"));
}

TEST_F(RegistryPull, AnInterruptedDownloadResumesWithARangeRequest) {
  auto reg = start();
  reg->push_image("test/big:1", 8);
  auto m = run_command({"/usr/bin/curl", "-s", "-H", "Accept: application/vnd.oci.image.manifest.v1+json",
                        "http://" + reg->host() + "/v2/test/big/manifests/1"},
                       "/", {});
  const std::string blob = m.out.substr(m.out.rfind("sha256:"), 71);
  // What a crash leaves: the first 3 MiB in the partial file.
  const std::string data = reg->blob_data_path(blob);
  fs::create_directories(root() + "/partial");
  {
    std::ifstream in(data, std::ios::binary);
    std::string head(3 << 20, '\0');
    in.read(head.data(), static_cast<std::streamsize>(head.size()));
    std::ofstream(root() + "/partial/" + blob.substr(7), std::ios::binary) << head;
  }
  auto r = berth({"image", "pull", reg->host() + "/test/big:1"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(contains(reg->log(), "\"GET /v2/test/big/blobs/" + blob + " HTTP/1.1\" 206")) << reg->log();
  EXPECT_FALSE(fs::exists(root() + "/partial/" + blob.substr(7)));
  EXPECT_TRUE(fs::exists(root() + "/blobs/sha256/" + blob.substr(7)));
}

TEST_F(RegistryPull, KillNineMidDownloadLeavesNothingStoredAndTheNextPullResumes) {
  auto reg = start();
  reg->push_image("test/big:1", 16);
  ThrottleProxy slow(reg->host(), 2 << 20);  // 2 MiB/s: the 16 MiB layer takes 8 s
  const std::string ref = slow.host() + "/test/big:1";
  const pid_t pid = ::fork();
  if (pid == 0) {
    int null = ::open("/dev/null", O_WRONLY | O_CLOEXEC);
    ::dup2(null, 1);
    ::dup2(null, 2);
    std::vector<std::string> env_strings;
    for (const auto& [k, v] : berth_env()) env_strings.push_back(k + "=" + v);
    std::vector<char*> envp;
    for (auto& e : env_strings) envp.push_back(e.data());
    envp.push_back(nullptr);
    ::execle(BERTH_BINARY, BERTH_BINARY, "--root", root().c_str(), "--progress", "plain", "image", "pull", ref.c_str(),
             nullptr, envp.data());
    ::_exit(127);
  }
  ASSERT_GT(pid, 0);
  // Killed once the big layer's partial file holds 3 MiB (the busybox layer is smaller).
  std::string partial;
  for (int i = 0; i < 400 && partial.empty(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    if (fs::exists(root() + "/partial"))
      for (const auto& e : fs::directory_iterator(root() + "/partial"))
        if (e.is_regular_file() && e.file_size() >= (3u << 20)) partial = e.path();
  }
  ::kill(pid, SIGKILL);
  ::waitpid(pid, nullptr, 0);
  ASSERT_FALSE(partial.empty()) << "no partial download reached 3 MiB in 20 s";
  const std::string blob = "sha256:" + fs::path(partial).filename().string();
  EXPECT_FALSE(fs::exists(root() + "/blobs/sha256/" + blob.substr(7))) << "an unverified blob entered the store";
  EXPECT_FALSE(contains(berth({"image", "ls"}).out, "test/big"));

  const auto kept = fs::file_size(partial);
  slow.set_rate(0);
  auto r = berth({"image", "pull", ref});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // The re-pull asked for the rest only: kept + what the 206 answer sent ≤ 1.1 × the blob.
  const std::string log = reg->log();
  std::smatch m;
  ASSERT_TRUE(std::regex_search(log, m, std::regex("\"GET /v2/test/big/blobs/" + blob + " HTTP/1.1\" 206 ([0-9]+)")))
      << log;
  const auto blob_size = fs::file_size(root() + "/blobs/sha256/" + blob.substr(7));
  EXPECT_LE(static_cast<double>(kept + std::stoull(m[1].str())), 1.1 * static_cast<double>(blob_size))
      << "kept " << kept << ", fetched " << m[1] << ", blob " << blob_size;
  EXPECT_TRUE(fs::is_empty(root() + "/partial"));
  EXPECT_TRUE(contains(berth({"image", "ls"}).out, "test/big"));
}

TEST_F(RegistryPull, TwoPullsOfOneImageAtOnceGiveOneImage) {
  auto reg = start();
  reg->push_image("test/big:1", 4);
  CommandResult a, b;
  std::thread t1([&] { a = berth({"image", "pull", "-q", reg->host() + "/test/big:1"}); });
  std::thread t2([&] { b = berth({"image", "pull", "-q", reg->host() + "/test/big:1"}); });
  t1.join();
  t2.join();
  EXPECT_EQ(a.exit_code, 0) << a.err;
  EXPECT_EQ(b.exit_code, 0) << b.err;
  auto ls = berth({"image", "ls", "-q"});
  EXPECT_TRUE(contains(ls.out, "\n")) << ls.out;
  EXPECT_TRUE(fs::is_empty(root() + "/partial")) << "partial downloads left";
}

TEST_F(RegistryPull, BasicAuthFromDockerConfigAuthsAndACredentialHelper) {
  auto reg = start({"alice", "s3cret-pw"});
  reg->push_image("private/bb:1");
  auto anon = berth_auth({"image", "pull", reg->host() + "/private/bb:1"});
  EXPECT_EQ(anon.exit_code, 1);
  EXPECT_TRUE(contains(anon.err, "pull access denied for " + reg->host() + "/private/bb")) << anon.err;

  write_docker_config(R"({"auths": {")" + reg->host() + R"(": {"auth": ")" +
                      "YWxpY2U6d3Jvbmc=" + R"("}}})");  // alice:wrong
  auto wrong = berth_auth({"image", "pull", reg->host() + "/private/bb:1"});
  EXPECT_EQ(wrong.exit_code, 1);
  EXPECT_TRUE(contains(wrong.err, "pull access denied") || contains(wrong.err, "unauthorized")) << wrong.err;

  write_docker_config(R"({"auths": {")" + reg->host() + R"(": {"auth": ")" + "YWxpY2U6czNjcmV0LXB3" +
                      R"("}}})");  // alice:s3cret-pw
  auto good = berth_auth({"image", "pull", reg->host() + "/private/bb:1"});
  ASSERT_EQ(good.exit_code, 0) << good.err;

  // A docker-credential-* helper on PATH answers for the registry instead.
  const std::string bin = *m_tmp / "bin";
  fs::create_directories(bin);
  {
    std::ofstream h(bin + "/docker-credential-berthtest");
    h << "#!/bin/sh\nread server\n[ \"$1\" = get ] || exit 1\n"
         "printf '{\"ServerURL\":\"%s\",\"Username\":\"alice\",\"Secret\":\"s3cret-pw\"}' \"$server\"\n";
  }
  fs::permissions(bin + "/docker-credential-berthtest", fs::perms::owner_all);
  write_docker_config(R"({"credHelpers": {")" + reg->host() + R"(": "berthtest"}})");
  berth({"image", "rm", reg->host() + "/private/bb:1"});
  auto helped = berth({"image", "pull", reg->host() + "/private/bb:1"},
                      {{"DOCKER_CONFIG", *m_tmp / "docker"}, {"PATH", bin + ":/usr/sbin:/usr/bin:/sbin:/bin"}});
  ASSERT_EQ(helped.exit_code, 0) << helped.err;
}

TEST_F(RegistryPull, LoginChecksStoresAndLogoutErasesTheCredentials) {
  auto reg = start({"alice", "s3cret-pw"});
  reg->push_image("private/bb:1");
  auto env = berth_env();
  env["DOCKER_CONFIG"] = *m_tmp / "docker";
  const fs::path config = *m_tmp / "docker/config.json";
  auto run = [&](std::vector<std::string> args, const std::string& input = "") {
    args.insert(args.begin(), BERTH_BINARY);
    return run_command(args, m_project_dir, env, input);
  };

  auto wrong = run({"login", "-u", "alice", "--password-stdin", reg->host()}, "wrong\n");
  EXPECT_EQ(wrong.exit_code, 1);
  EXPECT_TRUE(contains(wrong.err, "incorrect username or password")) << wrong.err;
  EXPECT_FALSE(fs::exists(config)) << "a refused login stored something";
  auto no_tty = run({"login", reg->host()});
  EXPECT_EQ(no_tty.exit_code, 1);
  EXPECT_TRUE(contains(no_tty.err, "Cannot perform an interactive login from a non TTY device")) << no_tty.err;

  auto good = run({"login", "-u", "alice", "--password-stdin", reg->host()}, "s3cret-pw\n");
  ASSERT_EQ(good.exit_code, 0) << good.err;
  EXPECT_EQ(good.out, "Login Succeeded\n");
  EXPECT_TRUE(contains(good.err, "Your password will be stored unencrypted in " + config.string())) << good.err;
  EXPECT_EQ(fs::status(config).permissions() & fs::perms::all, fs::perms::owner_read | fs::perms::owner_write);
  auto stored = nlohmann::json::parse(std::ifstream(config));
  EXPECT_EQ(stored["auths"][reg->host()]["auth"], "YWxpY2U6czNjcmV0LXB3") << stored.dump();  // alice:s3cret-pw
  auto pulled = berth_auth({"image", "pull", reg->host() + "/private/bb:1"});
  EXPECT_EQ(pulled.exit_code, 0) << pulled.err;

  auto out = run({"logout", reg->host()});
  ASSERT_EQ(out.exit_code, 0) << out.err;
  EXPECT_EQ(out.out, "Removing login credentials for " + reg->host() + "\n");
  EXPECT_FALSE(nlohmann::json::parse(std::ifstream(config))["auths"].contains(reg->host()));
  auto again = run({"logout", reg->host()});
  EXPECT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(again.out, "Not logged in to " + reg->host() + "\n");
}

TEST_F(RegistryPull, ConfigResolvesAndLocksImageDigestsWithoutPulling) {
  auto reg = start();
  const std::string digest = reg->push_image("app/web:2");
  const std::string repo = reg->host() + "/app/web";
  write_bytes(dir() + "/Dockerfile", std::string("FROM ") + image + "\n");
  write_compose("services:\n  web:\n    image: " + repo + ":2\n  pinned:\n    image: " + repo + "@" + digest +
                "\n  built:\n    build: .\n");
  auto resolved = berth({"config", "--resolve-image-digests"});
  ASSERT_EQ(resolved.exit_code, 0) << resolved.err;
  EXPECT_TRUE(contains(resolved.out, "image: " + repo + ":2@" + digest + "\n")) << resolved.out;
  EXPECT_TRUE(contains(resolved.out, "image: " + repo + "@" + digest + "\n")) << resolved.out;

  // docker compose's override file: services and their images only
  auto lock = berth({"config", "--lock-image-digests"});
  ASSERT_EQ(lock.exit_code, 0) << lock.err;
  EXPECT_EQ(lock.out, "services:\n  built: {}\n  pinned:\n    image: " + repo + "@" + digest +
                          "\n  web:\n    image: " + repo + ":2@" + digest + "\n");
  auto lock_json = berth({"config", "--lock-image-digests", "--format", "json"});
  ASSERT_EQ(lock_json.exit_code, 0) << lock_json.err;
  EXPECT_EQ(nlohmann::json::parse(lock_json.out)["services"]["web"]["image"], repo + ":2@" + digest);

  // only manifests were asked for, and nothing entered the store
  EXPECT_FALSE(contains(reg->log(), "\"GET /v2/app/web/blobs/")) << reg->log();
  EXPECT_TRUE(contains(reg->log(), "\"GET /v2/app/web/manifests/2")) << reg->log();
  auto ls = berth({"image", "ls", "--format", "json"});
  EXPECT_FALSE(contains(ls.out, repo)) << ls.out;

  write_compose("services:\n  web:\n    image: " + repo + ":nope\n");
  auto missing = berth({"config", "--resolve-image-digests"});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_TRUE(contains(missing.err, "service \"web\": resolve image digest: manifest for " + repo + ":nope not found"))
      << missing.err;
}

}  // namespace berth::test
