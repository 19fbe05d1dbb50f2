// berth-dns killed while a project runs (issue 16): the shims of the project's containers start
// it again (runtime-shim/dns_watch.hpp), so names resolve again within 2 s; `ps` and `ls` warn
// while it is down.
#include <signal.h>
#include <sys/wait.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "e2e/engine_fixture.hpp"
#include "support/text.hpp"

namespace berth::test {
namespace {

class DnsRestart : public EngineFixture {
 protected:
  std::string dns_dir() const { return run() + "/projects/" + project(); }
  int pid_in(const std::string& file) const {
    int pid = 0;
    std::ifstream in(file);
    in >> pid;
    return pid;
  }
  /// A live (not zombie) process.
  static bool alive(int pid) {
    std::ifstream st("/proc/" + std::to_string(pid) + "/stat");
    std::string line;
    if (!std::getline(st, line)) return false;
    const auto close = line.rfind(')');
    return close != std::string::npos && line.size() > close + 2 && line[close + 2] != 'Z';
  }
  /// A berth-dns other than `old` runs for the project, waiting at most `limit`.
  int new_dns_within(int old, std::chrono::milliseconds limit) const {
    const auto end = std::chrono::steady_clock::now() + limit;
    do {
      const int pid = pid_in(dns_dir() + "/dns.pid");
      if (pid > 0 && pid != old && alive(pid)) return pid;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    } while (std::chrono::steady_clock::now() < end);
    return 0;
  }
  void kill_and_wait(int pid) {
    ASSERT_EQ(::kill(pid, SIGKILL), 0);
    for (int i = 0; i < 200 && alive(pid); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    ASSERT_FALSE(alive(pid));
  }
};

TEST_F(DnsRestart, AKilledBerthDnsIsStartedAgainByTheShimsWithinTwoSeconds) {
  write_compose(std::string("services:\n  a:\n    image: ") + image + "\n    command: [sleep, \"1000\"]\n" +
                "  b:\n    image: " + image + "\n    command: [sleep, \"1000\"]\n");
  ASSERT_EQ(berth({"up", "-d"}).exit_code, 0);
  const std::string b = eth0_address("b");
  ASSERT_EQ(nslookup_answer(berth({"exec", "-T", "a", "nslookup", "b"}).out), b);

  // Killed at a random moment: the shims notice at once.
  const int first = pid_in(dns_dir() + "/dns.pid");
  ASSERT_GT(first, 0);
  kill_and_wait(first);
  const int second = new_dns_within(first, std::chrono::seconds(2));
  ASSERT_GT(second, 0) << "berth-dns was not started again within 2 s";
  EXPECT_EQ(nslookup_answer(berth({"exec", "-T", "a", "nslookup", "b"}).out), b);
  EXPECT_EQ(berth({"ps"}).err.find("berth-dns"), std::string::npos);

  // While no shim can act (stopped), `ps` and `ls` say names do not resolve.
  std::vector<int> shims;
  for (const auto& [name, id] : container_ids()) shims.push_back(pid_in(run() + "/containers/" + id + "/shim.pid"));
  ASSERT_EQ(shims.size(), 2u);
  for (int pid : shims) ASSERT_EQ(::kill(pid, SIGSTOP), 0);
  kill_and_wait(second);
  auto ps = berth({"ps"});
  auto ls = berth({"ls"});
  for (int pid : shims) ::kill(pid, SIGCONT);
  EXPECT_TRUE(contains(ps.err, "berth-dns of project \"" + project() + "\" is not running")) << ps.err;
  EXPECT_TRUE(contains(ls.err, "berth-dns of project \"" + project() + "\" is not running")) << ls.err;
  ASSERT_GT(new_dns_within(second, std::chrono::seconds(2)), 0) << "berth-dns was not started again within 2 s";
  EXPECT_EQ(nslookup_answer(berth({"exec", "-T", "a", "nslookup", "b"}).out), b);

  // `down` stops it for good: no shim starts it again (the fixture checks no process is left).
  ASSERT_EQ(berth({"down", "-t", "0"}).exit_code, 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_FALSE(std::filesystem::exists(dns_dir()));
}

}  // namespace
}  // namespace berth::test
