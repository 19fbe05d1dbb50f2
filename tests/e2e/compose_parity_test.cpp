// Where docker compose users look (issue 14, "Output" and "Lifecycle and dependencies"): progress
// lines as docker compose's plain writer prints them, `stop` of a stopped service still reports it
// and leaves one-off containers alone, `ps` shows exposed ports and `--format json` has Publishers,
// an attached `up` reports every exit of a container its restart policy restarts and its Ctrl-C
// stops only the services it was given, failed dependencies in docker compose's words, and
// `restart` (also from the recorded state alone) with its `restart: true` dependants.
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <thread>

#include "e2e/engine_fixture.hpp"
#include "support/files.hpp"
#include "support/text.hpp"

namespace berth::test {
namespace {

size_t count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + what.size())) ++n;
  return n;
}

class ComposeParity : public EngineFixture {};

TEST_F(ComposeParity, PlainProgressLinesAndStopTwiceAndOneOffsLeftAlone) {
  write_compose(std::string("services:\n  app:\n    image: ") + image +
                "\n    command: [\"sleep\", \"1000\"]\n    volumes: [\"data:/data\"]\nvolumes:\n  data:\n");
  auto up = berth({"up", "-d"});
  ASSERT_EQ(up.exit_code, 0) << up.err;
  // fmt.Fprintln("", ID, Text, StatusText): one space between fields, volume names unquoted.
  EXPECT_TRUE(contains(up.err, " Volume " + project() + "_data Created \n")) << up.err;
  EXPECT_TRUE(contains(up.err, " Container " + project() + "-app-1 Started \n")) << up.err;

  auto oneoff = berth({"run", "-d", "app", "sleep", "1000"});
  ASSERT_EQ(oneoff.exit_code, 0) << oneoff.err;
  auto stop = berth({"stop", "-t", "1"});
  ASSERT_EQ(stop.exit_code, 0) << stop.err;
  EXPECT_TRUE(contains(stop.err, " Container " + project() + "-app-1 Stopped \n")) << stop.err;
  auto again = berth({"stop", "-t", "1"});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_TRUE(contains(again.err, " Container " + project() + "-app-1 Stopped \n")) << again.err;
  EXPECT_FALSE(contains(again.err, "-run-")) << again.err;

  auto ps = berth({"ps", "-a", "--format", "json"});
  ASSERT_EQ(ps.exit_code, 0) << ps.err;
  bool oneoff_running = false;
  std::istringstream lines(ps.out);
  for (std::string line; std::getline(lines, line);) {
    auto j = nlohmann::json::parse(line);
    if (contains(j.value("Name", ""), "-run-")) oneoff_running = j.value("State", "") == "running";
  }
  EXPECT_TRUE(oneoff_running) << ps.out;
}

TEST_F(ComposeParity, PsShowsExposedPortsAndJsonHasPublishers) {
  write_compose(std::string("services:\n  app:\n    image: ") + image +
                "\n    command: [\"sleep\", \"1000\"]\n    expose: [\"7000\", \"7100-7101/udp\"]\n"
                "    ports: [\"127.0.0.1::8080\"]\n");
  auto up = berth({"up", "-d"});
  ASSERT_EQ(up.exit_code, 0) << up.err;
  auto ps = berth({"ps"});
  ASSERT_EQ(ps.exit_code, 0) << ps.err;
  EXPECT_TRUE(contains(ps.out, "->8080/tcp, 7000/tcp, 7100/udp, 7101/udp")) << ps.out;
  auto js = berth({"ps", "--format", "json"});
  ASSERT_EQ(js.exit_code, 0) << js.err;
  auto j = nlohmann::json::parse(js.out.substr(0, js.out.find('\n')));
  ASSERT_TRUE(j["Publishers"].is_array()) << js.out;
  ASSERT_EQ(j["Publishers"].size(), 4u) << js.out;
  EXPECT_EQ(j["Publishers"][0]["URL"], "127.0.0.1");
  EXPECT_EQ(j["Publishers"][0]["TargetPort"], 8080);
  EXPECT_GT(j["Publishers"][0]["PublishedPort"].get<int>(), 0);
  EXPECT_EQ(j["Publishers"][0]["Protocol"], "tcp");
  EXPECT_EQ(j["Publishers"][1],
            (nlohmann::json{{"URL", ""}, {"TargetPort", 7000}, {"PublishedPort", 0}, {"Protocol", "tcp"}}));
  EXPECT_EQ(j["Publishers"][3]["Protocol"], "udp");
}

