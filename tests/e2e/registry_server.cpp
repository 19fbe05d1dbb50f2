#include "registry_server.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "common/unique_fd.hpp"
#include "support/files.hpp"
#include "support/ports.hpp"
#include "support/run_command.hpp"

namespace berth::test {

namespace {

namespace fs = std::filesystem;

bool answers(const std::string& host) {
  auto r = run_command(
      {"/usr/bin/curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "1", "http://" + host + "/v2/"},
      "/", {});
  return r.out == "200" || r.out == "401";
}

}  // namespace

std::string registry_missing() {
  if (::geteuid() != 0) return "registry tests need root (they run containers)";
  for (const char* bin : {"/usr/bin/docker-registry", "/usr/bin/skopeo", "/usr/bin/htpasswd", "/usr/bin/curl"})
    if (::access(bin, X_OK) != 0)
      return std::string("needs ") + bin +
             " (scripts/install-deps.sh installs docker-registry, skopeo, apache2-utils, curl)";
  return "";
}

RegistryServer::RegistryServer(const std::string& dir, Options options)
    : m_dir(dir), m_user(options.user), m_password(options.password) {
  fs::create_directories(m_dir + "/data");
  m_host = "127.0.0.1:" + std::to_string(free_loopback_port());
  std::string auth;
  if (options.token) {
    const auto& t = *options.token;
    auth = "auth:\n  token:\n    realm: " + t.realm + "\n    service: " + t.service + "\n    issuer: " + t.issuer +
           "\n    rootcertbundle: " + t.rootcertbundle + "\n";
  } else if (!m_user.empty()) {
    auto h = run_command({"/usr/bin/htpasswd", "-Bbn", m_user, m_password}, "/", {});
    if (h.exit_code != 0) throw std::runtime_error("htpasswd: " + h.err);
    std::ofstream(m_dir + "/htpasswd") << h.out;
    auth = "auth:\n  htpasswd:\n    realm: berth-test\n    path: " + m_dir + "/htpasswd\n";
  }
  std::ofstream(m_dir + "/config.yml") << "version: 0.1\nlog:\n  level: info\n  accesslog:\n    disabled: false\n"
                                          "storage:\n  filesystem:\n    rootdirectory: " +
                                              m_dir +
                                              "/data\n"
                                              "  delete:\n    enabled: true\nhttp:\n  addr: " +
                                              m_host + "\n" + auth;
  const std::string log = m_dir + "/registry.log";
  m_pid = ::fork();
  if (m_pid == 0) {
    int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    ::dup2(fd, 1);
    ::dup2(fd, 2);
    std::string cfg = m_dir + "/config.yml";
    ::execl("/usr/bin/docker-registry", "docker-registry", "serve", cfg.c_str(), nullptr);
    ::_exit(127);
  }
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!answers(m_host)) {
    if (std::chrono::steady_clock::now() > deadline)
      throw std::runtime_error("docker-registry did not start: " + this->log());
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

RegistryServer::~RegistryServer() {
  if (m_pid <= 0) return;
  ::kill(m_pid, SIGTERM);
  int status = 0;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (::waitpid(m_pid, &status, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() > deadline) {
      ::kill(m_pid, SIGKILL);
      ::waitpid(m_pid, &status, 0);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

CommandResult run_skopeo(const std::vector<std::string>& args, const std::string& home) {
  // skopeo (c/image) keeps a blob-info cache in /var/lib/containers/cache when run as root and
  // has no flag to move it: it runs in a private mount namespace with a tmpfs on /var/lib.
  std::vector<std::string> argv = {"/usr/bin/unshare",
                                   "--mount",
                                   "--propagation",
                                   "private",
                                   "/bin/sh",
                                   "-c",
                                   "mount -t tmpfs berth-test /var/lib && exec \"$@\"",
                                   "sh",
                                   "/usr/bin/skopeo"};
  argv.insert(argv.end(), args.begin(), args.end());
  return run_command(argv, "/", {{"PATH", "/usr/bin:/bin"}, {"HOME", home}});
}

std::string RegistryServer::push_image(const std::string& repo_tag, int extra_mib) {
  const std::string layout = m_dir + "/layout" + std::to_string(++m_layouts);
  auto mk = run_command({"/bin/bash", std::string(BERTH_SOURCE_DIR) + "/tests/e2e/registry/make_oci_layout.sh", layout,
                         std::to_string(extra_mib)},
                        "/", {{"PATH", "/usr/bin:/bin"}});
  if (mk.exit_code != 0) throw std::runtime_error("make_oci_layout.sh: " + mk.err);
  std::vector<std::string> args = {"copy", "--quiet", "--dest-tls-verify=false", "oci:" + layout + ":latest",
                                   "docker://" + m_host + "/" + repo_tag};
  if (!m_user.empty()) args.insert(args.begin() + 1, "--dest-creds=" + m_user + ":" + m_password);
  auto cp = run_skopeo(args, m_dir);
  if (cp.exit_code != 0) throw std::runtime_error("skopeo copy: " + cp.err);
  std::string index = read_bytes(layout + "/index.json");
  auto at = index.find("sha256:");
  return index.substr(at, 71);
}

std::map<std::string, std::string> RegistryServer::push_multiarch(const std::string& repo_tag,
                                                                  const std::vector<std::string>& platforms) {
  const std::string layout = m_dir + "/layout" + std::to_string(++m_layouts);
  std::vector<std::string> argv = {"/bin/bash", std::string(BERTH_SOURCE_DIR) + "/tests/e2e/registry/push_multiarch.sh",
                                   layout, m_host, repo_tag};
  argv.insert(argv.end(), platforms.begin(), platforms.end());
  auto r = run_command(argv, "/", {{"PATH", "/usr/bin:/bin"}});
  if (r.exit_code != 0) throw std::runtime_error("push_multiarch.sh: " + r.err);
  std::map<std::string, std::string> digests;  // lines "<platform|index|attestation> sha256:..."
  std::istringstream lines(r.out);
  for (std::string name, digest; lines >> name >> digest;) digests[name] = digest;
  return digests;
}

std::string RegistryServer::blob_data_path(const std::string& digest) const {
  const std::string hex = digest.substr(7);
  return m_dir + "/data/docker/registry/v2/blobs/sha256/" + hex.substr(0, 2) + "/" + hex + "/data";
}

std::string RegistryServer::log() const { return read_bytes(m_dir + "/registry.log"); }

}  // namespace berth::test
