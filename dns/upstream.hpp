#pragma once
// The text forms of upstream DNS servers, shared by the records file (a container's own
// `upstreams`), the command line (--upstream) and the host's resolv.conf. Pure functions: the
// records parser validates with them without pulling in c-ares, and the forwarder turns the
// normalised entries into c-ares' server list.
//
// Accepted: "IP" (port 53), "IPv4:PORT", "[IPv6]" and "[IPv6]:PORT"; an IPv6 address without
// brackets takes no port ("::1" is the address ::1, port 53). Ports are 1..65535.
#include <string>
#include <string_view>
#include <vector>

namespace berth::dns {

/// The normalised form of one upstream server as c-ares' CSV wants it: "1.2.3.4:53" or
/// "[::1]:53"; an empty string when `text` is none of the accepted forms above.
std::string upstream_csv_entry(std::string_view text);

/// The `nameserver` addresses of a resolv.conf text, in order.
std::vector<std::string> parse_resolv_conf(std::string_view text);

}  // namespace berth::dns
