// apply_run_overrides: the `run` flags applied to the typed service, here `-e` as docker compose
// resolves it (a bare VAR from the project environment, left out when that has none).
#include "compose/interactive/run_oneoff.hpp"

#include <gtest/gtest.h>
#include <stdlib.h>

namespace berth::interactive {
namespace {

model::Service service_with_env(model::MappingWithEquals env) {
  model::Service s;
  s.name = "app";
  s.image = "img";
  s.environment = std::move(env);
  return s;
}

TEST(RunOverrides, BareEnvTakesTheProjectEnvironment) {
  // The project environment is the shell over --env-file / COMPOSE_ENV_FILES / .env, as loaded.
  const std::map<std::string, std::string> project_env{{"FROM_DOTENV", "dotenv"}, {"SHELL_VAR", "shell"}};
  ::unsetenv("FROM_DOTENV");  // not in this process's environment: only the project's has it
  model::Service s = service_with_env({{"KEPT", "service"}, {"UNSET_HERE", "service"}});
  RunOptions o;
  o.service = "app";
  o.env = {"FROM_DOTENV", "SHELL_VAR", "UNSET_HERE", "EXPLICIT=1", "EMPTY="};
  apply_run_overrides(s, o, "/proj", project_env);
  EXPECT_EQ(s.environment.at("FROM_DOTENV"), "dotenv");
  EXPECT_EQ(s.environment.at("SHELL_VAR"), "shell");
  EXPECT_EQ(s.environment.at("UNSET_HERE"), "service");  // an unset VAR is left out of the overrides
  EXPECT_EQ(s.environment.at("KEPT"), "service");
  EXPECT_EQ(s.environment.at("EXPLICIT"), "1");
  EXPECT_EQ(s.environment.at("EMPTY"), "");
}

TEST(RunOverrides, BadEnvIsRefused) {
  model::Service s = service_with_env({});
  RunOptions o;
  o.env = {"=x"};
  EXPECT_THROW(apply_run_overrides(s, o, "/proj", {}), std::runtime_error);
}

}  // namespace
}  // namespace berth::interactive
