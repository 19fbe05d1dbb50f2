// The engine e2e fixture (see engine_fixture.hpp). The busybox rootfs holds /bin/busybox and
// a link per applet so `sh`, `sleep`, `httpd`... resolve on PATH=/bin inside containers.
#include "engine_fixture.hpp"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>

#include "compose/network/ipam.hpp"
#include "support/text.hpp"

namespace fs = std::filesystem;

namespace berth::test {

std::string engine_e2e_missing() {
  if (::geteuid() != 0) return "not root";
  if (!fs::exists("/bin/busybox")) return "/bin/busybox (Debian's busybox-static) is not installed";
  return "";
}

std::vector<TarEntry> busybox_rootfs_entries() {
  auto applets = run_command({"/bin/busybox", "--list"}, "/", {});
  std::vector<TarEntry> entries = {tar_dir("bin"),
                                   tar_dir("etc"),
                                   tar_dir("tmp", 01777),
                                   tar_file("bin/busybox", read_bytes("/bin/busybox"), 0755),
                                   tar_file("etc/passwd", "root:x:0:0:root:/root:/bin/sh\n"),
                                   tar_file("etc/group", "root:x:0:\n")};
  std::istringstream names(applets.out);
  for (std::string name; std::getline(names, name);)
    if (!name.empty() && name != "busybox") entries.push_back(tar_symlink("bin/" + name, "busybox"));
  return entries;
}

void EngineFixture::SetUp() {
  if (auto why = engine_e2e_missing(); !why.empty()) GTEST_SKIP() << why;
  m_tmp = std::make_unique<TempDir>();
  m_root = *m_tmp / "root";
  m_project_dir = *m_tmp / "project";
  fs::create_directories(m_project_dir);
  static int counter = 0;
  ++counter;
  m_project = "e2e" + std::to_string(::getpid()) + "x" + std::to_string(counter);
  m_run = "/run/bt" + std::to_string(::getpid()) + "x" + std::to_string(counter);

  write_bytes(*m_tmp / "rootfs.tar", make_tar(busybox_rootfs_entries()));
  auto imp = run_berth(
      {"--root", m_root, "image", "import", *m_tmp / "rootfs.tar", image, "-c", "ENV PATH=/bin", "-c", R"(CMD ["sh"])"},
      m_project_dir);
  ASSERT_EQ(imp.exit_code, 0) << imp.err;
}

void EngineFixture::TearDown() {
  if (!m_tmp) return;
  remember();
  auto down = berth({"down", "-v", "--remove-orphans", "-t", "1"});
  EXPECT_EQ(down.exit_code, 0) << down.err;
  EXPECT_EQ(leftovers(), std::vector<std::string>{});
  EXPECT_FALSE(fs::exists(m_root + "/projects/" + m_project + "/state.json"));
  std::error_code ec;
  fs::remove_all(m_run, ec);  // empty directories only, once the leftover check passed
}

std::map<std::string, std::string> EngineFixture::berth_env() const {
  std::map<std::string, std::string> env = {{"PATH", "/usr/sbin:/usr/bin:/sbin:/bin"}, {"BERTH_RUN", m_run}};
#ifdef BERTH_SHIM
  env.emplace("BERTH_SHIM", BERTH_SHIM);
#endif
#ifdef BERTH_DNS
  env.emplace("BERTH_DNS", BERTH_DNS);
#endif
  return env;
}

CommandResult EngineFixture::berth(std::vector<std::string> args, std::map<std::string, std::string> env) {
  for (auto& [k, v] : berth_env())
    if (k != "PATH") env.emplace(k, v);
  std::vector<std::string> full = {"--root", m_root, "-p", m_project, "--progress", "plain"};
  full.insert(full.end(), args.begin(), args.end());
  auto r = run_berth(full, m_project_dir, env);
  remember();
  return r;
}

std::vector<std::string> EngineFixture::bounded_argv(int seconds, const std::vector<std::string>& args) const {
  std::vector<std::string> argv = {"/usr/bin/timeout", "-s",         "KILL", std::to_string(seconds),
                                   BERTH_BINARY,       "--root",     m_root, "-p",
                                   m_project,          "--progress", "plain"};
  argv.insert(argv.end(), args.begin(), args.end());
  return argv;
}

CommandResult EngineFixture::berth_bounded(int seconds, const std::vector<std::string>& args,
                                           const std::string& input) {
  auto r = run_command(bounded_argv(seconds, args), m_project_dir, berth_env(), input);
  remember();
  return r;
}

std::string EngineFixture::eth0_address(const std::string& service) {
  auto r = berth({"exec", "-T", service, "ip", "-4", "-o", "addr", "show", "eth0"});
  std::smatch m;
  static const std::regex inet(R"(inet ([0-9.]+)/)");
  return std::regex_search(r.out, m, inet) ? m[1].str() : "(none: " + r.out + r.err + ")";
}

std::string nslookup_answer(const std::string& output) {
  static const std::regex answer(R"(Name:\s*\S+\s*\nAddress:\s*([0-9.]+))");
  std::smatch m;
  return std::regex_search(output, m, answer) ? m[1].str() : "";
}

bool container_lines_interleave(const std::string& err, const std::vector<std::string>& names) {
  std::vector<std::string> runs;  // the container of each run of consecutive lines
  std::stringstream lines(err);
  for (std::string line; std::getline(lines, line);)
    for (const auto& n : names)
      if (contains(line, "Container " + n + " ") && (runs.empty() || runs.back() != n)) runs.push_back(n);
  return std::set<std::string>(runs.begin(), runs.end()).size() != runs.size();
}

void EngineFixture::write_compose(const std::string& text) { std::ofstream(m_project_dir + "/compose.yaml") << text; }

std::map<std::string, std::string> EngineFixture::container_ids() {
  std::map<std::string, std::string> out;
  std::ifstream in(m_root + "/projects/" + m_project + "/state.json");
  if (!in) return out;
  auto state = nlohmann::json::parse(in, nullptr, false);
  if (!state.is_object()) return out;
  for (const auto& c : state.value("containers", nlohmann::json::array())) out[c.value("name", "")] = c.value("id", "");
  return out;
}

std::map<std::string, std::string> EngineFixture::states() {
  auto ps = berth({"ps", "-a", "--format", "json"});
  EXPECT_EQ(ps.exit_code, 0) << ps.err;
  std::map<std::string, std::string> out;
  std::istringstream lines(ps.out);
  for (std::string line; std::getline(lines, line);) {
    auto j = nlohmann::json::parse(line);
    out[j.value("Name", "")] = j.value("State", "");
  }
  return out;
}

void EngineFixture::remember() {
  std::ifstream in(m_root + "/projects/" + m_project + "/state.json");
  if (!in) return;
  auto state = nlohmann::json::parse(in, nullptr, false);
  if (!state.is_object()) return;
  for (const auto& c : state.value("containers", nlohmann::json::array())) {
    m_container_ids.insert(c.value("id", ""));
    for (const auto& e : c.value("endpoints", nlohmann::json::array())) m_network_ids.insert(e.value("network_id", ""));
  }
  for (const auto& n : state.value("networks", nlohmann::json::array()))
    if (!n.value("external", false)) m_network_ids.insert(n.value("id", ""));
}

std::vector<std::string> EngineFixture::leftovers() {
  std::vector<std::string> out;
  m_container_ids.erase("");
  m_network_ids.erase("");
  std::set<std::string> links;
  for (const auto& e : fs::directory_iterator("/sys/class/net")) links.insert(e.path().filename().string());
  for (const auto& net : m_network_ids) {
    if (links.count(network::bridge_name(net))) out.push_back("bridge " + network::bridge_name(net));
    for (const auto& ctr : m_container_ids)
      if (links.count(network::host_veth_name(ctr, net))) out.push_back("veth " + network::host_veth_name(ctr, net));
  }
  std::ifstream mounts("/proc/self/mountinfo");
  for (std::string line; std::getline(mounts, line);)
    if (line.find(m_tmp->path()) != std::string::npos || line.find(m_run + "/") != std::string::npos)
      out.push_back("mount " + line);
  for (const auto& ctr : m_container_ids) {
    std::error_code ec;
    for (const auto& h : fs::directory_iterator("/sys/fs/cgroup", ec))
      if (fs::exists(h.path() / "berth" / ctr)) out.push_back("cgroup " + (h.path() / "berth" / ctr).string());
  }
  for (const auto& p : fs::directory_iterator("/proc")) {
    std::string pid = p.path().filename().string();
    if (pid.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream cmd(p.path() / "cmdline");
    std::ostringstream read;  // not istreambuf_iterator: GCC 12 -Wnull-dereference false positive
    read << cmd.rdbuf();
    const std::string args = read.str();
    if (args.find(m_tmp->path()) != std::string::npos || args.find(m_run + "/") != std::string::npos) {
      std::string shown = args;  // what it is, for the failure message: its argv, NULs as spaces
      std::replace(shown.begin(), shown.end(), '\0', ' ');
      out.push_back("process " + pid + ": " + shown);
    }
  }
  auto nft = run_command({"/usr/sbin/nft", "list", "ruleset"}, "/", {});
  for (const auto& id : m_container_ids)
    if (nft.out.find(id) != std::string::npos) out.push_back("nft rule for container " + id);
  for (const auto& id : m_network_ids)
    if (nft.out.find("net=" + id) != std::string::npos) out.push_back("nft rule for network " + id);
  return out;
}

}  // namespace berth::test
