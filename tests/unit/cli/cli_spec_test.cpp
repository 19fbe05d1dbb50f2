// describe_cli reads a CLI11 app back: visible commands and aliases, flags and whether they take
// a value, choices from IsMember checks, value kinds from type names and positional names.
#include "compose/cli/cli_spec.hpp"

#include <gtest/gtest.h>

namespace berth::cli {
namespace {

TEST(CliSpec, CommandsFlagsChoicesAndKinds) {
  CLI::App app{"test", "berth"};
  std::string file, ansi, project;
  bool detach = false;
  std::vector<std::string> services;
  app.add_option("-f,--file", file, "Files")->type_name("FILE");
  app.add_option("--ansi", ansi, "ANSI")->check(CLI::IsMember({"never", "always"}));
  app.add_option("-p", project, "Project")->type_name("PROJECT");
  auto* up = app.add_subcommand("up", "Create and start containers");
  up->alias("u");
  up->add_flag("-d,--detach", detach, "Detached");
  up->add_option("services", services, "Services");
  app.add_subcommand("__hidden", "Hidden")->group("");
  auto* exec = app.add_subcommand("exec", "Exec");
  exec->prefix_command();

  shell::CommandSpec spec = describe_cli(app);
  ASSERT_EQ(spec.subcommands.size(), 2u);  // __hidden is left out
  const auto& f = spec.flags;
  ASSERT_EQ(f.size(), 4u);  // -h/--help, -f/--file, --ansi, -p
  EXPECT_EQ(f[1].longs, std::vector<std::string>{"file"});
  EXPECT_EQ(f[1].shorts, std::vector<std::string>{"f"});
  EXPECT_TRUE(f[1].takes_value);
  EXPECT_EQ(f[1].kind, shell::ValueKind::File);
  EXPECT_EQ(f[2].kind, shell::ValueKind::Choice);
  EXPECT_EQ(f[2].choices, (std::vector<std::string>{"never", "always"}));
  EXPECT_EQ(f[3].kind, shell::ValueKind::Project);
  const auto& u = spec.subcommands[0];
  EXPECT_EQ(u.path, std::vector<std::string>{"up"});
  EXPECT_EQ(u.aliases, std::vector<std::string>{"u"});
  EXPECT_FALSE(u.flags[1].takes_value);
  ASSERT_EQ(u.positionals.size(), 1u);
  EXPECT_EQ(u.positionals[0].kind, shell::ValueKind::Service);
  EXPECT_TRUE(u.positionals[0].repeatable);
  EXPECT_TRUE(spec.subcommands[1].takes_command_line);
}

}  // namespace
}  // namespace berth::cli
