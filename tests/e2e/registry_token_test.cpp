// Pulls and logins against a registry with token authentication: docker-registry configured with
// `auth: token:` and the test's token server (RS256 JWTs). Anonymous Bearer tokens for a public
// repository, Basic credentials from docker's config for the token request, refused credentials,
// an identity token used through the OAuth2 refresh_token grant, a token that expires in the
// middle of a pull and is renewed, and `berth login` (which keeps the refresh token the server
// gives as docker's identitytoken).
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "compose/image/reference.hpp"
#include "compose/image/store.hpp"
#include "compose/registry/pull.hpp"
#include "registry_fixture.hpp"
#include "support/files.hpp"
#include "support/text.hpp"
#include "token_server.hpp"

namespace berth::test {

namespace {

namespace fs = std::filesystem;

using berth::test::contains;

class RegistryToken : public RegistryFixture {
 protected:
  void SetUp() override {
    if (::access("/usr/bin/openssl", X_OK) != 0) GTEST_SKIP() << "needs /usr/bin/openssl";
    RegistryFixture::SetUp();
  }
  /// The registry (a process) goes before the fixture looks for leftover processes.
  void TearDown() override {
    m_reg.reset();
    m_token.reset();
    EngineFixture::TearDown();
  }
  /// A token server (users: alice) and a registry that trusts it; pushes `repo_tag` as alice.
  void start(const std::string& repo_tag, TokenServer::Options o = {}, int extra_mib = 0) {
    o.users.emplace("alice", "s3cret-pw");
    fs::create_directories(*m_tmp / "token");
    m_token = std::make_unique<TokenServer>(*m_tmp / "token", o);
    RegistryServer::Options r{"alice", "s3cret-pw", RegistryServer::Options::Token{}};
    r.token->realm = m_token->realm();
    r.token->service = m_token->service();
    r.token->issuer = m_token->issuer();
    r.token->rootcertbundle = m_token->cert_bundle();
    m_reg = std::make_unique<RegistryServer>(*m_tmp / "registry", r);
    m_reg->push_image(repo_tag, extra_mib);
    m_pushed_requests = m_token->requests().size();
  }
  /// The token requests berth made (after the push's).
  std::vector<TokenServer::Request> berth_requests() const {
    auto all = m_token->requests();
    return {all.begin() + static_cast<std::ptrdiff_t>(m_pushed_requests), all.end()};
  }
  CommandResult pull(const std::string& ref) {
    return berth({"image", "pull", m_reg->host() + "/" + ref}, {{"DOCKER_CONFIG", *m_tmp / "docker"}});
  }
  std::unique_ptr<TokenServer> m_token;
  std::unique_ptr<RegistryServer> m_reg;
  std::size_t m_pushed_requests = 0;
};

}  // namespace

TEST_F(RegistryToken, AnonymousPullOfAPublicRepositoryUsesAnAnonymousToken) {
  start("public/bb:1");
  auto r = pull("public/bb:1");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "Status: Downloaded newer image for " + m_reg->host() + "/public/bb:1")) << r.out;
  auto asked = berth_requests();
  ASSERT_FALSE(asked.empty());
  EXPECT_EQ(asked[0].method, "GET");
  EXPECT_TRUE(contains(asked[0].target, "service=berth-test-registry")) << asked[0].target;
  EXPECT_TRUE(contains(asked[0].target, "scope=repository%3Apublic%2Fbb%3Apull")) << asked[0].target;
  for (const auto& q : asked) EXPECT_EQ(q.authorization, "") << q.target;
  EXPECT_TRUE(contains(m_reg->log(), "\"GET /v2/public/bb/manifests/1 HTTP/1.1\" 200")) << m_reg->log();
}

TEST_F(RegistryToken, PrivateRepositoryNeedsCredentialsFromDockerConfig) {
  start("private/bb:1");
  auto anon = pull("private/bb:1");
  EXPECT_EQ(anon.exit_code, 1);
  EXPECT_TRUE(contains(anon.err, "pull access denied for " + m_reg->host() +
                                     "/private/bb, repository does not exist or may require 'docker login'"))
      << anon.err;

  write_docker_config(R"({"auths": {")" + m_reg->host() + R"(": {"auth": "YWxpY2U6d3Jvbmc="}}})");  // alice:wrong
  auto wrong = pull("private/bb:1");
  EXPECT_EQ(wrong.exit_code, 1);
  EXPECT_TRUE(contains(wrong.err, "pull access denied for " + m_reg->host() + "/private/bb")) << wrong.err;
  EXPECT_TRUE(contains(wrong.err, "incorrect username or password")) << wrong.err;
  EXPECT_FALSE(contains(berth({"image", "ls"}).out, "private/bb"));

  write_docker_config(R"({"auths": {")" + m_reg->host() + R"(": {"auth": "YWxpY2U6czNjcmV0LXB3"}}})");
  const std::size_t before = m_token->requests().size();
  auto good = pull("private/bb:1");
  ASSERT_EQ(good.exit_code, 0) << good.err;
  auto asked = m_token->requests();
  ASSERT_GT(asked.size(), before);
  EXPECT_EQ(asked[before].authorization, "Basic YWxpY2U6czNjcmV0LXB3");
  EXPECT_TRUE(contains(asked[before].target, "account=alice")) << asked[before].target;
}

