// BuildKit's plain progress format: numbered vertices, timed output lines (partial lines kept
// until their newline), CACHED / DONE / ERROR, and nothing at all in quiet mode.
#include "compose/build/build_progress.hpp"

#include <gtest/gtest.h>

#include <regex>
#include <sstream>

using berth::build::BuildProgress;

namespace {

TEST(BuildProgress, VerticesLinesAndOutcomes) {
  std::ostringstream out;
  BuildProgress p(out);
  int a = p.begin("[1/2] FROM docker.io/library/busybox:latest");
  p.done(a);
  int b = p.begin("[2/2] RUN make");
  EXPECT_EQ(b, a + 1);
  p.output(b, "cc -o app");
  p.output(b, " main.c\nlinking\npart");
  p.output(b, "", true);
  p.error(b, "process \"/bin/sh -c make\" did not complete successfully: exit code: 2");
  int c = p.begin("[3/3] COPY . /src");
  p.cached(c);
  std::regex expected(
      "#1 \\[1/2\\] FROM docker.io/library/busybox:latest\n#1 DONE \\d+\\.\\ds\n\n"
      "#2 \\[2/2\\] RUN make\n#2 \\d+\\.\\d{3} cc -o app main.c\n#2 \\d+\\.\\d{3} linking\n#2 \\d+\\.\\d{3} part\n"
      "#2 ERROR: process \"/bin/sh -c make\" did not complete successfully: exit code: 2\n"
      "#3 \\[3/3\\] COPY . /src\n#3 CACHED\n\n");
  EXPECT_TRUE(std::regex_match(out.str(), expected)) << out.str();
}

TEST(BuildProgress, QuietPrintsNothing) {
  std::ostringstream out;
  BuildProgress p(out, true);
  int v = p.begin("[1/1] FROM scratch");
  p.output(v, "x\n");
  p.note(v, "note");
  p.done(v);
  EXPECT_EQ(out.str(), "");
}

}  // namespace
