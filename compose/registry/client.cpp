#include "compose/registry/client.hpp"

#include <curl/curl.h>

#include <algorithm>

#include <nlohmann/json.hpp>

#include "compose/gocompat/base64.hpp"
#include "compose/registry/challenge.hpp"

namespace berth::registry {

namespace {

using Json = nlohmann::json;

std::string escape(const std::string& s) {
  std::unique_ptr<char, void (*)(void*)> e(curl_easy_escape(nullptr, s.c_str(), static_cast<int>(s.size())), curl_free);
  return e ? std::string(e.get()) : s;
}

std::string lower_spaced(std::string code) {
  for (auto& c : code) c = c == '_' ? ' ' : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return code;
}

/// The `refresh_token` of a token server's answer to a login, "" when it has none (a server
/// may ignore offline_token; an answer that is not JSON still accepted the credentials).
std::string login_refresh_token(const HttpResponse& answer) {
  try {
    Json reply = Json::parse(answer.body);
    if (reply.is_object())
      if (auto it = reply.find("refresh_token"); it != reply.end() && it->is_string()) return it->get<std::string>();
  } catch (const Json::exception&) {
  }
  return "";
}

}  // namespace

std::string registry_error_text(const HttpResponse& response) {
  try {
    Json j = Json::parse(response.body);
    if (j.contains("errors") && j["errors"].is_array() && !j["errors"].empty()) {
      const Json& e = j["errors"][0];
      std::string code = e.value("code", ""), message = e.value("message", "");
      std::string text = code.empty() ? message : lower_spaced(code) + (message.empty() ? "" : ": " + message);
      if (!text.empty()) return text;
    }
    if (j.contains("details") && j["details"].is_string()) return j["details"].get<std::string>();  // token servers
  } catch (const Json::exception&) {
  }
  std::string body = response.body.substr(0, 200);
  while (!body.empty() && (body.back() == '\n' || body.back() == '\r')) body.pop_back();
  return "HTTP " + std::to_string(response.status) +
         (body.empty() || body.find('<') != std::string::npos ? "" : ": " + body);
}

void throw_registry_error(const HttpResponse& response, const std::string& what) {
  std::string code;
  try {
    Json j = Json::parse(response.body);
    if (j.contains("errors") && j["errors"].is_array() && !j["errors"].empty()) code = j["errors"][0].value("code", "");
  } catch (const Json::exception&) {
  }
  if (code.empty() && response.status == 401) code = "UNAUTHORIZED";
  if (code.empty() && response.status == 404) code = "NOT_FOUND";
  throw RegistryError(what, response.status, code, registry_error_text(response));
}

RepositoryClient::RepositoryClient(HttpClient& http, Endpoint endpoint, std::string repository,
                                   std::optional<Credentials> credentials, std::string actions, SaveCredentials save)
    : m_http(&http),
      m_endpoint(std::move(endpoint)),
      m_repository(std::move(repository)),
      m_credentials(std::make_shared<SharedCredentials>()),
      m_actions(std::move(actions)) {
  m_credentials->value = std::move(credentials);
  m_credentials->save = std::move(save);
}

std::string RepositoryClient::url(const std::string& suffix) const {
  return m_endpoint.base_url + m_endpoint.path_prefix + "/v2/" + m_repository + suffix;
}

HttpResponse RepositoryClient::send(HttpRequest request) {
  const std::vector<std::string> base_headers = request.headers;
  if (!m_authorization.empty() && std::chrono::steady_clock::now() >= m_expires) m_authorization.clear();
  if (!m_authorization.empty()) request.headers.push_back(m_authorization);
  HttpResponse r = m_http->perform(request);
  if (r.status != 401) return r;
  authenticate(r);
  request.headers = base_headers;
  request.headers.push_back(m_authorization);
  return m_http->perform(request);
}

void RepositoryClient::authenticate(const HttpResponse& unauthorized) {
  const auto challenges = parse_challenges(unauthorized.header("www-authenticate"));
  const std::string who = m_endpoint.host + "/" + m_repository;
  std::lock_guard lock(m_credentials->mu);
  std::optional<Credentials>& credentials = m_credentials->value;
  for (const auto& c : challenges) {
    if (c.scheme == "basic") {
      if (!credentials || credentials->username.empty())
        throw RegistryError(who, 401, "UNAUTHORIZED",
                            "authentication required (no credentials for " + m_endpoint.host + ": berth login)");
      m_authorization =
          "Authorization: Basic " + gocompat::base64_encode(credentials->username + ":" + credentials->password);
      m_expires = std::chrono::steady_clock::time_point::max();
      return;
    }
    if (c.scheme != "bearer") continue;
    const std::string realm = c.param("realm");
    if (realm.empty()) throw RegistryError(who, 401, "UNAUTHORIZED", "Bearer challenge without a realm");
    std::string scope = c.param("scope");
    if (scope.empty()) scope = "repository:" + m_repository + ":" + m_actions;
    HttpRequest token_req;
    token_req.url = realm;
    const bool refresh_grant = credentials && !credentials->identity_token.empty();
    if (refresh_grant) {
      token_req.method = "POST";
      token_req.headers.push_back("Content-Type: application/x-www-form-urlencoded");
      token_req.body = "grant_type=refresh_token&client_id=berth&service=" + escape(c.param("service")) +
                       "&scope=" + escape(scope) + "&refresh_token=" + escape(credentials->identity_token);
    } else {
      token_req.url += std::string(realm.find('?') == std::string::npos ? "?" : "&") +
                       "service=" + escape(c.param("service")) + "&scope=" + escape(scope);
      if (credentials && !credentials->username.empty()) {
        token_req.url += "&account=" + escape(credentials->username);
        token_req.headers.push_back("Authorization: Basic " +
                                    gocompat::base64_encode(credentials->username + ":" + credentials->password));
      }
    }
    HttpResponse tr = m_http->perform(token_req);
    if (tr.status == 401 || tr.status == 403)
      throw RegistryError(who, 401, "UNAUTHORIZED",
                          (credentials ? "the credentials for " + m_endpoint.host + " were refused"
                                       : std::string("authentication required")) +
                              " (" + registry_error_text(tr) + ")");
    if (tr.status < 200 || tr.status >= 300) throw_registry_error(tr, "token from " + realm);
    Json reply;
    try {
      reply = Json::parse(tr.body);
    } catch (const Json::exception&) {
      throw RegistryError("token from " + realm, tr.status, "", "the answer is not JSON");
    }
    if (!reply.is_object())
      throw RegistryError("token from " + realm, tr.status, "", "the answer is not a JSON object");
    auto text = [&](const char* key) -> std::string {
      auto it = reply.find(key);
      if (it == reply.end() || it->is_null()) return "";
      if (!it->is_string())
        throw RegistryError("token from " + realm, tr.status, "", std::string("`") + key + "` is not a string");
      return it->get<std::string>();
    };
    std::string token = text("token");
    if (token.empty()) token = text("access_token");
    if (token.empty()) throw RegistryError("token from " + realm, tr.status, "", "no token in the answer");
    double expires_in = 60;
    if (auto it = reply.find("expires_in"); it != reply.end() && !it->is_null()) {
      if (!it->is_number()) throw RegistryError("token from " + realm, tr.status, "", "`expires_in` is not a number");
      expires_in = std::clamp(it->get<double>(), 60.0, 1e9);  // the spec's minimum is 60 s
    }
    if (const std::string rotated = text("refresh_token");
        refresh_grant && !rotated.empty() && rotated != credentials->identity_token) {
      credentials->identity_token = rotated;  // the old one may no longer be valid
      if (m_credentials->save) m_credentials->save(*credentials);
    }
    m_authorization = "Authorization: Bearer " + token;
    m_expires = std::chrono::steady_clock::now() + std::chrono::seconds(static_cast<long long>(expires_in) - 10);
    return;
  }
  throw RegistryError(who, 401, "UNAUTHORIZED",
                      "unauthorized and no usable challenge (" + unauthorized.header("www-authenticate") + ")");
}

std::string check_login(HttpClient& http, const Endpoint& endpoint, const Credentials& credentials) {
  HttpRequest ping;
  ping.url = endpoint.base_url + "/v2/";
  HttpResponse r = http.perform(ping);
  if (r.status >= 200 && r.status < 300) return "";  // an open registry: nothing to check
  if (r.status != 401) throw_registry_error(r, "GET " + ping.url);
  const std::string basic =
      "Authorization: Basic " + gocompat::base64_encode(credentials.username + ":" + credentials.password);
  for (const auto& c : parse_challenges(r.header("www-authenticate"))) {
    HttpRequest check;
    if (c.scheme == "basic") {
      check.url = ping.url;
    } else if (c.scheme == "bearer" && !c.param("realm").empty()) {
      const std::string realm = c.param("realm");
      // offline_token asks for a refresh token as well (the token spec; docker asks the same).
      check.url = realm + (realm.find('?') == std::string::npos ? "?" : "&") + "service=" + escape(c.param("service")) +
                  "&account=" + escape(credentials.username) + "&offline_token=true&client_id=berth";
    } else {
      continue;
    }
    check.headers.push_back(basic);
    HttpResponse answer = http.perform(check);
    if (answer.status >= 200 && answer.status < 300) return c.scheme == "bearer" ? login_refresh_token(answer) : "";
    if (answer.status == 401 || answer.status == 403)
      throw RegistryError("login to " + endpoint.host, answer.status, "UNAUTHORIZED", "incorrect username or password");
    throw_registry_error(answer, "login to " + endpoint.host);
  }
  throw RegistryError("login to " + endpoint.host, 401, "UNAUTHORIZED",
                      "no supported authentication scheme (" + r.header("www-authenticate") + ")");
}

}  // namespace berth::registry
