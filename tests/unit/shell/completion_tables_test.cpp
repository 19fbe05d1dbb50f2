// What the completion scripts key their tables on: each flag name with the kind of its value,
// positional arguments by index, the words after them, and exec/run's command line.
#include <gtest/gtest.h>

#include "compose/shell/completion.hpp"

namespace berth::shell {
namespace {

using Keys = std::vector<std::pair<std::string, std::string>>;

TEST(CompletionTables, FlagsAndPositionalsWithTheirKinds) {
  CommandSpec c;
  c.path = {"up"};
  FlagSpec detach;
  detach.longs = {"detach"};
  detach.shorts = {"d"};
  FlagSpec pull;
  pull.longs = {"pull"};
  pull.takes_value = true;
  pull.kind = ValueKind::Choice;
  pull.choices = {"always", "never"};
  FlagSpec file;
  file.longs = {"file"};
  file.takes_value = true;
  file.kind = ValueKind::File;
  c.flags = {detach, pull, file};
  PositionalSpec services;
  services.name = "services";
  services.kind = ValueKind::Service;
  services.repeatable = true;
  c.positionals = {services};
  EXPECT_EQ(completion_keys(c), (Keys{{"--detach", "bool"},
                                      {"-d", "bool"},
                                      {"--pull", "choice:always never"},
                                      {"--file", "file"},
                                      {"#0", "service"},
                                      {"#+", "service"}}));
}

TEST(CompletionTables, ACommandLineAfterTheService) {
  CommandSpec exec;
  exec.path = {"exec"};
  exec.takes_command_line = true;
  EXPECT_EQ(completion_keys(exec), (Keys{{"#0", "service"}, {"#+", "file"}, {"#cmdline", "yes"}}));
}

TEST(CompletionTables, QuotingForShAndFish) {
  EXPECT_EQ(single_quoted("it's"), "'it'\\''s'");
  EXPECT_EQ(single_quoted("it's a\\b", true), "'it\\'s a\\\\b'");
  EXPECT_EQ(short_description("Start services.\nMore."), "Start services");
}

TEST(CompletionTables, TablesNameSubcommandsAliasesAndKinds) {
  CommandSpec root;
  CommandSpec image;
  image.path = {"image"};
  image.description = "Manage images";
  CommandSpec ls;
  ls.path = {"image", "ls"};
  ls.aliases = {"list"};
  ls.description = "List images";
  image.subcommands = {ls};
  root.subcommands = {image};
  std::string t = posix_tables(root);
  EXPECT_NE(t.find("    '') _berth_a=('image:Manage images') ;;"), std::string::npos) << t;
  EXPECT_NE(t.find("    'image') _berth_a=('ls:List images' 'list:List images') ;;"), std::string::npos) << t;
  EXPECT_NE(t.find("    'image|ls'|'image|list') _berth_r='ls' ;;"), std::string::npos) << t;
}

}  // namespace
}  // namespace berth::shell
