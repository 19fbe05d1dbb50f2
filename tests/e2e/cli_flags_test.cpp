// Flags and forms of docker compose's CLI that Berth once rejected (issue 15), each checked for
// what docker compose does with it: `down SERVICE...`, up's attach/abort flags, run's tty and
// capability flags, and the parity fixes of kill and `up --no-deps`.
#include <nlohmann/json.hpp>

#include "e2e/engine_fixture.hpp"
#include "support/text.hpp"

namespace berth::test {
namespace {

class CliFlags : public EngineFixture {
 protected:
  /// NAME → State of the project's containers (`ps -a --format json`).
  std::map<std::string, std::string> states() {
    auto ps = berth({"ps", "-a", "--format", "json"});
    EXPECT_EQ(ps.exit_code, 0) << ps.err;
    std::map<std::string, std::string> out;
    std::istringstream lines(ps.out);
    for (std::string line; std::getline(lines, line);) {
      auto j = nlohmann::json::parse(line);
      out[j.value("Name", "")] = j.value("State", "");
    }
    return out;
  }
};

TEST_F(CliFlags, DownServicesRemovesOnlyThoseAndKeepsWhatOthersUse) {
  write_compose(std::string("services:\n  db:\n    image: ") + image +
                "\n    command: [\"sh\", \"-c\", \"echo kept > /data/f; exec sleep 1000\"]\n"
                "    volumes: [\"data:/data\"]\n"
                "  web:\n    image: " +
                image + "\n    command: [\"sleep\", \"1000\"]\n    depends_on: [db]\n    volumes: [\"data:/data\"]\n" +
                "  other:\n    image: " + image + "\n    command: [\"sleep\", \"1000\"]\n" + "volumes:\n  data: {}\n");
  auto up = berth({"up", "-d"});
  ASSERT_EQ(up.exit_code, 0) << up.err;
  const std::string p = project();

  auto unknown = berth({"down", "nope"});
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_TRUE(contains(unknown.err, "no such service: nope")) << unknown.err;

  auto down_web = berth({"down", "-v", "web", "other"});
  ASSERT_EQ(down_web.exit_code, 0) << down_web.err;
  EXPECT_TRUE(contains(down_web.err, "Container " + p + "-web-1 Removed")) << down_web.err;
  EXPECT_FALSE(contains(down_web.err, "Container " + p + "-db-1")) << down_web.err;
  auto s = states();
  EXPECT_EQ(s.size(), 1u);
  EXPECT_EQ(s[p + "-db-1"], "running");
  // db keeps its network and the volume it shares with web.
  EXPECT_EQ(eth0_address("db").rfind("(none", 0), std::string::npos);
  auto cat = berth({"exec", "-T", "db", "cat", "/data/f"});
  EXPECT_EQ(cat.exit_code, 0) << cat.err;
  EXPECT_EQ(cat.out, "kept\n");

  auto down_db = berth({"down", "-v", "db"});
  ASSERT_EQ(down_db.exit_code, 0) << down_db.err;
  EXPECT_TRUE(contains(down_db.err, "Network " + p + "_default Removed")) << down_db.err;
  EXPECT_TRUE(contains(down_db.err, "Volume " + p + "_data Removed")) << down_db.err;
  EXPECT_TRUE(states().empty());
  EXPECT_TRUE(leftovers().empty());
}

}  // namespace
}  // namespace berth::test
