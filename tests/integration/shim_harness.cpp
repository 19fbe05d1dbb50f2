// Support for the berth-shim integration tests: bundle writing, process running, cleanup.
#include "shim_harness.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

namespace berth::testing {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

std::string shim_binary() {
#ifdef BERTH_SHIM
  return BERTH_SHIM;
#else
  return "";
#endif
}

json config_json(const shim::Bundle& b) {
  json ns = json::array();
  for (const auto& n : b.namespaces) {
    json e = {{"type", n.type}};
    if (!n.path.empty()) e["path"] = n.path;
    ns.push_back(e);
  }
  json linux = {{"namespaces", ns}, {"cgroupsPath", b.cgroups_path}};
  json process = {{"terminal", b.terminal},
                  {"user", {{"uid", b.uid}, {"gid", b.gid}}},
                  {"args", b.args},
                  {"env", b.env},
                  {"cwd", b.cwd}};
  if (b.console_size) process["consoleSize"] = {{"height", b.console_size->first}, {"width", b.console_size->second}};
  if (b.resources.memory_limit)
    linux["resources"]["memory"] = {{"limit", *b.resources.memory_limit}, {"swap", *b.resources.memory_limit}};
  return {{"ociVersion", "1.0.2"},  {"process", process}, {"root", {{"path", b.rootfs}}},
          {"hostname", b.hostname}, {"linux", linux},     {"annotations", b.annotations}};
}

int status_code(int status) { return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status); }

}  // namespace

std::string shim_missing() {
  std::string missing = rootfs_missing();
  if (!missing.empty()) return missing;
  if (shim_binary().empty() || ::access(shim_binary().c_str(), X_OK) != 0) return "needs the berth-shim binary";
  return "";
}

std::string read_to_eof(int fd) {
  std::string out;
  char buf[65536];
  for (;;) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 10000) <= 0) break;
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n <= 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  return out;
}

RunResult run_program(const std::vector<std::string>& argv) {
  int out[2], err[2];
  if (::pipe2(out, O_CLOEXEC) != 0 || ::pipe2(err, O_CLOEXEC) != 0) throw std::runtime_error("pipe");
  pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(out[1], 1);
    ::dup2(err[1], 2);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    ::execv(args[0], args.data());
    ::_exit(127);
  }
  ::close(out[1]);
  ::close(err[1]);
  RunResult r;
  pollfd fds[2] = {{out[0], POLLIN, 0}, {err[0], POLLIN, 0}};
  int open = 2;
  while (open > 0) {
    ::poll(fds, 2, -1);
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP))) continue;
      char buf[65536];
      ssize_t n = ::read(fds[i].fd, buf, sizeof buf);
      if (n <= 0) {
        ::close(fds[i].fd);
        fds[i].fd = -1;
        --open;
      } else {
        (i == 0 ? r.out : r.err).append(buf, static_cast<size_t>(n));
      }
    }
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  r.exit_code = status_code(status);
  return r;
}

shim_protocol::Reply ShimContainer::call(const json& request) const {
  auto client = shim_protocol::Client::connect(socket());
  return client.call(request);
}

std::vector<json> ShimContainer::log_lines() const {
  std::vector<json> lines;
  std::ifstream in(log_path());
  for (std::string line; std::getline(in, line);) lines.push_back(json::parse(line));
  return lines;
}

void ShimTest::SetUp() {
  const std::string missing = shim_missing();
  if (!missing.empty()) GTEST_SKIP() << missing;
  ASSERT_EQ(::prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0), 0);
  fx = std::make_unique<RootfsFixture>();
}

void ShimTest::TearDown() {
  if (!fx) return;
  for (auto& c : shims)
    if (c->shim_pid > 0) finish(*c);
  for (const std::string& id : ids) {
    std::vector<std::string> left = leftovers(fx->dir(), id);
    std::string text;
    for (const auto& l : left) text += l + "\n";
    EXPECT_TRUE(left.empty()) << "left behind by " << id << ":\n" << text;
  }
}

shim::Bundle ShimTest::bundle(std::vector<std::string> args) {
  shim::Bundle b = fx->bundle(std::move(args), "shim");
  ids.push_back(b.id);
  return b;
}

std::string ShimTest::write_bundle(const shim::Bundle& b) {
  const std::string dir = fx->make_dir("bundle-" + b.id);
  std::ofstream(dir + "/config.json") << config_json(b).dump(2);
  return dir;
}

ShimContainer& ShimTest::start(const shim::Bundle& b, bool expect_ok) {
  auto c = std::make_unique<ShimContainer>();
  c->id = b.id;
  c->bundle_dir = write_bundle(b);
  c->state_dir = fx->path("state-" + b.id);
  RunResult r = run_program(
      {shim_binary(), "run", "--bundle", c->bundle_dir, "--id", c->id, "--state-dir", c->state_dir, "--detach"});
  c->ready = json::parse(r.out, nullptr, false);
  if (expect_ok) {
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_TRUE(c->ready.is_object() && c->ready.value("ok", false)) << r.out << r.err;
  }
  if (c->ready.is_object() && c->ready.contains("shim_pid")) {
    c->shim_pid = c->ready["shim_pid"].get<pid_t>();
  } else {
    // A failed start: the shim has exited; reap it if it re-parented to us.
    while (::waitpid(-1, nullptr, WNOHANG) > 0) {
    }
  }
  shims.push_back(std::move(c));
  return *shims.back();
}

RunResult ShimTest::run_foreground(const shim::Bundle& b) {
  const std::string dir = write_bundle(b);
  return run_program({shim_binary(), "run", "--bundle", dir, "--id", b.id, "--state-dir", fx->path("state-" + b.id)});
}

void ShimTest::finish(ShimContainer& c) {
  if (fs::exists(c.socket())) {
    try {
      c.call({{"op", "kill"}});
      EXPECT_TRUE(c.call({{"op", "wait"}}).ok());
      EXPECT_TRUE(c.call({{"op", "shutdown"}}).ok());
    } catch (const std::exception& e) {
      ADD_FAILURE() << "shim of " << c.id << ": " << e.what();
    }
  }
  int status = 0;
  bool reaped = eventually([&] { return ::waitpid(c.shim_pid, &status, WNOHANG) == c.shim_pid; });
  if (!reaped) {
    ADD_FAILURE() << "shim " << c.shim_pid << " of " << c.id << " did not exit";
    ::kill(c.shim_pid, SIGKILL);
    ::waitpid(c.shim_pid, &status, 0);
  } else if (WIFEXITED(status)) {
    EXPECT_EQ(WEXITSTATUS(status), 0) << "shim of " << c.id;
  }
  c.shim_pid = 0;
  EXPECT_FALSE(fs::exists(c.socket()));
  EXPECT_FALSE(fs::exists(c.state_dir + "/shim.pid"));
}

bool ShimTest::eventually(const std::function<bool()>& pred, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    if (pred()) return true;
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

}  // namespace berth::testing
