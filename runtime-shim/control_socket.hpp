#pragma once
// The shim's control socket server (<state-dir>/control.sock): JSON-lines requests in, one
// reply per request out, optionally with file descriptors attached (SCM_RIGHTS). The wire
// format is documented at the top of common/shim_protocol.hpp; the meaning of each operation
// lives in the supervisor, which handles the requests this server hands it.
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/unique_fd.hpp"
#include "runtime-shim/event_loop.hpp"

namespace berth::shim {

/// Serializes JSON for the wire and for state.json: one line, invalid UTF-8 replaced (probe
/// output and log text come from the container and may be anything).
std::string dump_json(const nlohmann::json& j);

class ControlServer {
 public:
  /// Sends the reply to one request, with `fds` attached to its first byte. May be called later
  /// (a deferred reply); calls after the first, or after the client left, do nothing.
  using Respond = std::function<void(const nlohmann::json& reply, std::vector<UniqueFd> fds)>;
  /// Handles one parsed request; must eventually call `respond` exactly once.
  using Dispatch = std::function<void(const nlohmann::json& request, const Respond& respond)>;

  /// Binds `path` (replacing a stale socket file), mode 0600, and serves it on `loop`.
  /// Throws SysError naming the path.
  ControlServer(EventLoop& loop, std::string path, Dispatch dispatch);
  /// Closes every connection and removes the socket file.
  ~ControlServer();
  ControlServer(const ControlServer&) = delete;
  ControlServer& operator=(const ControlServer&) = delete;

  const std::string& path() const { return m_path; }

 private:
  struct Connection;

  void accept_clients();
  void on_readable(const std::shared_ptr<Connection>& c);
  void process_lines(const std::shared_ptr<Connection>& c);
  void send(const std::shared_ptr<Connection>& c, std::string data, std::vector<UniqueFd> fds);
  void flush(const std::shared_ptr<Connection>& c);
  void close_connection(const std::shared_ptr<Connection>& c);

  EventLoop& m_loop;
  std::string m_path;
  Dispatch m_dispatch;
  UniqueFd m_listen;
  std::map<int, std::shared_ptr<Connection>> m_connections;
};

}  // namespace berth::shim
