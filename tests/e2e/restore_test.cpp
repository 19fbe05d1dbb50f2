// `berth system restore` after a simulated reboot (issue 16): what dockerd brings back at boot
// (restart `always`, `unless-stopped` not stopped by the user) comes back with its network,
// name resolution and published port; `restart: "no"` and user-stopped containers stay down;
// logs written before the reboot are still there.
#include <signal.h>
#include <sys/mount.h>

#include <cctype>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>

#include "compose/network/firewall.hpp"
#include "compose/network/manager.hpp"
#include "compose/network/netns.hpp"
#include "e2e/engine_fixture.hpp"
#include "support/run_command.hpp"
#include "support/text.hpp"

namespace fs = std::filesystem;

namespace berth::test {
namespace {

std::string strip(std::string text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.pop_back();
  return text;
}

class Restore : public EngineFixture {
 protected:
  int pid_in(const std::string& file) const {
    int pid = 0;
    std::ifstream in(file);
    in >> pid;
    return pid;
  }
  std::string state_json() const {
    std::ifstream in(root() + "/projects/" + project() + "/state.json");
    return std::string(std::istreambuf_iterator<char>(in), {});
  }

  /// What a reboot takes: every process (containers, shims, berth-dns), the network namespaces,
  /// the links and this project's nftables rules (not the whole `inet berth` table: tests of
  /// other projects run beside this one), the mounts and files under the run dir.
  void simulate_reboot() {
    const auto state = nlohmann::json::parse(state_json());
    std::set<std::string> network_ids;
    for (const auto& c : state.at("containers")) {
      const std::string dir = run() + "/containers/" + c.at("id").get<std::string>();
      std::ifstream st(dir + "/state.json");
      const auto shim_state = nlohmann::json::parse(st, nullptr, false);
      if (shim_state.is_object() && shim_state.value("pid", 0) > 0 && shim_state.value("status", "") == "running")
        ::kill(shim_state.value("pid", 0), SIGKILL);  // the container's init: its whole pid namespace goes
      if (int shim = pid_in(dir + "/shim.pid"); shim > 0) ::kill(shim, SIGKILL);
      for (const auto& e : c.value("endpoints", nlohmann::json::array()))
        network_ids.insert(e.at("network_id").get<std::string>());
    }
    if (int dns = pid_in(run() + "/projects/" + project() + "/dns.pid"); dns > 0) ::kill(dns, SIGKILL);
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    network::Firewall firewall(network::HostLock::take);
    for (const auto& c : state.at("containers")) {
      firewall.remove_endpoint(c.at("id").get<std::string>());
      if (const std::string ns = c.value("netns", ""); !ns.empty() && network::netns_exists(ns))
        network::remove_netns(ns);
    }
    for (const auto& id : network_ids) {
      firewall.remove_network(id);
      run_command({"/usr/sbin/ip", "link", "del", network::bridge_name(id)}, "/", {});
    }
    // Whatever is still mounted under the run dir (shm tmpfs), then the files: /run is a tmpfs.
    std::ifstream mounts("/proc/self/mountinfo");
    std::vector<std::string> targets;
    for (std::string line; std::getline(mounts, line);) {
      std::istringstream words(line);
      std::string w, target;
      for (int i = 0; i < 5 && words >> w; ++i) target = w;
      if (target.rfind(run() + "/", 0) == 0) targets.push_back(target);
    }
    for (auto it = targets.rbegin(); it != targets.rend(); ++it) ::umount2(it->c_str(), MNT_DETACH);
    for (const auto& e : fs::directory_iterator(run())) fs::remove_all(e.path());
  }
};

TEST_F(Restore, ASimulatedRebootBringsBackWhatDockerdWould) {
  write_compose(std::string("services:\n") + "  web:\n    image: " + image +
                "\n    restart: always\n    ports: [\"127.0.0.1::8080\"]\n" +
                "    command: [\"sh\", \"-c\", \"mkdir -p /www; echo restored > /www/index.html; "
                "httpd -f -p 8080 -h /www\"]\n" +
                "  api:\n    image: " + image + "\n    restart: unless-stopped\n    command: [sleep, \"1000\"]\n" +
                "    depends_on: [web]\n" + "  paused:\n    image: " + image +
                "\n    restart: unless-stopped\n    command: [sleep, \"1000\"]\n" + "  once:\n    image: " + image +
                "\n    restart: \"no\"\n    command: [sh, -c, \"echo before the reboot; sleep 1000\"]\n");
  ASSERT_EQ(berth({"up", "-d"}).exit_code, 0);
  ASSERT_EQ(berth({"stop", "-t", "0", "paused"}).exit_code, 0);  // stopped by the user
  const std::string port = strip(berth({"port", "web", "8080"}).out);
  ASSERT_TRUE(contains(port, "127.0.0.1:")) << port;
  const std::string web_address = eth0_address("web");
  for (int i = 0; i < 50 && !contains(berth({"logs", "once"}).out, "before the reboot"); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(100));

  simulate_reboot();
  EXPECT_EQ(strip(berth({"ps", "-q"}).out), "") << "nothing should run after the reboot";

  auto restore = run_berth({"--root", root(), "--progress", "plain", "system", "restore"}, dir(), berth_env());
  remember();
  ASSERT_EQ(restore.exit_code, 0) << restore.err;
  EXPECT_TRUE(contains(restore.err, "Container " + project() + "-web-1 Started")) << restore.err;
  // Dependencies first.
  EXPECT_LT(restore.err.find(project() + "-web-1 Started"), restore.err.find(project() + "-api-1 Started"))
      << restore.err;
  const auto now = states();
  EXPECT_EQ(now.at(project() + "-web-1"), "running");
  EXPECT_EQ(now.at(project() + "-api-1"), "running");
  EXPECT_NE(now.at(project() + "-paused-1"), "running");
  EXPECT_NE(now.at(project() + "-once-1"), "running");
  // The same address, resolvable by name (berth-dns is back), and the published port answers.
  EXPECT_EQ(eth0_address("web"), web_address);
  auto lookup = berth({"exec", "-T", "api", "nslookup", "web"});
  EXPECT_EQ(nslookup_answer(lookup.out), web_address) << lookup.out << lookup.err;
  std::string page;
  for (int i = 0; i < 20 && page != "restored\n"; ++i) {
    page = run_command({"/bin/busybox", "timeout", "2", "wget", "-q", "-O", "-", "http://" + port + "/index.html"}, "/",
                       {})
               .out;
    if (page != "restored\n") std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_EQ(page, "restored\n");
  // Logs live under the root, not the run dir: what a container wrote before the reboot is still there.
  EXPECT_TRUE(contains(berth({"logs", "once"}).out, "before the reboot"));

  // A second restore finds nothing to do; down removes everything (checked by the fixture).
  auto again = run_berth({"--root", root(), "--progress", "plain", "system", "restore"}, dir(), berth_env());
  EXPECT_EQ(again.exit_code, 0) << again.err;
  EXPECT_FALSE(contains(again.err, "Started")) << again.err;
}

}  // namespace
}  // namespace berth::test
