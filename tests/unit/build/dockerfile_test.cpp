// parse_dockerfile (compose/build/dockerfile.cpp) as BuildKit's parser reads a Dockerfile:
// directives, comments, continuations, heredocs, flags, exec form detection and located errors.
#include "compose/build/dockerfile.hpp"

#include <gtest/gtest.h>

using namespace berth::build;

namespace {

std::string dockerfile_error_text(std::string_view text) {
  try {
    parse_dockerfile(text, "Dockerfile");
    return "no error";
  } catch (const DockerfileError& e) {
    return e.what();
  }
}

using DfFlags = std::vector<std::pair<std::string, std::string>>;

}  // namespace

TEST(DockerfileParse, InstructionsWithLinesAndArguments) {
  Dockerfile df = parse_dockerfile("FROM busybox\n\nrun echo hi  \nCopy . /app\n", "Dockerfile");
  ASSERT_EQ(df.instructions.size(), 3u);
  EXPECT_EQ(df.instructions[0].keyword, "FROM");
  EXPECT_EQ(df.instructions[0].args, "busybox");
  EXPECT_EQ(df.instructions[1].keyword, "RUN");
  EXPECT_EQ(df.instructions[1].args, "echo hi");
  EXPECT_EQ(df.instructions[1].line, 3);
  EXPECT_EQ(df.instructions[1].end_line, 3);
  EXPECT_EQ(df.instructions[2].keyword, "COPY");
  EXPECT_EQ(df.instructions[2].line, 4);
  EXPECT_EQ(df.lines.size(), 4u);
  EXPECT_EQ(df.lines[2], "run echo hi  ");
  EXPECT_EQ(df.escape, '\\');
  EXPECT_TRUE(df.warnings.empty());
}

TEST(DockerfileParse, CommentsAndContinuations) {
  const char* text =
      "# a comment\n"
      "FROM busybox\n"
      "  # indented comment\n"
      "RUN echo a \\\n"
      "  # comment inside\n"
      "\n"
      "    b \\   \n"
      "    c\n"
      "RUN echo 'x\\\\'\n"
      "RUN echo d\\\n";
  Dockerfile df = parse_dockerfile(text, "Dockerfile");
  ASSERT_EQ(df.instructions.size(), 4u);
  EXPECT_EQ(df.instructions[1].args, "echo a     b     c");
  EXPECT_EQ(df.instructions[1].line, 4);
  EXPECT_EQ(df.instructions[1].end_line, 8);
  EXPECT_EQ(df.instructions[2].args, "echo 'x\\\\'");  // an escaped escape does not continue
  EXPECT_EQ(df.instructions[3].args, "echo d");        // continuation at end of file
  ASSERT_EQ(df.warnings.size(), 1u);
  EXPECT_NE(df.warnings[0].find("Dockerfile:8: empty continuation line"), std::string::npos) << df.warnings[0];
}

TEST(DockerfileParse, Directives) {
  Dockerfile df = parse_dockerfile("# syntax=docker/dockerfile:1\n#escape=`\n# check=skip=all\nFROM x\nRUN a `\n b\n",
                                   "Dockerfile");
  EXPECT_EQ(df.escape, '`');
  EXPECT_EQ(df.syntax, "docker/dockerfile:1");
  EXPECT_EQ(df.check, "skip=all");
  ASSERT_EQ(df.warnings.size(), 1u);
  EXPECT_EQ(df.warnings[0],
            "Dockerfile:1: syntax directive ignored (building offline with Berth's own frontend): docker/dockerfile:1");
  ASSERT_EQ(df.instructions.size(), 2u);
  EXPECT_EQ(df.instructions[1].args, "a  b");

  // Only at the very top: after a comment, an empty line or an instruction they are comments.
  for (const char* late : {"# hello\n# escape=`\nFROM x\n", "\n# escape=`\nFROM x\n", "FROM x\n# escape=`\n"}) {
    EXPECT_EQ(parse_dockerfile(late, "Dockerfile").escape, '\\') << late;
  }
  EXPECT_EQ(dockerfile_error_text("# escape=x\nFROM a\n"),
            "Dockerfile:1: invalid escape token 'x' does not match ` or \\\n  1 | # escape=x");
  EXPECT_EQ(dockerfile_error_text("# escape=\\\n# ESCAPE=`\nFROM a\n"),
            "Dockerfile:2: only one escape parser directive can be used\n  2 | # ESCAPE=`");
}

