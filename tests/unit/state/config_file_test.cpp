// Berth's config files: which are read ($BERTH_CONFIG alone, else /etc then XDG/HOME) and the
// log defaults in them (dockerd's log-driver/log-opts keys).
#include "compose/state/config_file.hpp"

#include <gtest/gtest.h>

#include "support/files.hpp"
#include "support/temp_dir.hpp"

using namespace berth::state;

TEST(ConfigFile, WhichFilesAreRead) {
  EXPECT_EQ(config_file_paths({{"HOME", "/h"}}),
            (std::vector<std::string>{"/etc/berth/config.json", "/h/.config/berth/config.json"}));
  EXPECT_EQ(config_file_paths({{"HOME", "/h"}, {"XDG_CONFIG_HOME", "/x"}}),
            (std::vector<std::string>{"/etc/berth/config.json", "/x/berth/config.json"}));
  EXPECT_EQ(config_file_paths({{"HOME", "/h"}, {"BERTH_CONFIG", "/only.json"}}),
            (std::vector<std::string>{"/only.json"}));
}

TEST(ConfigFile, LogDefaultsFromBerthConfig) {
  berth::test::TempDir tmp("berth-config");
  std::string file = tmp / "config.json";
  berth::test::write_bytes(file, R"({"log-driver": "local", "log-opts": {"max-size": "10m", "max-file": 3}})");
  LogDefaults d = load_log_defaults({{"BERTH_CONFIG", file}});
  EXPECT_EQ(d.driver, "local");
  EXPECT_EQ(d.options, (std::map<std::string, std::string>{{"max-size", "10m"}, {"max-file", "3"}}));
  EXPECT_TRUE(load_log_defaults({{"BERTH_CONFIG", tmp / "missing.json"}}).options.empty());
}

TEST(ConfigFile, MalformedLogKeysNameTheFile) {
  LogDefaults d;
  auto error_of = [&](const std::string& text) {
    try {
      merge_log_defaults(d, text, "/c.json");
    } catch (const std::runtime_error& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_EQ(error_of("[1]"), "/c.json: expected a JSON object");
  EXPECT_EQ(error_of("{"), "/c.json: not valid JSON");
  EXPECT_EQ(error_of(R"({"log-driver": 1})"), "/c.json: log-driver: expected a string");
  EXPECT_EQ(error_of(R"({"log-opts": {"max-size": ["1m"]}})"), "/c.json: log-opts.max-size: expected a string");
  EXPECT_EQ(error_of(R"({"registry-mirrors": []})"), "no error");  // other keys are not ours
}
