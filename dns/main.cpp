// berth-dns's command line (docs/CONTRACTS.md, "DNS records file"):
//
//   berth-dns --records FILE --pid-file FILE [--upstream IP[:PORT]]... [--resolv-conf FILE]
//             [--log FILE] [--foreground]
//
// Order matters to the engine: read the records, bind every listener, and only then detach
// (setsid + double fork), write the pid file and print one readiness line on stdout:
// {"ok":true,"pid":N} — or {"ok":false,"error":"..."} with exit status 1, so the caller sees the
// real failure (a port already taken, an unreadable file) instead of a daemon that died later.
// Upstreams (--upstream, else the resolv.conf's nameservers) are the default for forwarded
// queries; a container with `upstreams` in the records file has its queries forwarded there.
// Hidden options for tests and benchmarks: --port N (instead of 53), --tcp-idle-ms N.
// Signals: SIGHUP reloads the records file, SIGTERM/SIGINT stop cleanly (pid file removed).
#include <linux/close_range.h>
#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/atomic_file.hpp"
#include "common/daemonize.hpp"
#include "dns/forwarder_pool.hpp"
#include "dns/records.hpp"
#include "dns/server.hpp"

namespace {

namespace asio = boost::asio;
using namespace berth::dns;

constexpr const char* kUsage =
    "usage: berth-dns --records FILE --pid-file FILE [--upstream IP[:PORT]]... [--resolv-conf FILE]\n"
    "                 [--log FILE] [--foreground]\n";

struct Options {
  std::string records;
  std::string pid_file;
  std::vector<std::string> upstreams;
  std::string resolv_conf = "/etc/resolv.conf";
  std::string log;
  bool foreground = false;
  uint16_t port = 53;
  long tcp_idle_ms = berth::dns::kTcpIdleTimeout.count();
};

std::string failure(const std::string& error) { return nlohmann::json{{"ok", false}, {"error", error}}.dump() + "\n"; }

int fail(const std::string& error) {
  std::fputs(failure(error).c_str(), stdout);
  std::fflush(stdout);
  return 1;
}

std::optional<std::string> parse_args(int argc, char** argv, Options& o) {
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg == "--foreground") {
      o.foreground = true;
      continue;
    }
    if (arg == "--help" || arg == "-h") return std::string(kUsage);
    if (i + 1 >= argc) return "option `" + std::string(arg) + "` needs a value";
    std::string value = argv[++i];
    if (arg == "--records")
      o.records = value;
    else if (arg == "--pid-file")
      o.pid_file = value;
    else if (arg == "--upstream")
      o.upstreams.push_back(value);
    else if (arg == "--resolv-conf")
      o.resolv_conf = value;
    else if (arg == "--log")
      o.log = value;
    else if (arg == "--port" || arg == "--tcp-idle-ms") {
      char* end = nullptr;
      long n = std::strtol(value.c_str(), &end, 10);
      if (value.empty() || *end || n <= 0 || (arg == "--port" && n > 65535)) return "bad value for " + std::string(arg);
      if (arg == "--port")
        o.port = static_cast<uint16_t>(n);
      else
        o.tcp_idle_ms = n;
    } else
      return "unknown option `" + std::string(arg) + "`";
  }
  if (o.records.empty()) return std::string("--records is required");
  if (o.pid_file.empty()) return std::string("--pid-file is required");
  // The daemon changes to `/`, and reload re-reads the records later: keep absolute paths.
  for (std::string* path : {&o.records, &o.pid_file, &o.resolv_conf, &o.log})
    if (!path->empty()) *path = std::filesystem::absolute(*path).lexically_normal().string();
  return std::nullopt;
}

