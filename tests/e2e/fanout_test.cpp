// The issue's 20-service fan-out end to end, as root: hub + 19 services depending on it on the
// project network, started in parallel; every service name resolves (through berth-dns) to the
// address that container really has, from the hub and back to the hub from every dependant.
#include <algorithm>
#include <regex>
#include <set>
#include <string>

#include "engine_fixture.hpp"

using berth::test::EngineFixture;

namespace {

constexpr int kDependants = 19;

}  // namespace

class Fanout : public EngineFixture {
 protected:
  void SetUp() override {
    if (auto missing = berth::test::engine_e2e_missing(); !missing.empty()) GTEST_SKIP() << missing;
    EngineFixture::SetUp();
  }
};

TEST_F(Fanout, TwentyServicesResolveEachOtherByName) {
  const std::string cmd = R"(command: ["sh", "-c", "trap 'exit 0' TERM; sleep 3600 & wait"])";
  std::string yaml = "services:\n  hub:\n    image: busybox:e2e\n    " + cmd + "\n";
  for (int i = 1; i <= kDependants; ++i)
    yaml += "  s" + std::to_string(i) + ":\n    image: busybox:e2e\n    " + cmd + "\n    depends_on: [hub]\n";
  write_compose(yaml);
  auto up = berth({"up", "-d"});
  ASSERT_EQ(up.exit_code, 0) << up.err;
  auto ps = berth({"ps", "-q"});
  EXPECT_EQ(std::count(ps.out.begin(), ps.out.end(), '\n'), kDependants + 1) << ps.out;

  const std::string hub = eth0_address("hub");
  ASSERT_TRUE(std::regex_match(hub, std::regex(R"(\d+\.\d+\.\d+\.\d+)"))) << hub;
  std::set<std::string> seen = {hub};
  for (int i = 1; i <= kDependants; ++i) {
    const std::string name = "s" + std::to_string(i);
    const std::string own = eth0_address(name);
    EXPECT_TRUE(seen.insert(own).second) << name << " shares the address " << own;
    auto forward = berth({"exec", "-T", "hub", "nslookup", name});
    EXPECT_EQ(berth::test::nslookup_answer(forward.out), own) << name << " from hub:\n" << forward.out << forward.err;
    auto back = berth({"exec", "-T", name, "nslookup", "hub"});
    EXPECT_EQ(berth::test::nslookup_answer(back.out), hub) << "hub from " << name << ":\n" << back.out << back.err;
  }
}
