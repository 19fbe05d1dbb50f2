#pragma once
// A published or exposed port of a service, in long syntax (compose-go's ServicePortConfig).
// The loader expands short syntax ("127.0.0.1:8080:80/udp", ranges) into one of these per port.
#include <cstdint>
#include <string>

#include "compose/model/values.hpp"

namespace berth::model {

/// One entry of `services.<name>.ports`.
struct ServicePort {
  std::string name;
  std::string mode;  ///< "ingress" (default) or "host"
  std::string host_ip;
  std::uint32_t target = 0;  ///< container port
  std::string published;     ///< host port or range ("8080", "9090-9091"); empty = ephemeral
  std::string protocol;      ///< "tcp" (default) or "udp"
  std::string app_protocol;
  Extensions extensions;
};

template <Is<ServicePort> S, class V>
void fields(S& s, V&& v) {
  v("name", s.name);
  v("mode", s.mode);
  v("host_ip", s.host_ip);
  v("target", s.target);
  v("published", s.published);
  v("protocol", s.protocol);
  v("app_protocol", s.app_protocol);
}

}  // namespace berth::model
