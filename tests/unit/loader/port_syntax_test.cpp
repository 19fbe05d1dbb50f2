// Port short syntax (parse_port_spec) and services.*.ports normalisation: every example of the
// Compose Specification's ports section, compose-go's ordering quirk, and the error cases.
#include <gtest/gtest.h>

#include "compose/loader/normalize.hpp"
#include "compose/loader/yaml_to_json.hpp"

using namespace berth::loader;
using nlohmann::json;

namespace {

json ports(const std::string& spec) {
  json out = json::array();
  for (auto& p : parse_port_spec(spec)) out.push_back(p);
  return out;
}

json port(unsigned target, const char* published = nullptr, const char* host_ip = nullptr,
          const char* protocol = "tcp") {
  json p = {{"mode", "ingress"}, {"target", target}, {"protocol", protocol}};
  if (published) p["published"] = published;
  if (host_ip) p["host_ip"] = host_ip;
  return p;
}

std::string port_error(const std::string& spec) {
  try {
    parse_port_spec(spec);
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST(PortSpec, ContainerPortOnly) { EXPECT_EQ(ports("3000"), json::array({port(3000)})); }

TEST(PortSpec, ContainerRangeExpandsOnePerPort) {
  EXPECT_EQ(ports("3000-3005"), json::array({port(3000), port(3001), port(3002), port(3003), port(3004), port(3005)}));
}

TEST(PortSpec, PublishedAndTarget) {
  EXPECT_EQ(ports("8000:8000"), json::array({port(8000, "8000")}));
  EXPECT_EQ(ports("49100:22"), json::array({port(22, "49100")}));
  EXPECT_EQ(ports("9090-9091:8080-8081"), json::array({port(8080, "9090"), port(8081, "9091")}));
}

TEST(PortSpec, HostRangeForOneContainerPortStaysARange) {
  EXPECT_EQ(ports("8000-9000:80"), json::array({port(80, "8000-9000")}));
}

TEST(PortSpec, HostIp) {
  EXPECT_EQ(ports("127.0.0.1:8001:8001"), json::array({port(8001, "8001", "127.0.0.1")}));
  json range = ports("127.0.0.1:5000-5010:5000-5010");
  ASSERT_EQ(range.size(), 11u);
  EXPECT_EQ(range[0], port(5000, "5000", "127.0.0.1"));
  EXPECT_EQ(range[10], port(5010, "5010", "127.0.0.1"));
  EXPECT_EQ(ports("127.0.0.1::80"), json::array({port(80, nullptr, "127.0.0.1")}));
}

TEST(PortSpec, Ipv6HostIpBareOrBracketed) {
  EXPECT_EQ(ports("::1:6000:6000"), json::array({port(6000, "6000", "::1")}));
  EXPECT_EQ(ports("[::1]:6001:6001"), json::array({port(6001, "6001", "::1")}));
  EXPECT_EQ(ports("[2001:db8::1]:80:8080"), json::array({port(8080, "80", "2001:db8::1")}));
}

TEST(PortSpec, Protocol) {
  EXPECT_EQ(ports("6060:6060/udp"), json::array({port(6060, "6060", nullptr, "udp")}));
  EXPECT_EQ(ports("80/UDP"), json::array({port(80, nullptr, nullptr, "udp")}));
  EXPECT_EQ(ports("1:2/sctp"), json::array({port(2, "1", nullptr, "sctp")}));
  EXPECT_EQ(ports("80/"), json::array({port(80)}));
}

TEST(PortSpec, OrderedLikeComposeGoByPortString) {
  // compose-go sorts the "port/proto" keys as strings.
  EXPECT_EQ(ports("9998-10001"), json::array({port(10000), port(10001), port(9998), port(9999)}));
}

TEST(PortSpec, Errors) {
  EXPECT_NE(port_error("80:x").find("container port \"x\""), std::string::npos) << port_error("80:x");
  EXPECT_NE(port_error("x:80").find("published port \"x\""), std::string::npos);
  EXPECT_NE(port_error("8080-8079").find("reversed range"), std::string::npos);
  EXPECT_NE(port_error("8000-8001:80-82").find("different sizes"), std::string::npos);
  EXPECT_NE(port_error("80/icmp").find("protocol \"icmp\""), std::string::npos);
  EXPECT_NE(port_error("1.2.3:80:80").find("host ip \"1.2.3\""), std::string::npos);
  EXPECT_NE(port_error("[::1:80:80").find("bracketed"), std::string::npos);
  EXPECT_NE(port_error("80:").find("no container port"), std::string::npos);
  EXPECT_NE(port_error("").find("no container port"), std::string::npos);
  EXPECT_NE(port_error("70000").find("not a port number"), std::string::npos);
  EXPECT_NE(port_error("-80").find("not a port range"), std::string::npos);
  EXPECT_NE(port_error("80:x").find("\"80:x\""), std::string::npos);  // the message names the spec
}

TEST(PortSpec, NormalizesAServicePortList) {
  auto doc = parse_yaml(
      "services:\n"
      "  web:\n"
      "    ports:\n"
      "      - 3000\n"
      "      - \"3001-3002\"\n"
      "      - target: 80\n"
      "        published: 8080\n"
      "      - name: web-secured\n"
      "        target: 443\n"
      "        host_ip: 127.0.0.1\n"
      "        published: \"8083-9000\"\n"
      "        protocol: tcp\n"
      "        app_protocol: https\n"
      "        mode: host\n",
      "compose.yaml");
  Diagnostics diags(&doc.positions);
  normalize_project(doc.value, {"/wd", "/home", "p"}, diags);
  EXPECT_TRUE(diags.empty());
  const json& got = doc.value["services"]["web"]["ports"];
  ASSERT_EQ(got.size(), 5u);
  EXPECT_EQ(got[0], port(3000));
  EXPECT_EQ(got[1], port(3001));
  EXPECT_EQ(got[2], port(3002));
  EXPECT_EQ(got[3], port(80, "8080"));
  EXPECT_EQ(got[4], (json{{"name", "web-secured"},
                          {"target", 443},
                          {"host_ip", "127.0.0.1"},
                          {"published", "8083-9000"},
                          {"protocol", "tcp"},
                          {"app_protocol", "https"},
                          {"mode", "host"}}));
}

TEST(PortSpec, ReportsBadPortsAtTheirPositionAndCarriesOn) {
  auto doc = parse_yaml(
      "services:\n"
      "  web:\n"
      "    ports:\n"
      "      - \"80:x\"\n"
      "      - \"8080-8079:80\"\n"
      "      - 81\n",
      "compose.yaml");
  Diagnostics diags(&doc.positions);
  normalize_project(doc.value, {"/wd", "/home", "p"}, diags);
  ASSERT_EQ(diags.items().size(), 2u);
  EXPECT_EQ(diags.items()[0].path, "services.web.ports[0]");
  EXPECT_EQ(diags.items()[0].where.line, 4);
  EXPECT_EQ(diags.items()[1].path, "services.web.ports[1]");
  EXPECT_EQ(diags.items()[1].where.line, 5);
  EXPECT_NE(diags.items()[1].message.find("reversed range"), std::string::npos);
  EXPECT_EQ(doc.value["services"]["web"]["ports"].back(), port(81));
}