TEST_F(ComposeParity, AttachedUpReportsEveryExitOfARestartedContainer) {
  write_compose(std::string("services:\n  failing:\n    image: ") + image +
                "\n    command: [\"sh\", \"-c\", \"echo run; exit 1\"]\n    restart: on-failure:2\n");
  auto up = berth_bounded(120, {"up"});
  EXPECT_EQ(count(up.out, "failing-1 exited with code 1"), 3u) << up.out << up.err;
}

TEST_F(ComposeParity, PauseOfAPausedServiceFailsAndDuplicateContainerNamesAreRefusedFirst) {
  write_compose(std::string("services:\n  app:\n    image: ") + image + "\n    command: [\"sleep\", \"1000\"]\n");
  ASSERT_EQ(berth({"up", "-d"}).exit_code, 0);
  ASSERT_EQ(berth({"pause"}).exit_code, 0);
  auto again = berth({"pause"});
  EXPECT_NE(again.exit_code, 0);
  EXPECT_TRUE(contains(again.err, "is already paused")) << again.err;
  ASSERT_EQ(berth({"unpause"}).exit_code, 0);
  auto not_paused = berth({"unpause"});
  EXPECT_NE(not_paused.exit_code, 0);
  EXPECT_TRUE(contains(not_paused.err, "is not paused")) << not_paused.err;
  ASSERT_EQ(berth({"down", "-t", "1"}).exit_code, 0);

  write_compose(std::string("services:\n  a:\n    image: ") + image + "\n    container_name: same-" + project() +
                "\n  b:\n    image: " + image + "\n    container_name: same-" + project() + "\n");
  auto up = berth({"up", "-d"});
  EXPECT_NE(up.exit_code, 0);
  EXPECT_TRUE(contains(up.err, "container name \"same-" + project() + "\" is already in use by service a")) << up.err;
  EXPECT_TRUE(container_ids().empty());
}

TEST_F(ComposeParity, UpWaitTakesACompletedDependencyAsDoneAndTimesOutInDockerComposesWords) {
  write_compose(std::string("services:\n  init:\n    image: ") + image +
                "\n    command: [\"true\"]\n  app:\n    image: " + image +
                "\n    command: [\"sleep\", \"1000\"]\n    depends_on:\n      init:\n"
                "        condition: service_completed_successfully\n");
  auto up = berth_bounded(120, {"up", "-d", "--wait"});
  EXPECT_EQ(up.exit_code, 0) << up.err;
  EXPECT_TRUE(contains(up.err, "Container " + project() + "-init-1 Exited")) << up.err;
  ASSERT_EQ(berth({"down", "-t", "1"}).exit_code, 0);

  write_compose(std::string("services:\n  sick:\n    image: ") + image +
                "\n    command: [\"sleep\", \"1000\"]\n    healthcheck:\n      test: [\"CMD\", \"false\"]\n"
                "      interval: 1s\n      retries: 100\n");
  auto wait = berth_bounded(120, {"up", "-d", "--wait", "--wait-timeout", "2"});
  EXPECT_NE(wait.exit_code, 0);
  EXPECT_TRUE(contains(wait.err, "application not healthy after 2s")) << wait.err;
}

