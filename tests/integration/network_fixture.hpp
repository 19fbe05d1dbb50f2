#pragma once
// Shared harness for network integration tests: a temporary root per test (pid + counter in
// the name, so parallel test processes never collide), NetworkManager on it, netns created
// under the root, helpers that run `ip`/`nft`/`nsenter ... busybox ping` (tests only), and a
// teardown that removes everything and then checks that no link, netns, registry file or nft
// rule of this test is left.
#include <gtest/gtest.h>

#include <optional>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "compose/network/manager.hpp"
#include "support/run_command.hpp"  // run_shell

namespace berth::test {

/// `nsenter --net=<netns> busybox ping -c1 -W1 <address>` succeeded.
bool ping_from(const std::string& netns, const std::string& address);

/// `ip -j <args>` run inside `netns` (or on the host when empty), parsed.
nlohmann::json ip_json(const std::string& netns, const std::string& args);

/// Names of every link on the host (`ip -j link`).
std::set<std::string> host_links();

/// The whole ruleset as text (`nft -j list ruleset`).
std::string nft_ruleset();

class NetworkTest : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;

  /// Ensures a network named `<unique prefix>_<suffix>`; remembers it for teardown.
  network::NetworkState make_network(const std::string& suffix, network::NetworkConfig config = {});
  /// A netns bind-mounted at <run>/netns/<name>.
  std::string make_netns(const std::string& name);
  /// A 64-hex container id unique to this test.
  std::string container_id(int n) const;
  /// Attach request with eth<index> and default route.
  network::AttachRequest request(const std::string& container, const network::NetworkState& net,
                                 const std::string& netns, unsigned index = 0) const;

  std::string m_root;
  std::string m_run;
  std::optional<network::NetworkManager> m_mgr;
  std::vector<std::string> m_netns;           // paths made by make_netns
  std::vector<network::NetworkState> m_nets;  // networks made by make_network
  std::string m_prefix;                       // unique network name prefix
};

}  // namespace berth::test
