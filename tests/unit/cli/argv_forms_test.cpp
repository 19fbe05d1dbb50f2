// pflag's command-line forms turned into CLI11's, and unknown commands found, on a small CLI of
// the same shape as berth's (global flags, a command with flags, a command with subcommands).
#include "compose/cli/argv_forms.hpp"

#include <gtest/gtest.h>

namespace berth::cli {
namespace {

struct SmallCli {
  CLI::App app{"test", "berth"};
  std::vector<std::string> files;
  std::string project;
  bool detach = false, quiet = false;
  std::vector<std::string> services;
  SmallCli() {
    app.require_subcommand(1);
    app.fallthrough();
    app.add_option("-f,--file", files);
    app.add_option("-p,--project-name", project);
    auto* up = app.add_subcommand("up");
    up->add_flag("-d,--detach", detach);
    up->add_flag("-q", quiet);
    up->add_option("services", services);
    auto* image = app.add_subcommand("image");
    image->require_subcommand(1);
    image->add_subcommand("ls");
  }
  std::vector<std::string> forms(std::vector<std::string> args) { return pflag_forms(app, args); }
  std::optional<std::string> unknown(std::vector<std::string> args) { return unknown_command(app, args); }
};

using V = std::vector<std::string>;

TEST(PflagForms, ShortOptionValuesAndBoolsAfterAnEqualsSign) {
  SmallCli c;
  EXPECT_EQ(c.forms({"-f=a.yaml", "up"}), (V{"-f", "a.yaml", "up"}));
  EXPECT_EQ(c.forms({"up", "-f=a.yaml"}), (V{"up", "-f", "a.yaml"})) << "a global flag after the verb";
  EXPECT_EQ(c.forms({"up", "-d=false", "web"}), (V{"up", "--detach=false", "web"}));
  EXPECT_EQ(c.forms({"up", "-q=true"}), (V{"up", "-q=true"})) << "no long form: left to CLI11";
  EXPECT_EQ(c.forms({"--file=a.yaml", "up", "--detach=true", "-dq"}),
            (V{"--file=a.yaml", "up", "--detach=true", "-dq"}));
  // A value that looks like an option is a value; nothing after "--" is touched.
  EXPECT_EQ(c.forms({"-p", "-d=x", "up"}), (V{"-p", "-d=x", "up"}));
  EXPECT_EQ(c.forms({"up", "--", "-f=x"}), (V{"up", "--", "-f=x"}));
  // And CLI11 then reads them as pflag does.
  V args = c.forms({"-f=a.yaml", "up", "-d=false", "web"});
  std::reverse(args.begin(), args.end());
  c.app.parse(args);
  EXPECT_EQ(c.files, V{"a.yaml"});
  EXPECT_FALSE(c.detach);
  EXPECT_EQ(c.services, V{"web"});
}

TEST(PflagForms, UnknownCommandsAreNamed) {
  SmallCli c;
  EXPECT_EQ(c.unknown({"foo"}), "foo");
  EXPECT_EQ(c.unknown({"-f", "up", "foo"}), "foo") << "`up` is the value of -f";
  EXPECT_EQ(c.unknown({"image", "foo"}), "image foo");
  EXPECT_EQ(c.unknown({"up", "foo"}), std::nullopt) << "a service name";
  EXPECT_EQ(c.unknown({"-p", "x", "image", "ls"}), std::nullopt);
  EXPECT_EQ(c.unknown({"--help"}), std::nullopt);
}

}  // namespace
}  // namespace berth::cli
