// Flags and forms of docker compose's CLI that Berth once rejected (issue 15), each checked for
// what docker compose does with it: `down SERVICE...`, up's attach/abort/recreate flags, run's
// tty, capability, alias and orphan flags, --quiet-build, and the parity fix of `up --no-deps`;
// run -q and --env-from-file; the global --compatibility (underscore names) and --all-resources;
// create -y, start --wait/--wait-timeout, ls --filter, and --parallel / COMPOSE_PARALLEL_LIMIT.
#include <nlohmann/json.hpp>

#include <chrono>
#include <set>
#include <sstream>
#include <thread>

#include "e2e/engine_fixture.hpp"
#include "support/files.hpp"
#include "support/text.hpp"

namespace berth::test {
namespace {

class CliFlags : public EngineFixture {};

TEST_F(CliFlags, DownServicesRemovesOnlyThoseAndKeepsWhatOthersUse) {
  write_compose(std::string("services:\n  db:\n    image: ") + image +
                "\n    command: [\"sh\", \"-c\", \"echo kept > /data/f; exec sleep 1000\"]\n"
                "    volumes: [\"data:/data\"]\n"
                "  web:\n    image: " +
                image + "\n    command: [\"sleep\", \"1000\"]\n    depends_on: [db]\n    volumes: [\"data:/data\"]\n" +
                "  other:\n    image: " + image + "\n    command: [\"sleep\", \"1000\"]\n" + "volumes:\n  data: {}\n");
  auto up = berth({"up", "-d"});
  ASSERT_EQ(up.exit_code, 0) << up.err;
  const std::string p = project();

  auto unknown = berth({"down", "nope"});
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_TRUE(contains(unknown.err, "no such service: nope")) << unknown.err;

  auto down_web = berth({"down", "-v", "web", "other"});
  ASSERT_EQ(down_web.exit_code, 0) << down_web.err;
  EXPECT_TRUE(contains(down_web.err, "Container " + p + "-web-1 Removed")) << down_web.err;
  EXPECT_FALSE(contains(down_web.err, "Container " + p + "-db-1")) << down_web.err;
  EXPECT_TRUE(contains(down_web.err, " Network " + p + "_default Resource is still in use \n")) << down_web.err;
  EXPECT_TRUE(contains(down_web.err, " Volume " + p + "_data Resource is still in use \n")) << down_web.err;
  auto s = states();
  EXPECT_EQ(s.size(), 1u);
  EXPECT_EQ(s[p + "-db-1"], "running");
  // db keeps its network and the volume it shares with web.
  EXPECT_EQ(eth0_address("db").rfind("(none", 0), std::string::npos);
  auto cat = berth({"exec", "-T", "db", "cat", "/data/f"});
  EXPECT_EQ(cat.exit_code, 0) << cat.err;
  EXPECT_EQ(cat.out, "kept\n");

  auto down_db = berth({"down", "-v", "db"});
  ASSERT_EQ(down_db.exit_code, 0) << down_db.err;
  EXPECT_TRUE(contains(down_db.err, "Network " + p + "_default Removed")) << down_db.err;
  EXPECT_TRUE(contains(down_db.err, "Volume " + p + "_data Removed")) << down_db.err;
  EXPECT_TRUE(states().empty());
  EXPECT_TRUE(leftovers().empty());
}

TEST_F(CliFlags, UpAttachNoAttachAndAttachDependenciesPickTheLogsPrinted) {
  write_compose(std::string("services:\n  a:\n    image: ") + image +
                "\n    command: [\"sh\", \"-c\", \"echo from-a; sleep 2\"]\n    depends_on: [b]\n"
                "  b:\n    image: " +
                image + "\n    command: [\"sh\", \"-c\", \"echo from-b; sleep 2\"]\n");
  auto only_a = berth_bounded(60, {"up", "a"});
  ASSERT_EQ(only_a.exit_code, 0) << only_a.err;
  EXPECT_TRUE(contains(only_a.out, "from-a")) << only_a.out;
  EXPECT_FALSE(contains(only_a.out, "from-b")) << only_a.out;

  auto deps = berth_bounded(60, {"up", "--attach-dependencies", "a"});
  ASSERT_EQ(deps.exit_code, 0) << deps.err;
  EXPECT_TRUE(contains(deps.out, "from-a")) << deps.out;
  EXPECT_TRUE(contains(deps.out, "from-b")) << deps.out;

  auto no_b = berth_bounded(60, {"up", "--no-attach", "b"});
  ASSERT_EQ(no_b.exit_code, 0) << no_b.err;
  EXPECT_TRUE(contains(no_b.out, "Attaching to a-1\n")) << no_b.out;
  EXPECT_TRUE(contains(no_b.out, "from-a")) << no_b.out;
  EXPECT_FALSE(contains(no_b.out, "from-b")) << no_b.out;

  auto just_b = berth_bounded(60, {"up", "--attach", "b"});
  ASSERT_EQ(just_b.exit_code, 0) << just_b.err;
  EXPECT_TRUE(contains(just_b.out, "Attaching to b-1\n")) << just_b.out;
  EXPECT_TRUE(contains(just_b.out, "from-b")) << just_b.out;
  EXPECT_FALSE(contains(just_b.out, "from-a")) << just_b.out;

  auto bad = berth({"up", "--attach", "nope"});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_TRUE(contains(bad.err, "cannot attach to services not included in up: nope")) << bad.err;
  auto both = berth({"up", "--attach", "a", "--attach-dependencies"});
  EXPECT_EQ(both.exit_code, 1);
  EXPECT_TRUE(contains(both.err, "cannot combine --attach and --attach-dependencies")) << both.err;
  auto detached = berth({"up", "-d", "--attach", "a"});
  EXPECT_EQ(detached.exit_code, 1);
  EXPECT_TRUE(contains(detached.err, "--detach cannot be combined with --abort-on-container-exit")) << detached.err;
}

TEST_F(CliFlags, UpAbortOnContainerFailureIgnoresCleanExits) {
  write_compose(std::string("services:\n  ok:\n    image: ") + image +
                "\n    command: [\"sh\", \"-c\", \"sleep 1; exit 0\"]\n"
                "  bad:\n    image: " +
                image + "\n    command: [\"sh\", \"-c\", \"sleep 3; exit 5\"]\n" + "  long:\n    image: " + image +
                "\n    command: [\"sleep\", \"1000\"]\n");
  auto both = berth({"up", "--abort-on-container-exit", "--abort-on-container-failure"});
  EXPECT_EQ(both.exit_code, 1);
  EXPECT_TRUE(contains(both.err, "--abort-on-container-failure cannot be combined with --abort-on-container-exit"))
      << both.err;

  auto up = berth_bounded(60, {"up", "-t", "1", "--abort-on-container-failure"});
  EXPECT_EQ(up.exit_code, 5) << up.out << up.err;
  EXPECT_TRUE(contains(up.out, "ok-1 exited with code 0")) << up.out;
  EXPECT_TRUE(contains(up.out, "bad-1 exited with code 5")) << up.out;
  EXPECT_TRUE(contains(up.err, "Aborting on container exit...")) << up.err;
  EXPECT_EQ(states()[project() + "-long-1"], "exited");
}

TEST_F(CliFlags, UpAcceptsYesAndMenuAndAlwaysRecreatesDeps) {
  write_compose(std::string("services:\n  db:\n    image: ") + image + "\n    command: [\"sleep\", \"1000\"]\n" +
                "  web:\n    image: " + image + "\n    command: [\"sleep\", \"1000\"]\n    depends_on: [db]\n");
  auto up = berth({"up", "-d", "-y", "--menu"});
  ASSERT_EQ(up.exit_code, 0) << up.err;
  const auto before = container_ids();
  const std::string p = project();

  auto again = berth({"up", "-d", "--force-recreate", "web"});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  auto mid = container_ids();
  EXPECT_EQ(mid.at(p + "-db-1"), before.at(p + "-db-1")) << "--force-recreate is for the services named";
  EXPECT_NE(mid.at(p + "-web-1"), before.at(p + "-web-1"));

  auto deps = berth({"up", "-d", "--always-recreate-deps", "web"});
  ASSERT_EQ(deps.exit_code, 0) << deps.err;
  EXPECT_TRUE(contains(deps.err, "Container " + p + "-db-1 Recreate")) << deps.err;
  EXPECT_NE(container_ids().at(p + "-db-1"), before.at(p + "-db-1"));

  auto refused = berth({"up", "-d", "--always-recreate-deps", "--no-recreate"});
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_TRUE(contains(refused.err, "--always-recreate-deps and --no-recreate are incompatible")) << refused.err;
}

TEST_F(CliFlags, RunTtyCapabilitiesAndAliases) {
  write_compose(std::string("services:\n  web:\n    image: ") + image +
                "\n    command: [\"sleep\", \"1000\"]\n    networks:\n      default:\n        aliases: [webalias]\n"
                "  client:\n    image: " +
                image + "\n    command: [\"sleep\", \"1000\"]\n");
  auto caps = [&](std::vector<std::string> flags) {
    std::vector<std::string> args{"run", "--rm", "-T", "--no-deps"};
    args.insert(args.end(), flags.begin(), flags.end());
    for (const char* a : {"client", "sh", "-c", "grep CapEff /proc/self/status"}) args.push_back(a);
    auto r = berth_bounded(60, args);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    auto at = r.out.find("CapEff:");
    return at == std::string::npos ? ~0ull : std::stoull(r.out.substr(at + 7), nullptr, 16);
  };
  const unsigned long long base = caps({});
  ASSERT_NE(base, ~0ull);
  EXPECT_EQ(caps({"--cap-add", "NET_ADMIN"}), base | (1ull << 12));  // CAP_NET_ADMIN
  EXPECT_EQ(caps({"--cap-drop", "CHOWN"}), base & ~1ull);            // CAP_CHOWN

  auto tty = berth_bounded(60, {"run", "--rm", "--no-deps", "-t", "client", "sh", "-c", "[ -t 1 ] && echo tty"});
  EXPECT_EQ(tty.exit_code, 0) << tty.err;
  EXPECT_TRUE(contains(tty.out, "tty")) << tty.out;
  auto no_tty =
      berth_bounded(60, {"run", "--rm", "--no-deps", "--no-tty", "client", "sh", "-c", "[ -t 1 ] || echo plain"});
  EXPECT_EQ(no_tty.out, "plain\n") << no_tty.err;
  auto both = berth({"run", "-t", "-T", "client", "true"});
  EXPECT_EQ(both.exit_code, 1);
  EXPECT_TRUE(contains(both.err, "--tty and --no-TTY can't be used together")) << both.err;

  // A one-off is reachable by the service's name and aliases only with --use-aliases.
  auto client = berth({"up", "-d", "client"});
  ASSERT_EQ(client.exit_code, 0) << client.err;
  auto plain = berth({"run", "-d", "--no-deps", "web"});
  ASSERT_EQ(plain.exit_code, 0) << plain.err;
  auto lookup = berth({"exec", "-T", "client", "nslookup", "webalias"});
  EXPECT_EQ(nslookup_answer(lookup.out), "") << lookup.out;
  auto aliased = berth({"run", "-d", "--no-deps", "--use-aliases", "web"});
  ASSERT_EQ(aliased.exit_code, 0) << aliased.err;
  lookup = berth({"exec", "-T", "client", "nslookup", "webalias"});
  EXPECT_NE(nslookup_answer(lookup.out), "") << lookup.out;
  lookup = berth({"exec", "-T", "client", "nslookup", "web"});
  EXPECT_NE(nslookup_answer(lookup.out), "") << lookup.out;
  auto down = berth({"down", "--remove-orphans", "-t", "0"});
  EXPECT_EQ(down.exit_code, 0) << down.err;
}

TEST_F(CliFlags, UpNoDepsDoesNotWaitForTheDependenciesItLeftOut) {
  write_compose(std::string("services:\n  db:\n    image: ") + image +
                "\n    command: [\"sleep\", \"1000\"]\n    healthcheck:\n      test: [\"CMD\", \"false\"]\n"
                "      interval: 1s\n      retries: 1\n"
                "  web:\n    image: " +
                image + "\n    command: [\"sleep\", \"1000\"]\n" +
                "    depends_on:\n      db:\n        condition: service_healthy\n");
  // Not created, or unhealthy: docker compose drops web's dependencies on services left out.
  auto up = berth_bounded(60, {"up", "-d", "--no-deps", "web"});
  EXPECT_EQ(up.exit_code, 0) << up.err;
  EXPECT_FALSE(contains(up.err, "db")) << up.err;
  auto s = states();
  EXPECT_EQ(s[project() + "-web-1"], "running");
  EXPECT_EQ(s.count(project() + "-db-1"), 0u);

  auto db = berth({"up", "-d", "db"});
  ASSERT_EQ(db.exit_code, 0) << db.err;
  for (int i = 0; i < 100; ++i) {  // until its healthcheck has failed
    auto ps = berth({"ps", "--format", "{{.Status}}", "db"});
    if (contains(ps.out, "unhealthy")) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  auto again = berth_bounded(60, {"up", "-d", "--no-deps", "--force-recreate", "web"});
  EXPECT_EQ(again.exit_code, 0) << again.err;
  EXPECT_FALSE(contains(again.err, "db")) << again.err;
  EXPECT_EQ(states()[project() + "-web-1"], "running");
}

TEST_F(CliFlags, RunRemoveOrphansRemovesThem) {
  write_compose(std::string("services:\n  old:\n    image: ") + image +
                "\n    command: [\"sleep\", \"1000\"]\n  app:\n    image: " + image +
                "\n    command: [\"sleep\", \"1000\"]\n");
  ASSERT_EQ(berth({"up", "-d"}).exit_code, 0);
  write_compose(std::string("services:\n  app:\n    image: ") + image + "\n    command: [\"sleep\", \"1000\"]\n");
  auto run = berth({"run", "--rm", "-T", "--remove-orphans", "app", "true"});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_TRUE(contains(run.err, "Container " + project() + "-old-1 Removed")) << run.err;
  EXPECT_FALSE(contains(run.err, "Found orphan containers")) << run.err;
  EXPECT_EQ(states().count(project() + "-old-1"), 0u);
}

TEST_F(CliFlags, QuietBuildSuppressesTheBuildOutput) {
  write_bytes(dir() + "/Dockerfile", std::string("FROM ") + image + "\nENV BUILT=yes\n");
  write_compose("services:\n  app:\n    build: .\n    command: [\"sleep\", \"1000\"]\n");
  auto quiet = berth_bounded(120, {"up", "-d", "--quiet-build"});
  ASSERT_EQ(quiet.exit_code, 0) << quiet.err;
  EXPECT_FALSE(contains(quiet.err, "load build definition from Dockerfile")) << quiet.err;
  EXPECT_TRUE(contains(quiet.err, "Container " + project() + "-app-1 Started")) << quiet.err;
  auto loud = berth_bounded(120, {"up", "-d", "--build"});
  ASSERT_EQ(loud.exit_code, 0) << loud.err;
  EXPECT_TRUE(contains(loud.err, "load build definition from Dockerfile")) << loud.err;
  auto run = berth_bounded(120, {"run", "--rm", "-T", "--build", "--quiet-build", "app", "sh", "-c", "echo $BUILT"});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.out, "yes\n");
  EXPECT_FALSE(contains(run.err, "load build definition from Dockerfile")) << run.err;
}

TEST_F(CliFlags, RunQuietAndEnvFromFile) {
  write_compose(std::string("services:\n  job:\n    image: ") + image +
                "\n    environment: {FROM_SERVICE: service, BOTH: service}\n");
  write_bytes(dir() + "/extra.env", "FROM_FILE=file\nBOTH=file\nGIVEN=file\n# a comment\nREF=${FROM_SHELL:-dflt}\n");
  auto r = berth_bounded(60, {"run", "--rm", "-T", "-q", "--env-from-file", "extra.env", "-e", "GIVEN=flag", "job",
                              "sh", "-c", "echo $FROM_SERVICE $FROM_FILE $BOTH $GIVEN $REF"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // the files override the service's environment, -e overrides the files
  EXPECT_EQ(r.out, "service file file flag dflt\n");
  EXPECT_FALSE(contains(r.err, "Creat")) << "-q: no progress: " << r.err;
  auto missing = berth({"run", "--rm", "-T", "--env-from-file", "nope.env", "job", "true"});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_TRUE(contains(missing.err, "nope.env")) << missing.err;
}

TEST_F(CliFlags, CompatibilityNamesAndAllResources) {
  write_compose(std::string("services:\n  web:\n    image: ") + image +
                "\n    command: [\"sleep\", \"1000\"]\n    volumes: [\"used:/data\"]\n"
                "volumes:\n  used:\n  spare:\n");
  const std::string p = project();
  auto up = berth({"--compatibility", "up", "-d"});
  ASSERT_EQ(up.exit_code, 0) << up.err;
  auto ids = container_ids();
  EXPECT_EQ(ids.count(p + "_web_1"), 1u) << "docker compose's compatibility mode: <project>_<service>_<n>";
  EXPECT_EQ(ids.count(p + "-web-1"), 0u);
  auto oneoff = berth({"--compatibility", "run", "-d", "web", "sleep", "1000"});
  ASSERT_EQ(oneoff.exit_code, 0) << oneoff.err;
  bool underscored = false;
  for (const auto& [name, id] : container_ids()) underscored |= name.rfind(p + "_web_run_", 0) == 0;
  EXPECT_TRUE(underscored) << "a one-off is <project>_<service>_run_<id> too";
  auto volumes = berth({"volumes", "-q"});
  EXPECT_TRUE(contains(volumes.out, p + "_used\n")) << volumes.out;
  EXPECT_FALSE(contains(volumes.out, p + "_spare")) << "no service uses it: not created";
  auto down = berth({"--compatibility", "down", "-t", "0", "--remove-orphans"});
  ASSERT_EQ(down.exit_code, 0) << down.err;

  auto all = berth({"up", "-d", "--all-resources"});
  ASSERT_EQ(all.exit_code, 0) << all.err;
  EXPECT_EQ(container_ids().count(p + "-web-1"), 1u);
  volumes = berth({"volumes", "-q"});
  EXPECT_TRUE(contains(volumes.out, p + "_spare\n")) << "--all-resources: " << volumes.out;
  auto down_all = berth({"down", "-v", "-t", "0", "--all-resources"});
  ASSERT_EQ(down_all.exit_code, 0) << down_all.err;
}

TEST_F(CliFlags, CreateYesThenStartWaitUntilHealthyAndWaitTimeout) {
  // healthy about 2 s after it starts
  write_compose(std::string("services:\n  slow:\n    image: ") + image +
                "\n    command: [\"sh\", \"-c\", \"sleep 2; touch /tmp/ok; sleep 1000\"]\n"
                "    healthcheck:\n      test: [\"CMD\", \"test\", \"-f\", \"/tmp/ok\"]\n"
                "      interval: 1s\n      retries: 100\n");
  auto create = berth({"create", "-y", "--quiet-pull"});
  ASSERT_EQ(create.exit_code, 0) << create.err;
  EXPECT_EQ(states()[project() + "-slow-1"], "created");
  auto start = berth_bounded(120, {"start", "--wait"});
  ASSERT_EQ(start.exit_code, 0) << start.err;
  auto ps = berth({"ps", "--format", "json"});
  EXPECT_TRUE(contains(ps.out, "\"Health\":\"healthy\"")) << "start --wait returns once it is healthy: " << ps.out;
  ASSERT_EQ(berth({"down", "-t", "0"}).exit_code, 0);

  write_compose(std::string("services:\n  sick:\n    image: ") + image +
                "\n    command: [\"sleep\", \"1000\"]\n    healthcheck:\n      test: [\"CMD\", \"false\"]\n"
                "      interval: 1s\n      retries: 100\n");
  ASSERT_EQ(berth({"create"}).exit_code, 0);
  auto t0 = std::chrono::steady_clock::now();
  auto timed_out = berth_bounded(120, {"start", "--wait", "--wait-timeout", "2"});
  EXPECT_NE(timed_out.exit_code, 0);
  EXPECT_TRUE(contains(timed_out.err, "application not healthy after 2s")) << timed_out.err;
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(60));
  EXPECT_EQ(states()[project() + "-sick-1"], "running") << "started, just not healthy";
  EXPECT_EQ(berth({"down", "-t", "0"}).exit_code, 0);
}

TEST_F(CliFlags, LsFilterByNameAsDockerFilters) {
  write_compose(std::string("services:\n  web:\n    image: ") + image + "\n    command: [\"sleep\", \"1000\"]\n");
  ASSERT_EQ(berth({"up", "-d"}).exit_code, 0);
  const std::string p = project();
  auto exact = berth({"ls", "-q", "--filter", "name=" + p});
  ASSERT_EQ(exact.exit_code, 0) << exact.err;
  EXPECT_EQ(exact.out, p + "\n");
  // a value is also an unanchored regular expression; the key is trimmed and lowercased
  auto pattern = berth({"ls", "--format", "json", "--filter", " NAME =^" + p.substr(0, p.size() - 1) + ".$"});
  ASSERT_EQ(pattern.exit_code, 0) << pattern.err;
  EXPECT_TRUE(contains(pattern.out, "\"Name\":\"" + p + "\"")) << pattern.out;
  auto other = berth({"ls", "-a", "--filter", "name=^no-such-project-" + p + "$"});
  ASSERT_EQ(other.exit_code, 0) << other.err;
  EXPECT_FALSE(contains(other.out, p)) << other.out;
  EXPECT_TRUE(contains(other.out, "NAME")) << "the header still: " << other.out;
  auto key = berth({"ls", "--filter", "status=running"});
  EXPECT_EQ(key.exit_code, 1);
  EXPECT_TRUE(contains(key.err, "invalid filter 'status'")) << key.err;
  auto form = berth({"ls", "--filter", "name"});
  EXPECT_EQ(form.exit_code, 1);
  EXPECT_TRUE(contains(form.err, "bad format of filter (expected name=value)")) << form.err;
}

TEST_F(CliFlags, ParallelOneRunsOneContainerAtATime) {
  write_compose(std::string("services:\n  web:\n    image: ") + image +
                "\n    command: [\"sleep\", \"1000\"]\n    scale: 4\n");
  const std::string p = project();
  const std::vector<std::string> names = {p + "-web-1", p + "-web-2", p + "-web-3", p + "-web-4"};
  auto up = berth({"--parallel", "1", "up", "-d"});
  ASSERT_EQ(up.exit_code, 0) << up.err;
  EXPECT_EQ(container_ids().size(), 4u);
  EXPECT_FALSE(container_lines_interleave(up.err, names)) << up.err;
  auto stop = berth({"stop", "-t", "0"}, {{"COMPOSE_PARALLEL_LIMIT", "1"}});
  ASSERT_EQ(stop.exit_code, 0) << stop.err;
  EXPECT_FALSE(container_lines_interleave(stop.err, names)) << stop.err;
  auto rm = berth({"rm", "-f"}, {{"COMPOSE_PARALLEL_LIMIT", "1"}});
  ASSERT_EQ(rm.exit_code, 0) << rm.err;
  EXPECT_FALSE(container_lines_interleave(rm.err, names)) << rm.err;
  EXPECT_TRUE(container_ids().empty());

  auto bad = berth({"ps"}, {{"COMPOSE_PARALLEL_LIMIT", "two"}});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_TRUE(contains(bad.err, "COMPOSE_PARALLEL_LIMIT must be an integer (found: \"two\")")) << bad.err;
  // the flag wins over the variable, as docker compose's Changed("parallel")
  EXPECT_EQ(berth({"--parallel", "-1", "ps"}, {{"COMPOSE_PARALLEL_LIMIT", "two"}}).exit_code, 0);
}

}  // namespace
}  // namespace berth::test
