// berth-dns load benchmark: queries/s and latency percentiles for service names.
//
//   dns_bench --berth-dns PATH [--queries N] [--window W] [--port P] [--server-cpu C] [--client-cpu C]
//
// Starts the real berth-dns in the foreground (hidden --port option, since port 53 is fixed in
// production) with a records file whose gateway is 127.0.0.1 and whose client container is
// 127.0.0.2, pinned to one CPU; the client runs pinned to another, bound to 127.0.0.2, and keeps
// W queries in flight over UDP until N answers came back (bounded: it stops after 2 s without
// any answer). Names cycle through "web" (2 containers, rotated), "db" and "web.bench.internal".
// Prints one line: queries, answered, lost, seconds, qps, p50/p99/max latency in microseconds,
// and the server's CPU time (so its one-core capacity shows even on a machine that is busy).
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include "dns/wire.hpp"

namespace {

using Clock = std::chrono::steady_clock;
namespace wire = berth::dns;

struct Args {
  std::string binary;
  long queries = 200000;
  long window = 32;
  long port = 15353;
  int server_cpu = 0;
  int client_cpu = 1;
};

void pin(int cpu) {
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  ::sched_setaffinity(0, sizeof set, &set);
}

pid_t start_server(const Args& a, const std::string& dir) {
  std::ofstream(dir + "/dns.json") << R"({"ttl": 5, "search": ["bench.internal"],
    "networks": [{"id": "n", "gateway": "127.0.0.1"}],
    "containers": [
      {"id": "c", "name": "bench-client-1", "endpoints": [{"network": "n", "address": "127.0.0.2", "names": ["client"]}]},
      {"id": "w1", "name": "bench-web-1", "endpoints": [{"network": "n", "address": "127.0.0.3", "names": ["web"]}]},
      {"id": "w2", "name": "bench-web-2", "endpoints": [{"network": "n", "address": "127.0.0.4", "names": ["web"]}]},
      {"id": "d1", "name": "bench-db-1", "endpoints": [{"network": "n", "address": "127.0.0.5", "names": ["db"]}]}]})";
  int ready[2];
  if (::pipe(ready) != 0) return -1;
  pid_t pid = ::fork();
  if (pid == 0) {
    pin(a.server_cpu);
    ::dup2(ready[1], STDOUT_FILENO);
    ::close(ready[0]);
    std::string port = std::to_string(a.port);
    std::string records = dir + "/dns.json", pidf = dir + "/dns.pid", log = dir + "/dns.log";
    ::execl(a.binary.c_str(), a.binary.c_str(), "--records", records.c_str(), "--pid-file", pidf.c_str(), "--log",
            log.c_str(), "--foreground", "--port", port.c_str(), "--upstream", "127.0.0.1:9", nullptr);
    ::_exit(127);
  }
  ::close(ready[1]);
  char line[256] = {};
  ssize_t n = ::read(ready[0], line, sizeof line - 1);
  ::close(ready[0]);
  if (n <= 0 || !std::strstr(line, "\"ok\":true")) {
    std::fprintf(stderr, "berth-dns did not start: %s\n", line);
    return -1;
  }
  return pid;
}

std::vector<uint8_t> make_query(const char* name, uint16_t id) {
  wire::Message m;
  m.header.id = id;
  m.header.flags = wire::flag::kRd;
  m.questions.push_back({name, wire::kTypeA, wire::kClassIn});
  return *wire::encode_message(m);
}

}  // namespace

