#include "token_server.hpp"

#include <chrono>
#include <set>
#include <sstream>

namespace berth::test {

namespace {

using Json = nlohmann::json;

/// distribution accepts a token until `exp` plus this leeway (registry/auth/token: Leeway).
constexpr long long kRegistryLeewaySeconds = 60;

long long token_unix_seconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

MiniHttpReply token_error_reply(int status, const std::string& details) {
  return {status, Json{{"details", details}}.dump()};
}

std::vector<std::string> token_split_commas(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream ss(s);
  for (std::string item; std::getline(ss, item, ',');)
    if (!item.empty()) out.push_back(item);
  return out;
}

std::vector<std::string> token_form_values(const std::multimap<std::string, std::string>& form,
                                           const std::string& name) {
  std::vector<std::string> out;
  auto [b, e] = form.equal_range(name);
  for (auto it = b; it != e; ++it) out.push_back(it->second);
  return out;
}

std::string token_form_value(const std::multimap<std::string, std::string>& form, const std::string& name) {
  auto it = form.find(name);
  return it == form.end() ? std::string() : it->second;
}

}  // namespace

TokenServer::TokenServer(const std::string& dir, Options options) : m_options(std::move(options)), m_signer(dir) {
  m_http = std::make_unique<MiniHttpServer>([this](const MiniHttpRequest& r) { return handle(r); });
}

std::string TokenServer::realm() const { return "http://127.0.0.1:" + std::to_string(m_http->port()) + "/token"; }

std::string TokenServer::refresh_token_for(const std::string& user) {
  std::lock_guard lk(m_mu);
  std::string token = "refresh-" + user + "-" + std::to_string(++m_serial);
  m_refresh_tokens[token] = user;
  return token;
}

std::vector<TokenServer::Request> TokenServer::requests() const {
  std::lock_guard lk(m_mu);
  return m_requests;
}

MiniHttpReply TokenServer::handle(const MiniHttpRequest& request) {
  MiniHttpReply reply = answer(request);
  std::lock_guard lk(m_mu);
  m_requests.push_back({request.method, request.target, request.body, request.header("authorization"), reply.status});
  return reply;
}

std::string TokenServer::issue(const std::string& user, const std::string& service,
                               const std::vector<std::string>& scopes) {
  Json access = Json::array();
  for (const auto& scope : scopes) {  // repository:<name>:<actions>
    std::size_t first = scope.find(':'), last = scope.rfind(':');
    if (first == std::string::npos || last == first) continue;
    const std::string type = scope.substr(0, first), name = scope.substr(first + 1, last - first - 1);
    Json granted = Json::array();
    for (const auto& action : token_split_commas(scope.substr(last + 1))) {
      const bool ok =
          type == "repository" && (!user.empty() ? action == "pull" || action == "push"
                                                 : action == "pull" && name.rfind(m_options.public_prefix, 0) == 0);
      if (ok) granted.push_back(action);
    }
    if (!granted.empty()) access.push_back({{"type", type}, {"name", name}, {"actions", granted}});
  }
  const long long now = token_unix_seconds();
  int serial;
  {
    std::lock_guard lk(m_mu);
    serial = ++m_serial;
  }
  const Json claims = {{"iss", issuer()},
                       {"sub", user},
                       {"aud", service},
                       {"exp", now + m_options.valid_seconds - kRegistryLeewaySeconds},
                       {"nbf", now - 1},
                       {"iat", now},
                       {"jti", "berth-test-" + std::to_string(serial)},
                       {"access", access}};
  return m_signer.sign(claims);
}

MiniHttpReply TokenServer::answer(const MiniHttpRequest& request) {
  const std::size_t q = request.target.find('?');
  if (request.target.substr(0, q) != "/token") return token_error_reply(404, "no such endpoint");
  std::string user;
  std::multimap<std::string, std::string> form;
  bool offline = false;
  if (request.method == "GET") {
    form = parse_form(q == std::string::npos ? "" : request.target.substr(q + 1));
    offline = token_form_value(form, "offline_token") == "true";
    if (std::string auth = request.header("authorization"); !auth.empty()) {
      if (auth.rfind("Basic ", 0) != 0) return token_error_reply(401, "unsupported authorization");
      const std::string pair = base64_decode(auth.substr(6));
      const std::size_t colon = pair.find(':');
      user = pair.substr(0, colon);
      auto it = m_options.users.find(user);
      if (colon == std::string::npos || it == m_options.users.end() || it->second != pair.substr(colon + 1))
        return token_error_reply(401, "incorrect username or password");
    }
  } else if (request.method == "POST") {
    form = parse_form(request.body);
    if (token_form_value(form, "client_id").empty()) return token_error_reply(400, "missing client_id");
    const std::string grant = token_form_value(form, "grant_type");
    if (grant == "password") {
      user = token_form_value(form, "username");
      auto it = m_options.users.find(user);
      if (it == m_options.users.end() || it->second != token_form_value(form, "password"))
        return token_error_reply(401, "incorrect username or password");
      offline = token_form_value(form, "access_type") == "offline";
    } else if (grant == "refresh_token") {
      std::lock_guard lk(m_mu);
      auto it = m_refresh_tokens.find(token_form_value(form, "refresh_token"));
      if (it == m_refresh_tokens.end()) return token_error_reply(401, "invalid refresh token");
      user = it->second;
      if (m_options.rotate_refresh_tokens) {
        m_refresh_tokens.erase(it);
        offline = true;  // the answer carries the refresh token to use next
      }
    } else {
      return token_error_reply(400, "unsupported grant_type \"" + grant + "\"");
    }
  } else {
    return token_error_reply(400, "unsupported method");
  }
  const std::string service = token_form_value(form, "service");
  if (service != this->service()) return token_error_reply(400, "unknown service \"" + service + "\"");
  std::vector<std::string> scopes;
  for (const auto& s : token_form_values(form, "scope"))  // the POST form lists scopes space-separated
    for (std::size_t at = 0; at <= s.size();) {
      std::size_t sp = s.find(' ', at);
      if (sp != at) scopes.push_back(s.substr(at, sp == std::string::npos ? std::string::npos : sp - at));
      if (sp == std::string::npos) break;
      at = sp + 1;
    }
  const std::string token = issue(user, service, scopes);
  Json reply = {{"access_token", token}, {"expires_in", m_options.expires_in}};
  if (request.method == "GET") reply["token"] = token;
  if (offline && !user.empty() && m_options.refresh_tokens) reply["refresh_token"] = refresh_token_for(user);
  return {200, reply.dump()};
}

}  // namespace berth::test
