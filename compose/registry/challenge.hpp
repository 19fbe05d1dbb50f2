#pragma once
// The `WWW-Authenticate` header of a registry's 401 (RFC 7235 challenges, as distribution sends
// them): `Bearer realm="https://auth.docker.io/token",service="registry.docker.io",
// scope="repository:library/busybox:pull"` or `Basic realm="Registry Realm"`. Parameters may be
// tokens or quoted strings with backslash escapes; several challenges may share one header.
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace berth::registry {

struct Challenge {
  std::string scheme;                         ///< lower case: "bearer", "basic"
  std::map<std::string, std::string> params;  ///< names lower case: realm, service, scope, error

  std::string param(const std::string& name) const {
    auto it = params.find(name);
    return it == params.end() ? std::string() : it->second;
  }
};

/// Every challenge in `header`; malformed parts end the parse (what came before is kept).
std::vector<Challenge> parse_challenges(std::string_view header);

}  // namespace berth::registry
