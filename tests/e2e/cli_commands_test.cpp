// Commands and flags of issue 15, as docker compose's: scale converges the named services with new
// replica counts (dependencies too unless --no-deps); wait blocks until the services' containers
// stop, prints each exit, and exits with the last code (--down-project removes the project);
// volumes lists the project's volumes or those of some services; ps --filter and --orphans; the
// tables padded as docker's formatters pad them; stats reads the containers' cgroups (a 64m
// mem_limit is a 64MiB limit) and prints docker's table, JSON lines or a template.
#include <algorithm>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>

#include "e2e/engine_fixture.hpp"
#include "support/text.hpp"

namespace berth::test {
namespace {

class ScaleWait : public EngineFixture {};

TEST_F(ScaleWait, ScaleChangesReplicasAndStartsDependenciesUnlessNoDeps) {
  write_compose(std::string("services:\n  db:\n    image: ") + image + "\n    command: [\"sleep\", \"1000\"]\n" +
                "  app:\n    image: " + image + "\n    command: [\"sleep\", \"1000\"]\n    depends_on: [db]\n" +
                "  other:\n    image: " + image + "\n    command: [\"sleep\", \"1000\"]\n");
  auto bad = berth({"scale", "app"});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_TRUE(contains(bad.err, "invalid scale specifier: app")) << bad.err;
  auto nan = berth({"scale", "app=x"});
  EXPECT_TRUE(contains(nan.err, "invalid scale specifier: can't parse replica value as int: app=x")) << nan.err;

  auto up = berth({"scale", "app=3"});
  ASSERT_EQ(up.exit_code, 0) << up.err;
  auto s = states();
  const std::string p = project();
  EXPECT_EQ(s[p + "-db-1"], "running");
  for (const char* n : {"-app-1", "-app-2", "-app-3"}) EXPECT_EQ(s[p + n], "running") << n;
  EXPECT_EQ(s.count(p + "-other-1"), 0u) << "only the named services and their dependencies";

  auto down_to_one = berth({"scale", "--no-deps", "app=1"});
  ASSERT_EQ(down_to_one.exit_code, 0) << down_to_one.err;
  s = states();
  EXPECT_EQ(s[p + "-app-1"], "running");
  EXPECT_EQ(s.count(p + "-app-2") + s.count(p + "-app-3"), 0u) << down_to_one.err;
}

TEST_F(ScaleWait, WaitPrintsEachExitAndReturnsTheLastCode) {
  write_compose(std::string("services:\n  job:\n    image: ") + image +
                "\n    command: [\"sh\", \"-c\", \"sleep 1; exit 3\"]\n  keep:\n    image: " + image +
                "\n    command: [\"sleep\", \"1000\"]\n");
  auto up = berth({"up", "-d"});
  ASSERT_EQ(up.exit_code, 0) << up.err;
  const auto ids = container_ids();
  auto w = berth_bounded(60, {"wait", "job"});
  EXPECT_EQ(w.exit_code, 3) << w.err;
  EXPECT_EQ(w.out, "container \"" + ids.at(project() + "-job-1") + "\" exited with status code 3\n");
  EXPECT_EQ(states()[project() + "-keep-1"], "running");

  // An exited container answers at once; --down-project then removes the project.
  auto again = berth_bounded(60, {"wait", "--down-project", "job"});
  EXPECT_EQ(again.exit_code, 3) << again.err;
  EXPECT_TRUE(states().empty());

  auto none = berth({"wait", "job"});
  EXPECT_EQ(none.exit_code, 1);
  EXPECT_TRUE(contains(none.err, "no containers for project \"" + project() + "\"")) << none.err;
}

TEST_F(ScaleWait, VolumesListsTheProjectsOrAServicesVolumes) {
  write_compose(
      std::string("services:\n  app:\n    image: ") + image +
      "\n    command: [\"sleep\", \"1000\"]\n    volumes: [\"data:/data\", \"/anon\"]\n  other:\n    image: " + image +
      "\n    command: [\"sleep\", \"1000\"]\n    volumes: [\"logs:/logs\"]\nvolumes:\n  data:\n  logs:\n");
  auto up = berth({"up", "-d"});
  ASSERT_EQ(up.exit_code, 0) << up.err;
  const std::string p = project();
  auto all = berth({"volumes", "-q"});
  ASSERT_EQ(all.exit_code, 0) << all.err;
  // Named volumes and app's anonymous one (named by Berth, labelled with the project).
  EXPECT_TRUE(contains(all.out, p + "_data\n")) << all.out;
  EXPECT_TRUE(contains(all.out, p + "_logs\n")) << all.out;
  auto table = berth({"volumes", "other"});
  ASSERT_EQ(table.exit_code, 0) << table.err;
  EXPECT_EQ(table.out, "DRIVER    VOLUME NAME\nlocal     " + p + "_logs\n");
  auto js = berth({"volumes", "--format", "json", "other"});
  ASSERT_EQ(js.exit_code, 0) << js.err;
  auto j = nlohmann::json::parse(js.out);
  EXPECT_EQ(j["Name"], p + "_logs");
  EXPECT_EQ(j["Driver"], "local");
  EXPECT_TRUE(contains(j.value("Labels", ""), "com.docker.compose.project=" + p)) << js.out;
  auto app = berth({"volumes", "-q", "app"});
  EXPECT_TRUE(contains(app.out, p + "_data\n")) << app.out;
  EXPECT_FALSE(contains(app.out, p + "_logs")) << app.out;
  EXPECT_EQ(std::count(app.out.begin(), app.out.end(), '\n'), 2) << "data and the anonymous volume: " << app.out;
}

TEST_F(ScaleWait, PsFilterOrphansAndTheTablesOfDockersFormatters) {
  write_compose(std::string("services:\n  a:\n    image: ") + image + "\n    command: [\"sleep\", \"1000\"]\n  b:\n" +
                "    image: " + image + "\n    command: [\"true\"]\n");
  auto up = berth({"up", "-d"});
  ASSERT_EQ(up.exit_code, 0) << up.err;
  const std::string p = project();
  auto exited = berth({"ps", "--filter", "status=exited", "--format", "json"});
  ASSERT_EQ(exited.exit_code, 0) << exited.err;
  EXPECT_TRUE(contains(exited.out, "\"Name\":\"" + p + "-b-1\"")) << exited.out;
  EXPECT_FALSE(contains(exited.out, p + "-a-1")) << exited.out;
  auto bad = berth({"ps", "--filter", "status"});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_TRUE(contains(bad.err, "arguments to --filter should be in form KEY=VAL")) << bad.err;
  EXPECT_TRUE(contains(berth({"ps", "--filter", "name=x"}).err, "unknown filter name"));

  // b leaves the file: an orphan, listed unless --orphans=false.
  write_compose(std::string("services:\n  a:\n    image: ") + image + "\n    command: [\"sleep\", \"1000\"]\n");
  auto with = berth({"ps", "-a", "--services"});
  EXPECT_EQ(with.out, "a\nb\n") << with.err;
  auto without = berth({"ps", "-a", "--services", "--orphans=false"});
  EXPECT_EQ(without.out, "a\n") << without.err;

  // compose's own tables (ls, images) pad columns to 20, docker's formatter (ps) to 10.
  auto ls = berth({"ls"});
  const std::size_t name_width = std::max<std::size_t>(20, p.size() + 3);
  EXPECT_EQ(ls.out.rfind("NAME" + std::string(name_width - 4, ' ') + "STATUS   ", 0), 0u) << ls.out;
}

TEST_F(ScaleWait, StatsShowsTheContainersLimitsPidsAndJson) {
  write_compose(std::string("services:\n  limited:\n    image: ") + image +
                "\n    command: [\"sh\", \"-c\", \"sleep 1000 & sleep 1000\"]\n    mem_limit: 64m\n"
                "  job:\n    image: " +
                image + "\n    command: [\"true\"]\n");
  auto up = berth({"up", "-d"});
  ASSERT_EQ(up.exit_code, 0) << up.err;
  const std::string p = project();
  const std::string id = container_ids().at(p + "-limited-1");

  // Without --no-stream, docker's loop: a table each second, to a pipe too, until stopped.
  auto stream = berth_bounded(4, {"stats", "--format", "{{.Name}}"});
  EXPECT_EQ(stream.exit_code, 137) << "still streaming when timeout -s KILL ended it: " << stream.err;
  EXPECT_GE(std::count(stream.out.begin(), stream.out.end(), '\n'), 2) << stream.out;
  EXPECT_EQ(stream.out.find('\033'), std::string::npos) << "no terminal codes into a pipe";

  // --no-stream: one table, then the command ends.
  {
    auto table = berth_bounded(30, {"stats", "--no-stream"});
    ASSERT_EQ(table.exit_code, 0) << table.err;
    std::istringstream lines(table.out);
    std::string header, row, extra;
    std::getline(lines, header);
    std::getline(lines, row);
    EXPECT_FALSE(std::getline(lines, extra)) << "only the running container: " << table.out;
    EXPECT_TRUE(std::regex_match(header, std::regex("CONTAINER ID +NAME +CPU % +MEM USAGE / LIMIT +MEM % +NET I/O +"
                                                    "BLOCK I/O +PIDS")))
        << header;
    EXPECT_TRUE(
        std::regex_match(row, std::regex(id.substr(0, 12) + " +" + p +
                                         "-limited-1 +\\d+\\.\\d\\d% +"
                                         "[0-9.]+[KMG]?i?B / 64MiB +\\d+\\.\\d\\d% +[0-9.]+k?M?B / [0-9.]+k?M?B +"
                                         "[0-9.]+[kMG]?B / [0-9.]+[kMG]?B +[0-9]+")))
        << row;
  }

  auto json = berth_bounded(30, {"stats", "--no-stream", "--format", "json", "limited"});
  ASSERT_EQ(json.exit_code, 0) << json.err;
  auto j = nlohmann::json::parse(json.out);
  EXPECT_EQ(j["Container"], id);
  EXPECT_EQ(j["ID"], id.substr(0, 12));
  EXPECT_EQ(j["Name"], p + "-limited-1");
  const std::string mem = j["MemUsage"];
  EXPECT_TRUE(mem.size() > 8 && mem.substr(mem.size() - 8) == " / 64MiB") << mem;
  EXPECT_GE(std::stoi(j["PIDs"].get<std::string>()), 2) << "sh and its sleeps: " << json.out;
  // the usage is real: more than nothing, and under the limit
  EXPECT_NE(mem.rfind("0B /", 0), 0u) << mem;

  auto untrunc = berth_bounded(30, {"stats", "--no-stream", "--no-trunc", "--format", "{{.ID}} {{.Name}}"});
  ASSERT_EQ(untrunc.exit_code, 0) << untrunc.err;
  EXPECT_EQ(untrunc.out, id + " " + p + "-limited-1\n");

  // -a adds the exited container, with docker's zeros
  auto all = berth_bounded(30, {"stats", "-a", "--no-stream", "--format", "{{.Name}} {{.MemUsage}} {{.PIDs}}", "job"});
  ASSERT_EQ(all.exit_code, 0) << all.err;
  EXPECT_EQ(all.out, p + "-job-1 0B / 0B 0\n");
  auto none = berth_bounded(30, {"stats", "--no-stream", "job"});
  EXPECT_EQ(none.exit_code, 0) << none.err;
  EXPECT_EQ(none.out, "") << "no running container: nothing printed";

  auto bad = berth_bounded(30, {"stats", "--no-stream", "--format", "{{.Nope}}"});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_TRUE(contains(bad.err, "can't evaluate field Nope")) << bad.err;
}

}  // namespace
}  // namespace berth::test
