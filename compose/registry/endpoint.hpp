#pragma once
// Where the images of a reference live, as docker resolves it: Docker Hub's `docker.io` is served
// by registry-1.docker.io and its credentials are stored under "https://index.docker.io/v1/";
// every other domain (host[:port]) is its own registry and credential key. Plain HTTP only for a
// loopback registry (localhost, 127.0.0.0/8, ::1) or one the configuration calls insecure; the
// others are HTTPS with TLS verified. Mirrors come first, the registry itself last.
#include <string>
#include <vector>

#include "compose/image/reference.hpp"
#include "compose/registry/config.hpp"

namespace berth::registry {

/// One place to ask: "https://registry-1.docker.io" or "http://127.0.0.1:5000".
struct Endpoint {
  std::string base_url;     ///< scheme://host[:port] (no trailing slash)
  std::string host;         ///< host[:port], as in URLs and certs.d/
  bool mirror = false;      ///< a mirror of the reference's registry (pull only)
  bool plain_http = false;  ///< no TLS (loopback or configured insecure)
  std::string path_prefix;  ///< a mirror's path below the host ("" for most)
};

/// The credential key of a domain: "https://index.docker.io/v1/" for docker.io, else the domain.
std::string credential_key(const std::string& domain);

/// The API host of a domain: registry-1.docker.io for docker.io, else the domain itself.
std::string api_host(const std::string& domain);

/// True for localhost, 127.0.0.0/8 and ::1 (with or without a port).
bool is_loopback_host(const std::string& host);

/// Endpoints for pulling `ref`, mirrors first (docker.io's `registry-mirrors`, then the
/// registry's own `mirrors`), the registry last. For pushing, use only the last.
std::vector<Endpoint> pull_endpoints(const image::Reference& ref, const Config& config);

/// The registry itself (push, login).
Endpoint registry_endpoint(const std::string& domain, const Config& config);

}  // namespace berth::registry