TEST_F(RegistryToken, AnIdentityTokenIsUsedThroughTheRefreshTokenGrant) {
  start("private/bb:1");
  const std::string refresh = m_token->refresh_token_for("alice");
  // As docker stores it after a login that got a refresh token: the user name, no password.
  write_docker_config(R"({"auths": {")" + m_reg->host() + R"(": {"auth": "YWxpY2U6", "identitytoken": ")" + refresh +
                      R"("}}})");
  auto r = pull("private/bb:1");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto asked = berth_requests();
  ASSERT_FALSE(asked.empty());
  EXPECT_EQ(asked[0].method, "POST");
  EXPECT_TRUE(contains(asked[0].body, "grant_type=refresh_token")) << asked[0].body;
  EXPECT_TRUE(contains(asked[0].body, "refresh_token=" + refresh)) << asked[0].body;
  EXPECT_TRUE(contains(asked[0].body, "scope=repository%3Aprivate%2Fbb%3Apull")) << asked[0].body;
  EXPECT_EQ(asked[0].status, 200);

  // A refresh token the server does not know: refused, nothing stored.
  berth({"image", "rm", m_reg->host() + "/private/bb:1"});
  write_docker_config(R"({"auths": {")" + m_reg->host() + R"(": {"identitytoken": "refresh-forged"}}})");
  auto forged = pull("private/bb:1");
  EXPECT_EQ(forged.exit_code, 1);
  EXPECT_TRUE(contains(forged.err, "pull access denied for " + m_reg->host() + "/private/bb")) << forged.err;
  EXPECT_TRUE(contains(forged.err, "invalid refresh token")) << forged.err;
}

TEST_F(RegistryToken, ATokenThatExpiresDuringAPullIsRenewed) {
  // Tokens the registry accepts for 3 s; the pull stops for 5 s once the manifest and config are
  // fetched, so every layer request first meets an expired token.
  TokenServer::Options o;
  o.valid_seconds = 3;
  o.expires_in = 3;
  start("public/big:1", o, 2);
  image::ImageStore store(root());
  registry::Puller puller(store, registry::Config{}, registry::CredentialStore(*m_tmp / "no-docker-config.json"));
  registry::PullOptions po;
  bool paused = false;
  po.on_event = [&](const registry::PullEvent& e) {
    if (e.status == "Pulling fs layer" && !paused) {
      paused = true;
      std::this_thread::sleep_for(std::chrono::seconds(5));
    }
  };
  registry::PullResult result = puller.pull(image::parse_reference(m_reg->host() + "/public/big:1"), po);
  EXPECT_TRUE(result.updated);
  EXPECT_TRUE(paused);
  auto asked = berth_requests();
  EXPECT_GE(asked.size(), 2u) << "the token was not renewed";
  for (const auto& q : asked) EXPECT_EQ(q.status, 200) << q.target;
  // The registry refused a layer request with the old token before the new one was asked for.
  const std::string log = m_reg->log();
  bool refused_blob = false;
  std::istringstream lines(log);
  for (std::string line; std::getline(lines, line);)
    refused_blob |= contains(line, "\"GET /v2/public/big/blobs/sha256:") && contains(line, "HTTP/1.1\" 401 ");
  EXPECT_TRUE(refused_blob) << log;
  EXPECT_TRUE(store.resolve(image::parse_reference(m_reg->host() + "/public/big:1")).has_value());
}