TEST(DockerfileParse, BacktickEscapeKeepsBackslashes) {
  Dockerfile df = parse_dockerfile("# escape=`\nFROM x\nCOPY C:\\a\\ C:\\b\\\n", "Dockerfile");
  ASSERT_EQ(df.instructions.size(), 2u);
  EXPECT_EQ(df.instructions[1].args, "C:\\a\\ C:\\b\\");
}

TEST(DockerfileParse, Flags) {
  Dockerfile df = parse_dockerfile(
      "FROM --platform=linux/amd64 x AS b\n"
      "COPY --from=b --chown=\"a b\" --link --exclude=x --exclude=y src dst\n"
      "RUN --mount=type=cache,target=/c -- --not-a-flag\n"
      "RUN echo --not-a-flag\n",
      "Dockerfile");
  EXPECT_EQ(df.instructions[0].flags, (DfFlags{{"platform", "linux/amd64"}}));
  EXPECT_EQ(df.instructions[0].args, "x AS b");
  EXPECT_EQ(df.instructions[1].flags,
            (DfFlags{{"from", "b"}, {"chown", "a b"}, {"link", ""}, {"exclude", "x"}, {"exclude", "y"}}));
  EXPECT_EQ(df.instructions[1].flag_words[2], "--link");
  EXPECT_EQ(df.instructions[1].args, "src dst");
  EXPECT_EQ(df.instructions[2].flags, (DfFlags{{"mount", "type=cache,target=/c"}}));
  EXPECT_EQ(df.instructions[2].args, "--not-a-flag");
  EXPECT_TRUE(df.instructions[3].flags.empty());
  EXPECT_EQ(df.instructions[3].args, "echo --not-a-flag");
}

TEST(DockerfileParse, ExecFormDetection) {
  struct Case {
    const char* line;
    bool json;
    std::vector<std::string> args;
  };
  const std::vector<Case> cases{
      {"CMD [\"a\", \"b c\"]", true, {"a", "b c"}},
      {"ENTRYPOINT []", true, {}},
      {"RUN [ \"echo\" ]", true, {"echo"}},
      {"SHELL [\"/bin/sh\",\"-c\"]", true, {"/bin/sh", "-c"}},
      {"COPY [\"a b\", \"/d/\"]", true, {"a b", "/d/"}},
      {"VOLUME [\"/v\"]", true, {"/v"}},
      {"HEALTHCHECK CMD [\"curl\", \"x\"]", true, {"curl", "x"}},
      {"CMD [not json]", false, {}},
      {"CMD ['single']", false, {}},
      {"CMD [\"a\"] trailing", false, {}},
      {"CMD echo [\"a\"]", false, {}},
      {"LABEL [\"a\"]", false, {}},
  };
  for (const Case& c : cases) {
    Dockerfile df = parse_dockerfile(std::string("FROM x\n") + c.line + "\n", "Dockerfile");
    EXPECT_EQ(df.instructions[1].json_form, c.json) << c.line;
    EXPECT_EQ(df.instructions[1].json_args, c.args) << c.line;
  }
  EXPECT_EQ(
      dockerfile_error_text("FROM x\nCMD [\"a\", 1]\n"),
      "Dockerfile:2: when using JSON array syntax, arrays must be comprised of strings only\n  2 | CMD [\"a\", 1]");
}

