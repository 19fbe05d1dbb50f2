#include "compose/registry/endpoint.hpp"

#include <arpa/inet.h>

#include <algorithm>

namespace berth::registry {

namespace {

constexpr const char* kDockerHub = "docker.io";

/// host without its port ("[::1]:5000" -> "::1", "localhost:5000" -> "localhost").
std::string strip_port(const std::string& host) {
  if (!host.empty() && host[0] == '[') {
    auto end = host.find(']');
    return end == std::string::npos ? host : host.substr(1, end - 1);
  }
  if (std::count(host.begin(), host.end(), ':') > 1) return host;  // bare IPv6
  return host.substr(0, host.find(':'));
}

Endpoint parse_mirror(const std::string& url) {
  Endpoint e;
  e.mirror = true;
  std::string rest = url;
  if (rest.rfind("http://", 0) == 0) {
    e.plain_http = true;
    rest = rest.substr(7);
  } else if (rest.rfind("https://", 0) == 0) {
    rest = rest.substr(8);
  }
  auto slash = rest.find('/');
  e.host = rest.substr(0, slash);
  if (slash != std::string::npos) e.path_prefix = rest.substr(slash);
  e.base_url = (e.plain_http ? "http://" : "https://") + e.host;
  return e;
}

}  // namespace

std::string credential_key(const std::string& domain) {
  return domain == kDockerHub ? "https://index.docker.io/v1/" : domain;
}

std::string api_host(const std::string& domain) { return domain == kDockerHub ? "registry-1.docker.io" : domain; }

bool is_loopback_host(const std::string& host) {
  const std::string h = strip_port(host);
  if (h == "localhost") return true;
  in_addr a4{};
  if (::inet_pton(AF_INET, h.c_str(), &a4) == 1) return (ntohl(a4.s_addr) >> 24) == 127;
  in6_addr a6{};
  if (::inet_pton(AF_INET6, h.c_str(), &a6) == 1) return IN6_IS_ADDR_LOOPBACK(&a6);
  return false;
}

Endpoint registry_endpoint(const std::string& domain, const Config& config) {
  Endpoint e;
  e.host = api_host(domain);
  e.plain_http = is_loopback_host(e.host) || config.options_for(domain).insecure;
  e.base_url = (e.plain_http ? "http://" : "https://") + e.host;
  return e;
}

std::vector<Endpoint> pull_endpoints(const image::Reference& ref, const Config& config) {
  std::vector<Endpoint> out;
  if (ref.domain == kDockerHub)
    for (const auto& m : config.docker_io_mirrors) out.push_back(parse_mirror(m));
  for (const auto& m : config.options_for(ref.domain).mirrors) out.push_back(parse_mirror(m));
  for (auto& m : out)
    if (!m.plain_http && config.options_for(m.host).insecure) {
      m.plain_http = true;
      m.base_url = "http://" + m.host;
    }
  out.push_back(registry_endpoint(ref.domain, config));
  return out;
}

}  // namespace berth::registry
