#pragma once
// A tiny HTTP/1.1 server for test fixtures: 127.0.0.1 on a free port, one thread that serves one
// connection at a time (each answered with `Connection: close`), requests bounded in size and
// time. The handler turns a parsed request into a status and a body. Stopped and joined when
// the object goes.
#include <atomic>
#include <functional>
#include <map>
#include <string>
#include <thread>

#include "common/unique_fd.hpp"

namespace berth::test {

struct MiniHttpRequest {
  std::string method;
  std::string target;                          ///< "/token?service=...&scope=..."
  std::map<std::string, std::string> headers;  ///< names lower case
  std::string body;
  std::string header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? std::string() : it->second;
  }
};

struct MiniHttpReply {
  int status = 200;
  std::string body;
  std::string content_type = "application/json";
};

class MiniHttpServer {
 public:
  using Handler = std::function<MiniHttpReply(const MiniHttpRequest&)>;
  explicit MiniHttpServer(Handler handler);
  ~MiniHttpServer();
  MiniHttpServer(const MiniHttpServer&) = delete;
  MiniHttpServer& operator=(const MiniHttpServer&) = delete;

  int port() const { return m_port; }

 private:
  void loop();
  void serve(int fd);
  Handler m_handler;
  UniqueFd m_listen;
  int m_port = 0;
  std::atomic<bool> m_stop{false};
  std::thread m_thread;
};

/// Decodes %XX and '+' (query strings and application/x-www-form-urlencoded bodies).
std::string url_decode(const std::string& s);
/// The pairs of "a=1&b=2&a=3", decoded, in order (a name may repeat: `scope`).
std::multimap<std::string, std::string> parse_form(const std::string& s);

}  // namespace berth::test
