// The README's example end to end (examples/app-db): scripts/example-images.sh builds the two
// images from Debian's packages into a temporary --root (the debootstrap'd base is cached in
// /var/cache/berth-example, so only the first run on a machine takes minutes), then the real
// `berth up -d --wait` starts PostgreSQL and the web app under a unique project name on a free
// port. The test talks HTTP to the published port on 127.0.0.1 (the visit counter goes up), reads
// the table through `exec` into the db container, and checks that the data survives `down` + `up`
// and is gone after `down -v`, and that nothing is left behind (EngineFixture's leftover check:
// links, mounts, cgroups, processes, nft rules of every container and network the test saw).
//
// Skips (with the reason) when not root or when neither a cached base nor Debian's mirror is
// available (the check is bounded: a few seconds).
#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cctype>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>
#include <thread>

#include "engine_fixture.hpp"
#include "support/ports.hpp"

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

const std::string kSource = BERTH_SOURCE_DIR;
const std::string kCompose = kSource + "/examples/app-db/compose.yaml";

/// How a bounded command ended.
struct Outcome {
  int exit_code = -1;  ///< exit status, 128+signal, or -1 when it was killed at the time limit
  std::string output;  ///< what it printed on stdout and stderr
  double seconds = 0;
};

/// Runs `argv` in `cwd` with exactly `env`, output into `log` (a file, not a pipe: the image
/// script is silent for minutes while debootstrap runs), killing its process group after `limit`.
Outcome run_bounded(const std::vector<std::string>& argv, const std::string& cwd,
                    const std::map<std::string, std::string>& env, const std::string& log, std::chrono::seconds limit) {
  std::vector<std::string> env_strings;
  for (const auto& [k, v] : env) env_strings.push_back(k + "=" + v);
  std::vector<char*> cargv, cenv;
  for (const auto& a : argv) cargv.push_back(const_cast<char*>(a.c_str()));
  cargv.push_back(nullptr);
  for (auto& e : env_strings) cenv.push_back(e.data());
  cenv.push_back(nullptr);
  auto start = std::chrono::steady_clock::now();
  pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error("fork");
  if (pid == 0) {
    ::setpgid(0, 0);
    int in = ::open("/dev/null", O_RDONLY);
    int out = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int err = ::dup(out);
    if (in < 0 || out < 0 || err < 0 || ::chdir(cwd.c_str()) != 0) ::_exit(126);
    ::dup2(in, 0);
    ::dup2(out, 1);
    ::dup2(err, 2);
    ::execve(cargv[0], cargv.data(), cenv.data());
    ::_exit(127);
  }
  Outcome o;
  int status = 0;
  for (;;) {
    pid_t r = ::waitpid(pid, &status, WNOHANG);
    if (r == pid) {
      o.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      break;
    }
    if (std::chrono::steady_clock::now() - start > limit) {
      ::kill(-pid, SIGKILL);
      ::waitpid(pid, &status, 0);
      o.exit_code = -1;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  o.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::ifstream in(log);
  std::stringstream ss;
  ss << in.rdbuf();
  o.output = ss.str();
  if (o.exit_code == -1) o.output += "\n[killed after " + std::to_string(limit.count()) + " s]";
  return o;
}

/// A TCP connection to 127.0.0.1:`port` or `host`:`port`, or -1; bounded by `timeout`.
int connect_to(const sockaddr* addr, socklen_t len, std::chrono::milliseconds timeout) {
  int fd = ::socket(addr->sa_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) return -1;
  if (::connect(fd, addr, len) != 0 && errno != EINPROGRESS) {
    ::close(fd);
    return -1;
  }
  pollfd p = {fd, POLLOUT, 0};
  int err = 0;
  socklen_t elen = sizeof err;
  if (::poll(&p, 1, static_cast<int>(timeout.count())) != 1 ||
      ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &elen) != 0 || err != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

/// Sends `request` and reads until the peer closes, each wait bounded by `timeout`.
std::string exchange(int fd, const std::string& request, std::chrono::milliseconds timeout) {
  std::string reply;
  size_t sent = 0;
  while (sent < request.size()) {
    pollfd p = {fd, POLLOUT, 0};
    if (::poll(&p, 1, static_cast<int>(timeout.count())) != 1) return reply;
    ssize_t n = ::send(fd, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) return reply;
    sent += static_cast<size_t>(n);
  }
  char buf[16384];
  for (;;) {
    pollfd p = {fd, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(timeout.count())) != 1) break;
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    reply.append(buf, static_cast<size_t>(n));
  }
  return reply;
}

struct HttpReply {
  int status = -1;  ///< -1: no connection or no reply
  std::string body;
};

/// One HTTP/1.0 request to the published port on 127.0.0.1.
HttpReply http_request(int port, const std::string& method, const std::string& path, const std::string& form = "") {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  int fd = connect_to(reinterpret_cast<sockaddr*>(&a), sizeof a, std::chrono::seconds(5));
  if (fd < 0) return {};
  std::string req = method + " " + path + " HTTP/1.0\r\nHost: 127.0.0.1\r\n";
  if (method == "POST")
    req += "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: " + std::to_string(form.size()) + "\r\n";
  std::string raw = exchange(fd, req + "\r\n" + form, std::chrono::seconds(10));
  ::close(fd);
  HttpReply r;
  size_t sp = raw.find(' '), head_end = raw.find("\r\n\r\n");
  if (raw.rfind("HTTP/", 0) != 0 || sp == std::string::npos || head_end == std::string::npos) return r;
  r.status = std::atoi(raw.c_str() + sp + 1);
  r.body = raw.substr(head_end + 4);
  return r;
}

/// Why the images cannot be made here ("" when they can): a complete cached base, or Debian's
/// mirror answering a HEAD of bookworm's Release file within a few seconds.
std::string images_unavailable() {
  const char* c = std::getenv("BERTH_EXAMPLE_CACHE");
  const std::string cache = c ? c : "/var/cache/berth-example";
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(cache, ec))
    if (e.path().filename().string().rfind("base-", 0) == 0 && fs::exists(e.path() / ".complete")) return "";
  const char* m = std::getenv("BERTH_EXAMPLE_MIRROR");
  const std::string mirror = m ? m : "http://deb.debian.org/debian";
  std::smatch parts;
  if (!std::regex_match(mirror, parts, std::regex(R"(http://([^/:]+)(?::(\d+))?(/.*)?)")))
    return "";  // not a plain-HTTP mirror: let the script try and report
  const std::string host = parts[1], port = parts[2].matched ? parts[2].str() : "80", path = parts[3];
  const std::string why = "no cached base in " + cache + " and Debian's mirror " + mirror + " ";
  addrinfo hints{}, *res = nullptr;
  hints.ai_socktype = SOCK_STREAM;
  if (::getaddrinfo(host.c_str(), port.c_str(), &hints, &res) != 0 || !res) return why + "does not resolve";
  int fd = connect_to(res->ai_addr, res->ai_addrlen, std::chrono::seconds(5));
  ::freeaddrinfo(res);
  if (fd < 0) return why + "is unreachable";
  // HTTP/1.1: some mirrors and proxies refuse 1.0 requests with "426 Upgrade Required".
  const std::string head =
      "HEAD " + path + "/dists/bookworm/Release HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n";
  std::string reply = exchange(fd, head, std::chrono::seconds(5));
  ::close(fd);
  if (reply.find(" 200 ") == std::string::npos) return why + "does not serve bookworm: " + reply.substr(0, 80);
  return "";
}

std::string form_escape(const std::string& s) {
  std::string out;
  for (unsigned char ch : s) {
    if (std::isalnum(ch) || ch == '-' || ch == '_' || ch == '.')
      out += static_cast<char>(ch);
    else if (ch == ' ')
      out += '+';
    else {
      char buf[4];
      std::snprintf(buf, sizeof buf, "%%%02X", ch);
      out += buf;
    }
  }
  return out;
}

std::string trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t\r\n"), e = s.find_last_not_of(" \t\r\n");
  return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

/// The image script's environment: a plain PATH plus the cache/mirror overrides of the caller.
std::map<std::string, std::string> script_env() {
  std::map<std::string, std::string> e = {{"PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"}};
  for (const char* pass : {"BERTH_EXAMPLE_CACHE", "BERTH_EXAMPLE_MIRROR"})
    if (const char* v = std::getenv(pass)) e[pass] = v;
  return e;
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

class ExampleStack : public berth::test::EngineFixture {
 protected:
  void SetUp() override {
    EngineFixture::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    if (std::string why = images_unavailable(); !why.empty()) GTEST_SKIP() << why;
    // The example's compose file as the project's: the fixture's `down -v` in TearDown finds it.
    std::ifstream in(kCompose);
    std::stringstream text;
    text << in.rdbuf();
    write_compose(text.str());
    // ... and the web app's build context beside it (`build: ./app`).
    fs::copy(kSource + "/examples/app-db/app", dir() + "/app", fs::copy_options::recursive);
    m_port = berth::test::free_loopback_port();
    ASSERT_GT(m_port, 0);
  }

  std::map<std::string, std::string> env() const { return {{"WEB_PORT", std::to_string(m_port)}}; }

  /// `up -d --wait`: when it returns, both services are healthy.
  void up() {
    auto start = std::chrono::steady_clock::now();
    berth::test::CommandResult r = berth({"up", "-d", "--wait"}, env());
    std::cout << "[ measure ] up -d --wait: " << seconds_since(start) << " s\n";
    if (r.exit_code != 0) {
      berth::test::CommandResult logs = berth({"logs", "--no-color", "--tail", "20"}, env());
      FAIL() << r.out << r.err << "\nlast log lines:\n" << logs.out << logs.err;
    }
  }

  void down(bool volumes) {
    std::vector<std::string> args = {"down"};
    if (volumes) args.push_back("-v");
    auto start = std::chrono::steady_clock::now();
    berth::test::CommandResult r = berth(args, env());
    std::cout << "[ measure ] " << (volumes ? "down -v: " : "down: ") << seconds_since(start) << " s\n";
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  }

  /// GET / (counts a visit) and the counter it shows.
  int visit() {
    HttpReply r = http_request(m_port, "GET", "/");
    EXPECT_EQ(r.status, 200) << r.body;
    std::smatch m;
    if (!std::regex_search(r.body, m, std::regex(R"(<span id="visits">(\d+)</span>)"))) {
      ADD_FAILURE() << "no visit counter in: " << r.body;
      return -1;
    }
    return std::stoi(m[1]);
  }

  json stats() {
    HttpReply r = http_request(m_port, "GET", "/api/stats");
    EXPECT_EQ(r.status, 200) << r.body;
    json j = json::parse(r.body, nullptr, false);
    EXPECT_TRUE(j.is_object()) << r.body;
    return j;
  }

  std::string volume_dir() const { return root() + "/volumes/" + project() + "_db-data"; }

  int m_port = 0;
};

bool has_note(const json& stats, const std::string& body) {
  if (!stats.is_object() || !stats.contains("notes")) return false;
  for (const auto& n : stats["notes"])
    if (n.value("body", "") == body) return true;
  return false;
}

TEST_F(ExampleStack, ImagesUpCountsKeepsDataAcrossDownAndDropsItWithDownV) {
  // Images: the first run may debootstrap (cached per machine); the second must be a no-op.
  const std::vector<std::string> images = {kSource + "/scripts/example-images.sh", "--root", root(), "--berth",
                                           BERTH_BINARY};
  const std::string log = m_tmp->path() + "/images.log";
  Outcome first = run_bounded(images, kSource, script_env(), log, std::chrono::minutes(15));
  std::cout << "[ measure ] example-images.sh (fresh root): " << first.seconds << " s\n";
  ASSERT_EQ(first.exit_code, 0) << first.output;
  EXPECT_NE(first.output.find("berth-example/postgres:15"), std::string::npos) << first.output;
  EXPECT_NE(first.output.find("berth-example/debian:bookworm"), std::string::npos) << first.output;
  Outcome again = run_bounded(images, kSource, script_env(), log, std::chrono::minutes(2));
  std::cout << "[ measure ] example-images.sh (nothing changed): " << again.seconds << " s\n";
  ASSERT_EQ(again.exit_code, 0) << again.output;
  EXPECT_NE(again.output.find("berth-example/postgres:15 is up to date"), std::string::npos) << again.output;
  EXPECT_NE(again.output.find("berth-example/debian:bookworm is up to date"), std::string::npos) << again.output;
  EXPECT_LT(again.seconds, 30) << "the cached run should not rebuild anything";

  // Both images are the one layer (imported from the same tarball).
  berth::test::CommandResult inspect =
      berth({"image", "inspect", "berth-example/postgres:15", "berth-example/debian:bookworm"});
  ASSERT_EQ(inspect.exit_code, 0) << inspect.err;
  json inspected = json::parse(inspect.out, nullptr, false);
  ASSERT_TRUE(inspected.is_array() && inspected.size() == 2) << inspect.out;
  EXPECT_EQ(inspected[0]["RootFS"]["Layers"], inspected[1]["RootFS"]["Layers"]);
  EXPECT_EQ(inspected[0]["RootFS"]["Layers"].size(), 1u);

  // The first `up` builds the web app (examples/app-db/app/Dockerfile) on that base: one more layer.
  ASSERT_NO_FATAL_FAILURE(up());
  berth::test::CommandResult app = berth({"image", "inspect", "berth-example/app:1"});
  ASSERT_EQ(app.exit_code, 0) << app.err;
  json app_image = json::parse(app.out, nullptr, false);
  ASSERT_TRUE(app_image.is_array() && app_image.size() == 1) << app.out;
  EXPECT_EQ(app_image[0]["RootFS"]["Layers"].size(), 3u);  // the base, WORKDIR /opt/app, COPY app.py
  EXPECT_EQ(app_image[0]["RootFS"]["Layers"][0], inspected[0]["RootFS"]["Layers"][0]);
  EXPECT_EQ(visit(), 1);
  EXPECT_EQ(visit(), 2);
  const std::string note = "kept across down " + std::to_string(::getpid());
  HttpReply added = http_request(m_port, "POST", "/notes", "note=" + form_escape(note));
  EXPECT_EQ(added.status, 303) << added.body;
  EXPECT_TRUE(has_note(stats(), note));

  // The table seen from inside the db container (the app reaches it as `db` through berth-dns).
  berth::test::CommandResult count =
      berth({"exec", "-T", "db", "psql", "-U", "app", "-d", "app", "-tAc", "select count(*) from visits"}, env());
  EXPECT_EQ(count.exit_code, 0) << count.err;
  EXPECT_EQ(trim(count.out), "2") << count.out << count.err;

  // `down` keeps the named volume: the next `up` finds the visits and the note.
  ASSERT_NO_FATAL_FAILURE(down(false));
  EXPECT_EQ(http_request(m_port, "GET", "/").status, -1) << "the port is still answering after down";
  EXPECT_TRUE(fs::exists(volume_dir() + "/_data/PG_VERSION"));
  ASSERT_NO_FATAL_FAILURE(up());
  EXPECT_EQ(visit(), 3);
  EXPECT_TRUE(has_note(stats(), note));

  // `down -v` drops it: a fresh database, the counter starts again.
  ASSERT_NO_FATAL_FAILURE(down(true));
  EXPECT_FALSE(fs::exists(volume_dir()));
  ASSERT_NO_FATAL_FAILURE(up());
  EXPECT_EQ(visit(), 1);
  EXPECT_FALSE(has_note(stats(), note));
  ASSERT_NO_FATAL_FAILURE(down(true));
  EXPECT_FALSE(fs::exists(volume_dir()));
}

}  // namespace