int main(int argc, char** argv) {
  Args a;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string k = argv[i], v = argv[i + 1];
    if (k == "--berth-dns")
      a.binary = v;
    else if (k == "--queries")
      a.queries = std::atol(v.c_str());
    else if (k == "--window")
      a.window = std::clamp(std::atol(v.c_str()), 1L, 4096L);
    else if (k == "--port")
      a.port = std::atol(v.c_str());
    else if (k == "--server-cpu")
      a.server_cpu = std::atoi(v.c_str());
    else if (k == "--client-cpu")
      a.client_cpu = std::atoi(v.c_str());
  }
  if (a.binary.empty()) {
    std::fprintf(stderr, "usage: dns_bench --berth-dns PATH [--queries N] [--window W] [--port P]\n");
    return 2;
  }
  char tmpl[] = "/tmp/berth-dns-bench-XXXXXX";
  if (!::mkdtemp(tmpl)) return 1;
  std::string dir = tmpl;
  pid_t server = start_server(a, dir);
  if (server < 0) return 1;
  pin(a.client_cpu);

  int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
  sockaddr_in local{}, remote{};
  local.sin_family = remote.sin_family = AF_INET;
  ::inet_pton(AF_INET, "127.0.0.2", &local.sin_addr);
  ::inet_pton(AF_INET, "127.0.0.1", &remote.sin_addr);
  remote.sin_port = htons(static_cast<uint16_t>(a.port));
  int big = 4 << 20;
  ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &big, sizeof big);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&local), sizeof local) != 0 ||
      ::connect(fd, reinterpret_cast<sockaddr*>(&remote), sizeof remote) != 0) {
    std::perror("client socket");
    return 1;
  }
  const char* names[] = {"web", "db", "web.bench.internal"};
  std::vector<std::vector<uint8_t>> packets;
  for (unsigned id = 0; id < 65536; ++id) packets.push_back(make_query(names[id % 3], static_cast<uint16_t>(id)));
  std::vector<Clock::time_point> sent(65536);
  std::vector<bool> pending(65536, false);
  std::vector<double> latencies;
  latencies.reserve(static_cast<size_t>(a.queries));

  long issued = 0, answered = 0, in_flight = 0, bad = 0;
  uint16_t next_id = 0;
  auto start = Clock::now();
  auto last_answer = start;
  while (answered < a.queries) {
    while (in_flight < a.window && issued < a.queries) {
      while (pending[next_id]) ++next_id;  // at most `window` ids are pending
      const auto& p = packets[next_id];
      sent[next_id] = Clock::now();
      if (::send(fd, p.data(), p.size(), 0) < 0) break;
      pending[next_id] = true;
      ++next_id;
      ++issued;
      ++in_flight;
    }
    uint8_t buf[1500];
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n < 0) {
      if (Clock::now() - last_answer > std::chrono::seconds(2)) break;  // lost answers: give up
      pollfd pfd{fd, POLLIN, 0};
      ::poll(&pfd, 1, 100);
      continue;
    }
    auto now = Clock::now();
    if (n < 12) continue;
    uint16_t id = static_cast<uint16_t>(buf[0] << 8 | buf[1]);
    if (!pending[id]) continue;
    pending[id] = false;
    --in_flight;
    ++answered;
    last_answer = now;
    if ((buf[3] & 0x0f) != 0 || (buf[6] == 0 && buf[7] == 0)) ++bad;  // rcode or no answer
    latencies.push_back(std::chrono::duration<double, std::micro>(now - sent[id]).count());
  }
  double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  ::kill(server, SIGTERM);
  rusage usage{};
  ::wait4(server, nullptr, 0, &usage);
  // CPU the server used: on a busy machine, answered / server_cpu is its one-core capacity.
  double server_cpu = static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
                      static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
  for (const char* f : {"/dns.json", "/dns.log", "/dns.pid"}) ::unlink((dir + f).c_str());
  ::rmdir(dir.c_str());

  std::sort(latencies.begin(), latencies.end());
  auto pct = [&](double p) {
    return latencies.empty() ? 0.0
                             : latencies[std::min(latencies.size() - 1, static_cast<size_t>(p * latencies.size()))];
  };
  std::printf(
      "queries=%ld answered=%ld lost=%ld wrong=%ld window=%ld seconds=%.3f qps=%.0f p50_us=%.1f p99_us=%.1f "
      "max_us=%.1f server_cpu_s=%.3f answers_per_server_cpu_s=%.0f\n",
      a.queries, answered, issued - answered, bad, a.window, seconds, answered / seconds, pct(0.50), pct(0.99),
      latencies.empty() ? 0.0 : latencies.back(), server_cpu, server_cpu > 0 ? answered / server_cpu : 0.0);
  return answered == a.queries && bad == 0 ? 0 : 1;
}