TEST(DockerfileParse, Heredocs) {
  const char* text =
      "FROM x\n"
      "RUN <<EOF\n"
      "echo $HOME\n"
      "EOF\n"
      "RUN <<-\"END\" cat >/a && cat <<'B' >/b\n"
      "\t\tindented\n"
      "\tEND\n"
      "raw $x\n"
      "B\n"
      "COPY <<one <<two /dst/\n"
      "1\n"
      "one\n"
      "2\n"
      "two\n"
      "LABEL a=<<EOF\n"
      "RUN [\"cat\", \"<<EOF\"]\n";
  Dockerfile df = parse_dockerfile(text, "Dockerfile");
  ASSERT_EQ(df.instructions.size(), 6u);
  const Instruction& run = df.instructions[1];
  ASSERT_EQ(run.heredocs.size(), 1u);
  EXPECT_EQ(run.heredocs[0].name, "EOF");
  EXPECT_EQ(run.heredocs[0].content, "echo $HOME\n");
  EXPECT_TRUE(run.heredocs[0].expand);
  EXPECT_EQ(run.end_line, 4);

  const Instruction& two = df.instructions[2];
  ASSERT_EQ(two.heredocs.size(), 2u);
  EXPECT_EQ(two.heredocs[0].name, "END");
  EXPECT_EQ(two.heredocs[0].content, "indented\n");
  EXPECT_TRUE(two.heredocs[0].strip_tabs);
  EXPECT_FALSE(two.heredocs[0].expand);
  EXPECT_EQ(two.heredocs[1].name, "B");
  EXPECT_EQ(two.heredocs[1].content, "raw $x\n");
  EXPECT_FALSE(two.heredocs[1].expand);
  EXPECT_EQ(two.line, 5);
  EXPECT_EQ(two.end_line, 9);

  const Instruction& copy = df.instructions[3];
  ASSERT_EQ(copy.heredocs.size(), 2u);
  EXPECT_EQ(copy.heredocs[0].content, "1\n");
  EXPECT_EQ(copy.heredocs[1].content, "2\n");
  EXPECT_EQ(df.instructions[4].keyword, "LABEL");  // `<<` is literal outside RUN/COPY/ADD
  EXPECT_TRUE(df.instructions[4].heredocs.empty());
  EXPECT_TRUE(df.instructions[5].heredocs.empty());  // nor in exec form
  EXPECT_EQ(df.instructions[5].line, 16);
}

TEST(DockerfileParse, Errors) {
  struct Case {
    const char* text;
    const char* error;
  };
  const std::vector<Case> cases{
      {"FROM x\nRUNN echo\n", "Dockerfile:2: unknown instruction: RUNN (did you mean run?)\n  2 | RUNN echo"},
      {"FROM x\nxyzzy bar\n", "Dockerfile:2: unknown instruction: xyzzy\n  2 | xyzzy bar"},
      {"FROM x\nfoo bar\n", "Dockerfile:2: unknown instruction: foo (did you mean from?)\n  2 | foo bar"},
      {"", "Dockerfile:1: the Dockerfile cannot be empty"},
      {"# only a comment\n\n", "Dockerfile:1: the Dockerfile cannot be empty\n  1 | # only a comment"},
      {"FROM x\nRUN <<EOF\nnever ends\n", "Dockerfile:2: unterminated heredoc\n  2 | RUN <<EOF"},
      {"ARG A=1\nRUN x\n",
       "Dockerfile:2: no build stage in current context: the first instruction must be FROM (only ARG may come "
       "before it), not RUN\n  2 | RUN x"},
      {"ARG A=1\n", "Dockerfile:1: dockerfile contains no stages to build: no FROM instruction\n  1 | ARG A=1"},
  };
  for (const Case& c : cases) EXPECT_EQ(dockerfile_error_text(c.text), c.error) << c.text;
  try {
    parse_dockerfile("FROM x\n\nRUNN\n", "app/Dockerfile.dev");
    FAIL() << "no error";
  } catch (const DockerfileError& e) {
    EXPECT_EQ(e.line(), 3);
    EXPECT_EQ(std::string(e.what()).rfind("app/Dockerfile.dev:3: unknown instruction: RUNN", 0), 0u) << e.what();
  }
}

TEST(DockerfileParse, ByteOrderMarkAndCrlf) {
  Dockerfile df = parse_dockerfile("\xEF\xBB\xBF# escape=`\r\nFROM x\r\nRUN a `\r\n b\r\n", "Dockerfile");
  EXPECT_EQ(df.escape, '`');
  ASSERT_EQ(df.instructions.size(), 2u);
  EXPECT_EQ(df.instructions[1].args, "a  b");
  EXPECT_EQ(df.lines[1], "FROM x");
}

TEST(DockerfileParse, OnbuildTriggersKeepTheirHeredocs) {
  Dockerfile df = parse_dockerfile("FROM x\nONBUILD RUN <<EOF\nmake\nEOF\n", "Dockerfile");
  ASSERT_EQ(df.instructions.size(), 2u);
  EXPECT_EQ(df.instructions[1].args, "RUN <<EOF");
  ASSERT_EQ(df.instructions[1].heredocs.size(), 1u);
  EXPECT_EQ(df.instructions[1].heredocs[0].content, "make\n");
}
