// Man pages from a command description: one page per command, roff-safe text, options with
// their value names, choices and defaults, and the flags of the commands above under their own
// heading.
#include "compose/shell/man_page.hpp"

#include <gtest/gtest.h>

namespace berth::shell {
namespace {

CommandSpec sample() {
  CommandSpec root;
  root.description = "Berth";
  FlagSpec file;
  file.longs = {"file"};
  file.shorts = {"f"};
  file.takes_value = true;
  file.value_name = "FILE";
  file.description = "Compose files";
  file.repeatable = true;
  root.flags.push_back(file);
  CommandSpec image;
  image.path = {"image"};
  image.description = "Manage images";
  image.requires_subcommand = true;
  CommandSpec ls;
  ls.path = {"image", "ls"};
  ls.aliases = {"list"};
  ls.description = "List images.\n.Dots and back\\slashes";
  FlagSpec format;
  format.longs = {"format"};
  format.takes_value = true;
  format.value_name = "TEXT";
  format.choices = {"table", "json"};
  format.default_value = "table";
  format.description = "Format the output";
  ls.flags.push_back(format);
  image.subcommands.push_back(ls);
  root.subcommands.push_back(image);
  return root;
}

TEST(ManPage, OnePagePerCommandNamedAfterItsPath) {
  auto pages = man_pages(sample(), "0.1.0", "2026-12-07");
  std::vector<std::string> names;
  for (const auto& [name, text] : pages) names.push_back(name);
  EXPECT_EQ(names, (std::vector<std::string>{"berth-image-ls.1", "berth-image.1", "berth.1"}));
  const std::string& ls = pages["berth-image-ls.1"];
  EXPECT_NE(ls.find(".TH BERTH-IMAGE-LS 1 \"2026-12-07\" \"Berth 0.1.0\""), std::string::npos) << ls;
  EXPECT_NE(ls.find(".SH NAME\nberth-image-ls \\- List images\n"), std::string::npos) << ls;
  EXPECT_NE(ls.find(".SH SYNOPSIS\n\\fBberth image ls\\fR [\\fIOPTIONS\\fR]\n"), std::string::npos) << ls;
  EXPECT_NE(ls.find("Aliases: \\fBlist\\fR"), std::string::npos) << ls;
  EXPECT_NE(ls.find("\\fB\\-\\-format\\fR \\fITEXT\\fR\nFormat the output (one of: table json) [default: table]"),
            std::string::npos)
      << ls;
  // The global -f under its own heading; the parent is named in SEE ALSO.
  EXPECT_NE(
      ls.find(".SH GLOBAL OPTIONS\n.TP\n\\fB\\-f\\fR, \\fB\\-\\-file\\fR \\fIFILE\\fR\nCompose files (repeatable)"),
      std::string::npos)
      << ls;
  EXPECT_NE(ls.find(".SH SEE ALSO\n\\fBberth-image\\fR(1)"), std::string::npos) << ls;
  // A line starting with '.' is text, not a request; backslashes are printed.
  EXPECT_NE(ls.find("\n\\&.Dots and back\\eslashes"), std::string::npos) << ls;
  const std::string& image = pages["berth-image.1"];
  EXPECT_NE(image.find("\\fBberth image\\fR [\\fIOPTIONS\\fR] \\fICOMMAND\\fR"), std::string::npos) << image;
  EXPECT_NE(image.find(".SH COMMANDS\n.TP\n\\fBberth-image-ls\\fR(1)\nList images\n"), std::string::npos) << image;
}

TEST(ManPage, RoffEscape) {
  EXPECT_EQ(roff_escape("a-b \\n"), "a\\-b \\en");
  EXPECT_EQ(roff_escape(".x\n'y\nz.w"), "\\&.x\n\\&'y\nz.w");
}

}  // namespace
}  // namespace berth::shell