void setup_logging(const Options& o) {
  std::shared_ptr<spdlog::logger> logger;
  if (!o.log.empty())
    logger = spdlog::basic_logger_mt("berth-dns", o.log);
  else
    logger = spdlog::stderr_logger_mt("berth-dns");
  logger->flush_on(spdlog::level::info);
  spdlog::set_default_logger(logger);
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  if (auto error = parse_args(argc, argv, o)) {
    if (*error == kUsage) {
      std::fputs(kUsage, stdout);
      return 0;
    }
    std::fprintf(stderr, "berth-dns: %s\n%s", error->c_str(), kUsage);
    return 2;
  }
  if (!o.foreground) {
    // A long-lived daemon must not hold what the caller let it inherit (an engine's lock file,
    // its pipes); close it all before opening our own descriptors.
    ::close_range(3, ~0U, 0);
  }
  try {
    setup_logging(o);
  } catch (const std::exception& e) {
    return fail(std::string("open log: ") + e.what());
  }

  asio::io_context io(1);
  std::optional<ForwarderPool> forwarders;
  std::optional<Server> server;
  try {
    auto records = Records::load(o.records);
    ForwarderOptions fopts;
    fopts.servers = o.upstreams;
    if (fopts.servers.empty()) {
      try {
        fopts.servers = parse_resolv_conf(berth::read_file(o.resolv_conf));
      } catch (const std::exception& e) {
        spdlog::warn("{}: no upstream servers", e.what());
      }
    }
    forwarders.emplace(io, fopts);
    ServerOptions sopts;
    sopts.records_path = o.records;
    sopts.port = o.port;
    sopts.tcp_idle_timeout = std::chrono::milliseconds(o.tcp_idle_ms);
    server.emplace(io, *forwarders, sopts, records);
    server->start();
    std::string ups;
    for (const auto& s : forwarders->default_forwarder().servers()) ups += " " + s;
    spdlog::info("upstream:{}", ups.empty() ? " (none)" : ups);
  } catch (const std::exception& e) {
    spdlog::error("{}", e.what());
    return fail(e.what());
  }

  berth::UniqueFd ready;
  if (!o.foreground) {
    io.notify_fork(asio::io_context::fork_prepare);
    berth::Daemonized d;
    try {
      d = berth::daemonize();
    } catch (const std::exception& e) {
      return fail(e.what());
    }
    if (!d.in_daemon) {
      // The caller's process: relay the daemon's readiness line.
      io.notify_fork(asio::io_context::fork_parent);
      if (d.readiness.empty()) return fail("berth-dns exited before it was ready (see the log)");
      std::fputs(d.readiness.c_str(), stdout);
      auto reply = nlohmann::json::parse(d.readiness, nullptr, false);
      return reply.is_object() && reply.value("ok", false) ? 0 : 1;
    }
    io.notify_fork(asio::io_context::fork_child);
    ready = std::move(d.ready);
  }

  // Handlers first: the engine may send SIGHUP as soon as it has read the readiness line.
  asio::signal_set signals(io, SIGHUP, SIGTERM, SIGINT);
  std::function<void(const boost::system::error_code&, int)> on_signal = [&](const boost::system::error_code& ec,
                                                                             int signo) {
    if (ec) return;
    if (signo == SIGHUP) {
      server->reload();
      signals.async_wait(on_signal);
      return;
    }
    spdlog::info("signal {}: stopping", signo);
    server->stop();
    io.stop();
  };
  signals.async_wait(on_signal);
  std::string ok = nlohmann::json{{"ok", true}, {"pid", ::getpid()}}.dump() + "\n";
  try {
    berth::write_file_atomic(o.pid_file, std::to_string(::getpid()) + "\n");
  } catch (const std::exception& e) {
    ok = failure(std::string("write pid file: ") + e.what());
  }
  if (o.foreground) {
    std::fputs(ok.c_str(), stdout);
    std::fflush(stdout);
  } else {
    (void)!::write(ready.get(), ok.data(), ok.size());
    ready.reset();
  }
  if (ok.find("\"ok\":false") != std::string::npos) return 1;

  spdlog::info("berth-dns {} ready", ::getpid());
  io.run();
  server.reset();
  forwarders.reset();
  // Only remove the pid file if it is still ours (a successor may have replaced it).
  try {
    if (berth::read_file(o.pid_file) == std::to_string(::getpid()) + "\n") ::unlink(o.pid_file.c_str());
  } catch (const std::exception&) {
  }
  spdlog::info("stopped");
  return 0;
}