TEST_F(ComposeParity, ExecFallsBackToARunningOneOffAndNamesAnIndexOutOfRange) {
  write_compose(std::string("services:\n  app:\n    image: ") + image + "\n    command: [\"sleep\", \"1000\"]\n");
  auto run = berth({"run", "-d", "app", "sleep", "1000"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  auto exec = berth({"exec", "-T", "app", "echo", "from-oneoff"});
  EXPECT_EQ(exec.exit_code, 0) << exec.err;
  EXPECT_EQ(exec.out, "from-oneoff\n");
  ASSERT_EQ(berth({"up", "-d"}).exit_code, 0);
  auto out_of_range = berth({"exec", "-T", "--index", "3", "app", "true"});
  EXPECT_NE(out_of_range.exit_code, 0);
  EXPECT_TRUE(contains(out_of_range.err, "service \"app\" is not running container #3")) << out_of_range.err;
}

TEST_F(ComposeParity, StartOfAServiceStartsItsDependenciesFirst) {
  write_compose(std::string("services:\n  db:\n    image: ") + image +
                "\n    command: [\"sleep\", \"1000\"]\n  web:\n    image: " + image +
                "\n    command: [\"sleep\", \"1000\"]\n    depends_on: [db]\n");
  ASSERT_EQ(berth({"up", "-d"}).exit_code, 0);
  ASSERT_EQ(berth({"stop", "-t", "1"}).exit_code, 0);
  auto start = berth({"start", "web"});
  ASSERT_EQ(start.exit_code, 0) << start.err;
  const auto db = start.err.find("Container " + project() + "-db-1 Started");
  const auto web = start.err.find("Container " + project() + "-web-1 Starting");
  ASSERT_NE(db, std::string::npos) << start.err;
  ASSERT_NE(web, std::string::npos) << start.err;
  EXPECT_LT(db, web) << start.err;
}

TEST_F(ComposeParity, StopWithOneComposeFileStopsOnlyItsServices) {
  write_compose(std::string("services:\n  a:\n    image: ") + image + "\n    command: [\"sleep\", \"1000\"]\n");
  write_bytes(dir() + "/two.yaml",
              std::string("services:\n  b:\n    image: ") + image + "\n    command: [\"sleep\", \"1000\"]\n");
  ASSERT_EQ(berth({"-f", "compose.yaml", "-f", "two.yaml", "up", "-d"}).exit_code, 0);
  auto stop = berth({"-f", "two.yaml", "stop", "-t", "1"});
  ASSERT_EQ(stop.exit_code, 0) << stop.err;
  EXPECT_TRUE(contains(stop.err, project() + "-b-1 Stopped")) << stop.err;
  EXPECT_FALSE(contains(stop.err, project() + "-a-1")) << stop.err;
  auto ps = berth({"-f", "compose.yaml", "-f", "two.yaml", "ps", "--format", "json", "a"});
  EXPECT_TRUE(contains(ps.out, "\"State\":\"running\"")) << ps.out;
  ASSERT_EQ(berth({"-f", "compose.yaml", "-f", "two.yaml", "down", "-t", "1"}).exit_code, 0);
}

TEST_F(ComposeParity, RunWarnsAboutOrphansAndComposeRemoveOrphansRemovesThem) {
  write_compose(std::string("services:\n  old:\n    image: ") + image +
                "\n    command: [\"sleep\", \"1000\"]\n  app:\n    image: " + image +
                "\n    command: [\"sleep\", \"1000\"]\n");
  ASSERT_EQ(berth({"up", "-d"}).exit_code, 0);
  write_compose(std::string("services:\n  app:\n    image: ") + image + "\n    command: [\"sleep\", \"1000\"]\n");
  auto run = berth({"run", "--rm", "-T", "app", "true"});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_TRUE(contains(run.err, "Found orphan containers ([" + project() + "-old-1])")) << run.err;
  write_bytes(dir() + "/.env", "COMPOSE_REMOVE_ORPHANS=true\n");
  auto up = berth({"up", "-d"});
  EXPECT_EQ(up.exit_code, 0) << up.err;
  EXPECT_TRUE(contains(up.err, "Container " + project() + "-old-1 Removed")) << up.err;
}

TEST_F(ComposeParity, UpExitCodeFromReturnsWhenThatServiceIsKilled) {
  write_compose(std::string("services:\n  app:\n    image: ") + image +
                "\n    init: true\n    command: [\"sleep\", \"1000\"]\n  other:\n    image: " + image +
                "\n    command: [\"sleep\", \"1000\"]\n");
  CommandResult up;
  std::thread attached([&] { up = berth_bounded(90, {"up", "--exit-code-from", "app", "-t", "1"}); });
  bool running = false;
  for (int i = 0; i < 200 && !running; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    running = contains(berth({"ps", "--format", "json", "app"}).out, "\"State\":\"running\"");
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  auto kill = berth({"kill", "-s", "SIGTERM", "app"});
  attached.join();
  EXPECT_TRUE(running);
  EXPECT_EQ(kill.exit_code, 0) << kill.err;
  EXPECT_EQ(up.exit_code, 143) << up.out << up.err;
}

TEST_F(ComposeParity, AbortOnContainerExitReturnsTheCodeOfTheContainerThatReallyExitedFirst) {
  write_compose(std::string("services:\n  init:\n    image: ") + image +
                "\n    command: [\"sh\", \"-c\", \"echo init done\"]\n  app:\n    image: " + image +
                "\n    command: [\"sh\", \"-c\", \"echo app; exit 5\"]\n    depends_on:\n      init:\n"
                "        condition: service_completed_successfully\n");
  auto up = berth_bounded(90, {"up", "--abort-on-container-exit", "-t", "1"});
  EXPECT_EQ(up.exit_code, 0) << up.out << up.err;  // init exited (0) before app could even start
}

TEST_F(ComposeParity, ProjectCommandsWorkFromComposeProjectNameWithoutAComposeFile) {
  write_compose(std::string("services:\n  app:\n    image: ") + image + "\n    command: [\"sleep\", \"1000\"]\n");
  ASSERT_EQ(berth({"up", "-d"}).exit_code, 0);
  // From a directory without a compose file, the project named only by the environment.
  const std::string elsewhere = dir() + "/elsewhere";
  std::filesystem::create_directories(elsewhere);
  std::map<std::string, std::string> env = berth_env();
  env["COMPOSE_PROJECT_NAME"] = project();
  auto restart =
      run_command({BERTH_BINARY, "--root", root(), "--progress", "plain", "restart", "-t", "1", "app"}, elsewhere, env);
  EXPECT_EQ(restart.exit_code, 0) << restart.err;
  EXPECT_TRUE(contains(restart.err, project() + "-app-1 Restart")) << restart.err;
  auto ps = run_command({BERTH_BINARY, "--root", root(), "ps", "-q"}, elsewhere, env);
  EXPECT_EQ(ps.exit_code, 0) << ps.err;
  EXPECT_EQ(ps.out.size(), 65u) << ps.out;
}

TEST_F(ComposeParity, LogsFollowPicksUpContainersCreatedAfterItStarted) {
  write_compose(std::string("services:\n  app:\n    image: ") + image +
                "\n    command: [\"sh\", \"-c\", \"echo hello from $$HOSTNAME; sleep 1000\"]\n");
  ASSERT_EQ(berth({"up", "-d"}).exit_code, 0);
  CommandResult logs;
  std::thread follow([&] { logs = berth_bounded(8, {"logs", "-f"}); });
  std::this_thread::sleep_for(std::chrono::seconds(2));
  auto scale = berth({"up", "-d", "--scale", "app=2"});
  follow.join();  // timeout(1) ends it after 8 s
  EXPECT_EQ(scale.exit_code, 0) << scale.err;
  EXPECT_TRUE(contains(logs.out, "app-1  | hello from")) << logs.out;
  EXPECT_TRUE(contains(logs.out, "app-2  | hello from")) << logs.out;
}

TEST_F(ComposeParity, AFailedDependencyLeavesItsDependantCreated) {
  write_compose(std::string("services:\n  db:\n    image: ") + image +
                "\n    command: [\"sh\", \"-c\", \"exit 1\"]\n  web:\n    image: " + image +
                "\n    command: [\"sleep\", \"1000\"]\n    depends_on:\n      db:\n"
                "        condition: service_completed_successfully\n");
  auto up = berth_bounded(120, {"up", "-d"});
  EXPECT_NE(up.exit_code, 0);
  EXPECT_TRUE(contains(up.err, "service \"db\" didn't complete successfully: exit 1")) << up.err;
  auto ps = berth({"ps", "-a", "--format", "json", "web"});
  EXPECT_TRUE(contains(ps.out, "\"State\":\"created\"")) << ps.out;
}

TEST_F(ComposeParity, AFailedOrUnhealthyDependencyIsReportedInDockerComposesWords) {
  // The dependency has a healthcheck: its exit or its unhealthiness is what the dependant reports,
  // never "has no healthcheck configured" (which is decided by the container's config alone).
  const std::string web = "  web:\n    image: " + std::string(image) +
                          "\n    command: [\"sleep\", \"1000\"]\n    depends_on:\n      db:\n"
                          "        condition: service_healthy\n";
  write_compose(
      std::string("services:\n  db:\n    image: ") + image +
      "\n    command: [\"sh\", \"-c\", \"sleep 1; exit 1\"]\n    healthcheck:\n      test: [\"CMD\", \"false\"]\n"
      "      interval: 1s\n      start_period: 60s\n" +
      web);
  auto exited = berth_bounded(120, {"up", "-d"});
  EXPECT_NE(exited.exit_code, 0);
  EXPECT_TRUE(contains(exited.err, "dependency failed to start: container " + project() + "-db-1 exited (1)"))
      << exited.err;
  ASSERT_EQ(berth({"down", "-t", "1"}).exit_code, 0);

  write_compose(std::string("services:\n  db:\n    image: ") + image +
                "\n    command: [\"sleep\", \"1000\"]\n    healthcheck:\n      test: [\"CMD\", \"false\"]\n"
                "      interval: 1s\n      retries: 1\n" +
                web);
  auto unhealthy = berth_bounded(120, {"up", "-d", "-t", "1"});
  EXPECT_NE(unhealthy.exit_code, 0);
  EXPECT_TRUE(contains(unhealthy.err, "dependency failed to start: container " + project() + "-db-1 is unhealthy"))
      << unhealthy.err;
  ASSERT_EQ(berth({"down", "-t", "1"}).exit_code, 0);

  // Without a healthcheck, a dependency that fails at once is reported as exited too: docker
  // compose takes its first look after one tick of its poll.
  write_compose(std::string("services:\n  db:\n    image: ") + image + "\n    command: [\"sh\", \"-c\", \"exit 1\"]\n" +
                web);
  auto at_once = berth_bounded(120, {"up", "-d", "-t", "1"});
  EXPECT_NE(at_once.exit_code, 0);
  EXPECT_TRUE(contains(at_once.err, "dependency failed to start: container " + project() + "-db-1 exited (1)"))
      << at_once.err;
  ASSERT_EQ(berth({"down", "-t", "1"}).exit_code, 0);

  write_compose(std::string("services:\n  db:\n    image: ") + image +
                "\n    command: [\"sleep\", \"1000\"]\n    healthcheck:\n      disable: true\n" + web);
  auto none = berth_bounded(120, {"up", "-d", "-t", "1"});
  EXPECT_NE(none.exit_code, 0);
  EXPECT_TRUE(
      contains(none.err, "dependency failed to start: container " + project() + "-db-1 has no healthcheck configured"))
      << none.err;
}

TEST_F(ComposeParity, InterruptOfAnAttachedUpStopsOnlyTheServicesItWasGiven) {
  write_compose(std::string("services:\n  app:\n    image: ") + image +
                "\n    init: true\n    command: [\"sleep\", \"1000\"]\n  other:\n    image: " + image +
                "\n    init: true\n    command: [\"sleep\", \"1000\"]\n");
  ASSERT_EQ(berth({"up", "-d", "other"}).exit_code, 0);
  // `up app` attached, in the background (timeout(1) passes our SIGINT on to it).
  const std::string log = dir() + "/up.log";
  std::vector<std::string> args = bounded_argv(90, {"up", "-t", "1", "app"});
  std::vector<std::string> vars;
  for (const auto& [k, v] : berth_env()) vars.push_back(k + "=" + v);
  std::vector<char*> argv, envp;
  for (auto& a : args) argv.push_back(a.data());
  for (auto& v : vars) envp.push_back(v.data());
  argv.push_back(nullptr);
  envp.push_back(nullptr);
  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0 || ::dup2(fd, 1) < 0 || ::dup2(fd, 2) < 0 || ::chdir(dir().c_str()) != 0) ::_exit(126);
    ::execve(argv[0], argv.data(), envp.data());
    ::_exit(127);
  }
  bool running = false;
  for (int i = 0; i < 300 && !running; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    running = contains(berth({"ps", "--format", "json", "app"}).out, "\"State\":\"running\"");
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(500));  // attached and watching
  ::kill(pid, SIGINT);
  int status = 0;
  ::waitpid(pid, &status, 0);
  const std::string out = read_bytes(log);
  EXPECT_TRUE(running) << out;
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 130) << status << "\n" << out;
  EXPECT_TRUE(contains(out, "Gracefully stopping...")) << out;
  EXPECT_TRUE(contains(out, "Container " + project() + "-app-1 Stopped")) << out;
  EXPECT_FALSE(contains(out, project() + "-other-1 Stop")) << out;
  EXPECT_TRUE(contains(berth({"ps", "--format", "json", "other"}).out, "\"State\":\"running\""));
  EXPECT_TRUE(contains(berth({"ps", "-a", "--format", "json", "app"}).out, "\"State\":\"exited\""));
}

