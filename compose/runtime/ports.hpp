#pragma once
// Published ports: from the model's long syntax to the firewall's PortMapping list (ranges
// expanded, ephemeral host ports chosen), the ps text, and the check `up` makes before creating
// anything: a host port must be free on the host (we try to bind it) and not published by
// another Berth container (DNAT rules hold no socket, so binding alone would not see them).
#include <string>
#include <vector>

#include "compose/model/service.hpp"
#include "compose/network/firewall.hpp"
#include "compose/state/paths.hpp"

namespace berth::runtime {

/// The host port mappings of a service; "" published = an ephemeral port picked now;
/// "8000-8002" with target range... the loader already expands; a host range for one target
/// takes its first free port. Throws std::runtime_error for a port that does not parse.
std::vector<network::PortMapping> publish_ports(const model::Service& svc);

/// "0.0.0.0:8080->80/tcp" (host_ip "" prints as 0.0.0.0).
std::string port_text(const std::string& host_ip, unsigned host_port, unsigned target, const std::string& proto);

/// port_text's inverse ("127.0.0.1:8080->80/tcp", "0.0.0.0:53->53/udp"): the mapping a
/// container record keeps for `ps`, as the firewall needs it again after a reboot. Throws
/// std::runtime_error naming the text when it is not of that form.
network::PortMapping parse_port_text(const std::string& text);

/// The ports a container exposes without publishing them, as docker's ps shows them ("80/tcp"):
/// `expose:` entries ("3000", "8000-8002/udp": ranges expanded) and the image's EXPOSE, minus the
/// targets `published` maps; sorted by port, then protocol, each once.
std::vector<std::string> exposed_only(const std::vector<std::string>& expose,
                                      const std::vector<std::string>& image_exposed,
                                      const std::vector<network::PortMapping>& published);

/// Throws "Bind for 0.0.0.0:8080 failed: port is already allocated" for the first fixed host
/// port of `svc` that is taken: bound on the host, or published by a container of another
/// project (or of this project, other than `except_ids`) recorded under `paths`.
void check_ports_free(const state::Paths& paths, const model::Service& svc, const std::vector<std::string>& except_ids);

}  // namespace berth::runtime
