// Networks, namespaces and volumes as docker compose has them (issue 14): `links` aliases,
// MAC addresses and interface names, networks recreated when their config changed, ipc/pid
// namespaces shared with another service, volumes_from with anonymous volumes, network_mode
// service:x with x gone, and the local volume driver's mount options.
#include <filesystem>
#include <nlohmann/json.hpp>
#include <regex>

#include "e2e/engine_fixture.hpp"
#include "support/files.hpp"
#include "support/text.hpp"

namespace berth::test {
namespace {

class ParityNetwork : public EngineFixture {};

constexpr const char* kSleeper = "    command: [\"sleep\", \"1000\"]\n";

TEST_F(ParityNetwork, MacAddressesAndInterfaceNamesAreHonoured) {
  // The service's mac_address goes to its primary network (highest priority); a network's own
  // mac_address and interface_name to that network's interface.
  write_compose(std::string("services:\n  app:\n    image: ") + image + "\n" + kSleeper +
                "    mac_address: 02:42:0a:0b:0c:0d\n"
                "    networks:\n      front: {priority: 10}\n"
                "      back: {mac_address: '12:34:56:78:9a:bc', interface_name: backside}\n"
                "networks:\n  front:\n  back:\n");
  auto up = berth({"up", "-d"});
  ASSERT_EQ(up.exit_code, 0) << up.err;
  auto links = berth({"exec", "-T", "app", "ip", "-o", "link"});
  ASSERT_EQ(links.exit_code, 0) << links.err;
  EXPECT_TRUE(std::regex_search(links.out, std::regex(R"(: eth0(@\w+)?: [^\n]*link/ether 02:42:0a:0b:0c:0d )"))) << links.out;
  EXPECT_TRUE(std::regex_search(links.out, std::regex(R"(: backside(@\w+)?: [^\n]*link/ether 12:34:56:78:9a:bc )")))
      << links.out;
  // The renamed interface carries the network's address.
  auto addr = berth({"exec", "-T", "app", "ip", "-4", "-o", "addr", "show", "backside"});
  EXPECT_TRUE(contains(addr.out, "inet ")) << addr.out << addr.err;

  // docker compose's prepareContainerMACAddress refuses two MACs for the primary network.
  write_compose(std::string("services:\n  app:\n    image: ") + image + "\n" + kSleeper +
                "    mac_address: 02:42:0a:0b:0c:0d\n    networks:\n      front: {mac_address: '02:42:0a:0b:0c:0e'}\n"
                "networks:\n  front:\n");
  auto clash = berth({"up", "-d"});
  EXPECT_NE(clash.exit_code, 0) << clash.err;
  EXPECT_TRUE(contains(clash.err, "the service-level mac_address should have the same value as network front"))
      << clash.err;
}

}  // namespace
}  // namespace berth::test