TEST_F(RegistryToken, LoginAsksTheTokenServerWithTheCredentials) {
  start("private/bb:1");
  auto env = berth_env();
  env["DOCKER_CONFIG"] = *m_tmp / "docker";
  auto login = [&](const std::string& password) {
    return run_command({BERTH_BINARY, "login", "-u", "alice", "--password-stdin", m_reg->host()}, m_project_dir, env,
                       password + "\n");
  };
  auto wrong = login("wrong");
  EXPECT_EQ(wrong.exit_code, 1);
  EXPECT_TRUE(contains(wrong.err, "incorrect username or password")) << wrong.err;
  EXPECT_FALSE(fs::exists(*m_tmp / "docker/config.json"));
  auto asked = berth_requests();
  ASSERT_FALSE(asked.empty());
  EXPECT_TRUE(contains(asked.back().target, "service=berth-test-registry")) << asked.back().target;
  EXPECT_TRUE(contains(asked.back().target, "account=alice")) << asked.back().target;
  EXPECT_EQ(asked.back().status, 401);

  auto good = login("s3cret-pw");
  ASSERT_EQ(good.exit_code, 0) << good.err;
  EXPECT_EQ(good.out, "Login Succeeded\n");
  const auto check = m_token->requests().back();
  EXPECT_EQ(check.authorization, "Basic YWxpY2U6czNjcmV0LXB3");
  EXPECT_TRUE(contains(check.target, "offline_token=true")) << check.target;
  // The server gave a refresh token: docker's identitytoken, kept instead of the password.
  const auto config = nlohmann::json::parse(read_bytes(*m_tmp / "docker/config.json"));
  const auto& entry = config["auths"][m_reg->host()];
  EXPECT_EQ(entry.value("auth", ""), "YWxpY2U6") << config.dump();  // "alice:"
  const std::string identity = entry.value("identitytoken", "");
  EXPECT_EQ(identity.rfind("refresh-alice-", 0), 0u) << config.dump();
  EXPECT_FALSE(contains(config.dump(), "s3cret")) << config.dump();
  // Pulls then ask for tokens with it (the OAuth2 refresh_token grant), never with the password.
  const std::size_t before = m_token->requests().size();
  auto r = pull("private/bb:1");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  const auto after = m_token->requests();
  ASSERT_GT(after.size(), before);
  for (std::size_t i = before; i < after.size(); ++i) {
    EXPECT_EQ(after[i].method, "POST") << after[i].target;
    EXPECT_TRUE(contains(after[i].body, "grant_type=refresh_token")) << after[i].body;
    EXPECT_TRUE(contains(after[i].body, "refresh_token=" + identity)) << after[i].body;
    EXPECT_EQ(after[i].authorization, "") << "the password went along";
    EXPECT_EQ(after[i].status, 200);
  }
}

TEST_F(RegistryToken, LoginWithoutARefreshTokenKeepsThePassword) {
  TokenServer::Options o;
  o.refresh_tokens = false;
  start("private/bb:1", o);
  auto env = berth_env();
  env["DOCKER_CONFIG"] = *m_tmp / "docker";
  auto login = run_command({BERTH_BINARY, "login", "-u", "alice", "--password-stdin", m_reg->host()}, m_project_dir,
                           env, "s3cret-pw\n");
  ASSERT_EQ(login.exit_code, 0) << login.err;
  const auto config = nlohmann::json::parse(read_bytes(*m_tmp / "docker/config.json"));
  const auto& entry = config["auths"][m_reg->host()];
  EXPECT_EQ(entry.value("auth", ""), "YWxpY2U6czNjcmV0LXB3") << config.dump();
  EXPECT_FALSE(entry.contains("identitytoken")) << config.dump();
  auto r = pull("private/bb:1");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(m_token->requests().back().method, "GET");
}

TEST_F(RegistryToken, ARotatedIdentityTokenIsSavedAndUsedNextTime) {
  TokenServer::Options o;
  o.rotate_refresh_tokens = true;  // each refresh_token grant answers a new one and voids the old
  start("private/bb:1", o);
  const std::string first = m_token->refresh_token_for("alice");
  write_docker_config(R"({"auths": {")" + m_reg->host() + R"(": {"auth": "YWxpY2U6", "identitytoken": ")" + first +
                      R"("}}})");
  auto identity_token = [&] {
    const auto config = nlohmann::json::parse(read_bytes(*m_tmp / "docker/config.json"));
    return config["auths"][m_reg->host()].value("identitytoken", "");
  };
  auto r = pull("private/bb:1");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string second = identity_token();
  EXPECT_NE(second, first);
  EXPECT_EQ(second.rfind("refresh-alice-", 0), 0u) << second;

  // The next pull uses the new one (the first is void now) and keeps the one after it.
  berth({"image", "rm", m_reg->host() + "/private/bb:1"});
  const std::size_t before = m_token->requests().size();
  auto again = pull("private/bb:1");
  ASSERT_EQ(again.exit_code, 0) << again.err;
  const auto asked = m_token->requests();
  ASSERT_GT(asked.size(), before);
  EXPECT_TRUE(contains(asked[before].body, "refresh_token=" + second)) << asked[before].body;
  EXPECT_NE(identity_token(), second);
}

}  // namespace berth::test
