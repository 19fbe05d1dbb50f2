#include "mini_http_server.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace berth::test {

namespace {

constexpr std::size_t kMiniHttpMaxRequest = 1 << 20;

const char* mini_http_reason(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    default:
      return "Status";
  }
}

bool mini_http_send_all(int fd, const std::string& data) {
  std::size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::send(fd, data.data() + done, data.size() - done, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += static_cast<std::size_t>(n);
  }
  return true;
}

std::string mini_http_lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string mini_http_trim(const std::string& s) {
  auto b = s.find_first_not_of(" \t\r"), e = s.find_last_not_of(" \t\r");
  return b == std::string::npos ? std::string() : s.substr(b, e - b + 1);
}

}  // namespace

std::string url_decode(const std::string& s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') {
      out += ' ';
    } else if (s[i] == '%' && i + 2 < s.size() && std::isxdigit(static_cast<unsigned char>(s[i + 1])) &&
               std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
      out += static_cast<char>(std::stoi(s.substr(i + 1, 2), nullptr, 16));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

std::multimap<std::string, std::string> parse_form(const std::string& s) {
  std::multimap<std::string, std::string> out;
  std::size_t start = 0;
  while (start <= s.size()) {
    std::size_t amp = s.find('&', start);
    std::string pair = s.substr(start, amp == std::string::npos ? std::string::npos : amp - start);
    if (!pair.empty()) {
      std::size_t eq = pair.find('=');
      out.emplace(url_decode(pair.substr(0, eq)), eq == std::string::npos ? "" : url_decode(pair.substr(eq + 1)));
    }
    if (amp == std::string::npos) break;
    start = amp + 1;
  }
  return out;
}

MiniHttpServer::MiniHttpServer(Handler handler) : m_handler(std::move(handler)) {
  m_listen = UniqueFd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!m_listen) throw std::runtime_error(std::string("socket: ") + std::strerror(errno));
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  if (::bind(m_listen.get(), reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || ::listen(m_listen.get(), 16) != 0 ||
      ::getsockname(m_listen.get(), reinterpret_cast<sockaddr*>(&a), &len) != 0)
    throw std::runtime_error(std::string("bind/listen on 127.0.0.1: ") + std::strerror(errno));
  m_port = ntohs(a.sin_port);
  m_thread = std::thread([this] { loop(); });
}

MiniHttpServer::~MiniHttpServer() {
  m_stop = true;
  if (m_thread.joinable()) m_thread.join();
}

void MiniHttpServer::loop() {
  while (!m_stop) {
    pollfd p{m_listen.get(), POLLIN, 0};
    if (::poll(&p, 1, 100) <= 0) continue;
    UniqueFd c(::accept4(m_listen.get(), nullptr, nullptr, SOCK_CLOEXEC));
    if (!c) continue;
    timeval tv{5, 0};  // a client that stalls cannot hold the fixture
    ::setsockopt(c.get(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    ::setsockopt(c.get(), SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    try {
      serve(c.get());
    } catch (const std::exception&) {  // a malformed request (bad Content-Length): drop the connection
    }
  }
}

void MiniHttpServer::serve(int fd) {
  std::string data;
  char buf[8192];
  std::size_t header_end;
  while ((header_end = data.find("\r\n\r\n")) == std::string::npos) {
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0 || data.size() > kMiniHttpMaxRequest) return;
    data.append(buf, static_cast<std::size_t>(n));
  }
  MiniHttpRequest req;
  std::size_t line_end = data.find("\r\n");
  const std::string request_line = data.substr(0, line_end);
  std::size_t sp1 = request_line.find(' '), sp2 = request_line.rfind(' ');
  if (sp1 == std::string::npos || sp2 <= sp1) return;
  req.method = request_line.substr(0, sp1);
  req.target = request_line.substr(sp1 + 1, sp2 - sp1 - 1);
  for (std::size_t at = line_end + 2; at < header_end;) {
    std::size_t eol = data.find("\r\n", at);
    std::string line = data.substr(at, eol - at);
    if (std::size_t colon = line.find(':'); colon != std::string::npos)
      req.headers[mini_http_lower(line.substr(0, colon))] = mini_http_trim(line.substr(colon + 1));
    at = eol + 2;
  }
  std::size_t length = 0;
  if (std::string cl = req.header("content-length"); !cl.empty()) length = std::stoul(cl);
  if (length > kMiniHttpMaxRequest) return;
  req.body = data.substr(header_end + 4);
  while (req.body.size() < length) {
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    req.body.append(buf, static_cast<std::size_t>(n));
  }
  req.body.resize(length);
  MiniHttpReply reply = m_handler(req);
  mini_http_send_all(fd, "HTTP/1.1 " + std::to_string(reply.status) + " " + mini_http_reason(reply.status) +
                             "\r\nContent-Type: " + reply.content_type + "\r\nContent-Length: " +
                             std::to_string(reply.body.size()) + "\r\nConnection: close\r\n\r\n" + reply.body);
}

}  // namespace berth::test