TEST_F(ComposeParity, RestartFromTheRecordedStateRestartsRestartTrueDependantsOnceTheDependencyIsHealthy) {
  write_compose(
      std::string("services:\n  db:\n    image: ") + image +
      "\n    init: true\n    command: [\"sleep\", \"1000\"]\n    healthcheck:\n      test: [\"CMD\", \"true\"]\n"
      "      interval: 1s\n  web:\n    image: " +
      image +
      "\n    init: true\n    command: [\"sleep\", \"1000\"]\n    depends_on:\n      db:\n"
      "        condition: service_healthy\n        restart: true\n  other:\n    image: " +
      image + "\n    init: true\n    command: [\"sleep\", \"1000\"]\n    depends_on: [db]\n");
  ASSERT_EQ(berth_bounded(120, {"up", "-d", "--wait"}).exit_code, 0);
  // No compose file: the project named by COMPOSE_PROJECT_NAME, its dependencies from its records.
  const std::string elsewhere = dir() + "/elsewhere";
  std::filesystem::create_directories(elsewhere);
  std::map<std::string, std::string> env = berth_env();
  env["COMPOSE_PROJECT_NAME"] = project();
  auto restart = run_command({"/usr/bin/timeout", "-s", "KILL", "120", BERTH_BINARY, "--root", root(), "--progress",
                              "plain", "restart", "-t", "1", "db"},
                             elsewhere, env);
  ASSERT_EQ(restart.exit_code, 0) << restart.err;
  const std::string& out = restart.err;
  const std::string db = "Container " + project() + "-db-1 ", web = "Container " + project() + "-web-1 ";
  // docker compose's restart: Restarting … Started; the dependant waits for Healthy first.
  std::vector<size_t> at = {out.find(db + "Restarting"), out.find(db + "Started"),     out.find(db + "Waiting"),
                            out.find(db + "Healthy"),    out.find(web + "Restarting"), out.find(web + "Started")};
  for (size_t i = 0; i < at.size(); ++i) {
    ASSERT_NE(at[i], std::string::npos) << i << "\n" << out;
    if (i > 0) EXPECT_LT(at[i - 1], at[i]) << i << "\n" << out;
  }
  EXPECT_FALSE(contains(out, project() + "-other-1")) << out;  // depends on db without restart: true

  auto no_deps = berth({"restart", "-t", "1", "--no-deps", "db"});
  ASSERT_EQ(no_deps.exit_code, 0) << no_deps.err;
  EXPECT_TRUE(contains(no_deps.err, db + "Started")) << no_deps.err;
  EXPECT_FALSE(contains(no_deps.err, project() + "-web-1")) << no_deps.err;
}

TEST_F(ComposeParity, RestartStartsStoppedContainersToo) {
  write_compose(std::string("services:\n  app:\n    image: ") + image +
                "\n    init: true\n    command: [\"sleep\", \"1000\"]\n");
  ASSERT_EQ(berth({"up", "-d"}).exit_code, 0);
  ASSERT_EQ(berth({"stop", "-t", "1"}).exit_code, 0);
  auto restart = berth({"restart", "-t", "1"});
  ASSERT_EQ(restart.exit_code, 0) << restart.err;
  EXPECT_TRUE(contains(restart.err, " Container " + project() + "-app-1 Restarting \n")) << restart.err;
  EXPECT_TRUE(contains(restart.err, " Container " + project() + "-app-1 Started \n")) << restart.err;
  EXPECT_TRUE(contains(berth({"ps", "--format", "json", "app"}).out, "\"State\":\"running\""));
}

}  // namespace
}  // namespace berth::test
