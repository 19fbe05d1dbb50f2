// `berth build` and `up --build` end to end, on the busybox image the engine fixture imports:
// RUN output and exit codes, multi-stage COPY --from, USER/WORKDIR, --chown/--chmod, deletions
// as whiteouts, the cache (hits, and misses exactly when a copied file's content or mode or an
// ARG at its first use changes; `touch` still hits), a cache mount that outlives builds, the
// .dockerignore error, heredocs, and `up --build` recreating a service whose Dockerfile changed.
// Every test ends with `builder prune` (the build network goes) and the fixture's leftover check.
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <thread>

#include <signal.h>

#include "compose/image/digest.hpp"
#include "e2e/engine_fixture.hpp"
#include "e2e/mini_http_server.hpp"
#include "support/files.hpp"
#include "support/text.hpp"

namespace berth::test {
namespace {

namespace fs = std::filesystem;

class Build : public EngineFixture {
 protected:
  void TearDown() override {
    if (m_tmp) {
      auto prune = berth({"builder", "prune", "-f"});
      EXPECT_EQ(prune.exit_code, 0) << prune.err;
      for (const auto& e : fs::directory_iterator(m_root + "/tmp", m_ec))
        ADD_FAILURE() << "left in the store's tmp: " << e.path();
    }
    EngineFixture::TearDown();
  }

  void file(const std::string& rel, const std::string& text) {
    fs::create_directories(fs::path(dir() + "/" + rel).parent_path());
    write_bytes(dir() + "/" + rel, text);
  }
  /// compose.yaml with one service `app` built from the project dir.
  void compose_app(const std::string& extra = "") {
    write_compose("services:\n  app:\n    build: .\n    command: [\"sleep\", \"1000\"]\n" + extra);
  }
  CommandResult build(std::vector<std::string> args = {}) {
    args.insert(args.begin(), "build");
    return berth_bounded(300, args);
  }
  /// Runs `sh -c script` in a one-off container of `app` (the built image) and returns stdout.
  std::string in_image(const std::string& script) {
    auto r = berth_bounded(60, {"run", "--rm", "-T", "--no-deps", "app", "sh", "-c", script});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.out;
  }
  /// Step lines of a build's output: "[2/4] RUN ..." → "CACHED" or "DONE".
  static std::vector<std::string> outcomes(const std::string& err) {
    std::vector<std::string> out;
    std::map<std::string, std::string> name;  // vertex → step text
    std::regex begin(R"(^#(\d+) (\[\d+/\d+\] .*)$)"), end(R"(^#(\d+) (CACHED|DONE|ERROR).*$)");
    std::istringstream in(err);
    for (std::string line; std::getline(in, line);) {
      std::smatch m;
      if (std::regex_match(line, m, begin) && m[2].str().find("] FROM ") == std::string::npos) name[m[1]] = m[2];
      if (std::regex_match(line, m, end) && name.count(m[1])) out.push_back(name[m[1]] + " " + m[2].str());
    }
    return out;
  }
  static std::string image_id(const std::string& err) {
    std::smatch m;
    if (std::regex_search(err, m, std::regex(R"(writing image (sha256:[0-9a-f]{64}))"))) return m[1];
    return "";
  }
  std::error_code m_ec;
};

TEST_F(Build, RunOutputIsStreamedAndAFailingRunNamesItsStepAndExitCode) {
  compose_app();
  file("Dockerfile", "FROM busybox:e2e\nRUN echo hello-from-run && echo to-stderr >&2\nRUN echo last words; exit 3\n");
  auto r = build();
  EXPECT_NE(r.exit_code, 0);
  EXPECT_TRUE(contains(r.err, "hello-from-run")) << r.err;
  EXPECT_TRUE(contains(r.err, "to-stderr")) << r.err;
  EXPECT_TRUE(contains(r.err, "Dockerfile:3")) << r.err;
  EXPECT_TRUE(contains(r.err, "[3/3] RUN echo last words; exit 3")) << r.err;
  EXPECT_TRUE(contains(r.err, "did not complete successfully: exit code: 3")) << r.err;
  EXPECT_TRUE(contains(r.err, "last words")) << r.err;
  auto images = berth({"image", "ls"});
  EXPECT_FALSE(contains(images.out, project() + "-app")) << images.out;  // nothing named on failure
}

TEST_F(Build, MultiStageCopyFromUserWorkdirChownAndChmod) {
  compose_app();
  file("data.txt", "payload\n");
  file("Dockerfile",
       "FROM busybox:e2e AS build\n"
       "WORKDIR /src\n"
       "RUN echo built > artifact && echo 'app:x:1234:1234::/home/app:/bin/sh' >> /etc/passwd \\\n"
       " && echo 'app:x:1234:' >> /etc/group\n"
       "\n"
       "FROM busybox:e2e\n"
       "COPY --from=build /etc/passwd /etc/group /etc/\n"
       "COPY --from=build /src/artifact /opt/\n"
       "COPY --chown=app:app --chmod=640 data.txt /opt/data.txt\n"
       "USER app\n"
       "WORKDIR /opt\n");
  auto r = build();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(contains(r.err, "[build 3/3] RUN echo built")) << r.err;
  EXPECT_EQ(in_image("id -u; pwd; stat -c '%u:%g %a' /opt/data.txt; cat /opt/artifact /opt/data.txt"),
            "1234\n/opt\n1234:1234 640\nbuilt\npayload\n");
}

TEST_F(Build, DeletionsBecomeWhiteoutsInTheLayerTar) {
  compose_app();
  file("Dockerfile",
       "FROM busybox:e2e\n"
       "RUN mkdir -p /d/sub && echo x > /d/sub/f && echo y > /keep\n"
       "RUN rm /bin/vi && rm -r /d\n");
  auto r = build();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(in_image("test -e /bin/vi || test -e /d || echo gone; cat /keep"), "gone\ny\n");
  // The last layer's tar says so in OCI form.
  auto inspect = berth({"image", "inspect", project() + "-app"});
  ASSERT_EQ(inspect.exit_code, 0) << inspect.err;
  auto j = nlohmann::json::parse(inspect.out);
  std::string diff = j[0]["RootFS"]["Layers"].back().get<std::string>();
  auto list = run_command({"/usr/bin/tar", "-tf", m_root + "/blobs/sha256/" + diff.substr(7)}, "/", {});
  EXPECT_TRUE(contains(list.out, "bin/.wh.vi")) << list.out;
  EXPECT_TRUE(contains(list.out, ".wh.d")) << list.out << list.err;
}

TEST_F(Build, CacheHitsAndMissesExactlyWhereTheInputsChanged) {
  compose_app();
  file("a.txt", "a\n");
  file("b.txt", "b\n");
  file("Dockerfile",
       "FROM busybox:e2e\n"
       "ARG LATE=1\n"
       "COPY a.txt /a.txt\n"
       "RUN echo \"late=$LATE\" > /late\n"
       "COPY b.txt /b.txt\n");
  auto first = build();
  ASSERT_EQ(first.exit_code, 0) << first.err;
  const std::vector<std::string> all_cached = {"[2/4] COPY a.txt /a.txt CACHED",
                                               "[3/4] RUN echo \"late=$LATE\" > /late CACHED",
                                               "[4/4] COPY b.txt /b.txt CACHED"};
  auto second = build();
  ASSERT_EQ(second.exit_code, 0) << second.err;
  EXPECT_EQ(outcomes(second.err), all_cached) << second.err;
  EXPECT_EQ(image_id(second.err), image_id(first.err));  // a fully cached build is the same image

  // touch: content and mode unchanged, the cache holds.
  struct timespec times[2] = {{0, UTIME_NOW}, {0, UTIME_NOW}};
  ASSERT_EQ(::utimensat(AT_FDCWD, (dir() + "/a.txt").c_str(), times, 0), 0);
  EXPECT_EQ(outcomes(build().err), all_cached);

  file("b.txt", "B\n");  // only the last step reads it
  EXPECT_EQ(outcomes(build().err),
            (std::vector<std::string>{"[2/4] COPY a.txt /a.txt CACHED", "[3/4] RUN echo \"late=$LATE\" > /late CACHED",
                                      "[4/4] COPY b.txt /b.txt DONE"}));

  fs::permissions(dir() + "/a.txt", fs::perms::owner_read | fs::perms::owner_write);  // mode: a miss from there on
  EXPECT_EQ(outcomes(build().err),
            (std::vector<std::string>{"[2/4] COPY a.txt /a.txt DONE", "[3/4] RUN echo \"late=$LATE\" > /late DONE",
                                      "[4/4] COPY b.txt /b.txt DONE"}));

  auto late = build({"--build-arg", "LATE=2"});  // the ARG's first use is the RUN
  EXPECT_EQ(outcomes(late.err),
            (std::vector<std::string>{"[2/4] COPY a.txt /a.txt CACHED", "[3/4] RUN echo \"late=$LATE\" > /late DONE",
                                      "[4/4] COPY b.txt /b.txt DONE"}))
      << late.err;
  EXPECT_EQ(in_image("cat /late"), "late=2\n");
}

TEST_F(Build, CacheMountOutlivesBuildsAndNoCacheRebuilds) {
  compose_app();
  file("Dockerfile",
       "FROM busybox:e2e\n"
       "RUN --mount=type=cache,target=/cache echo run >> /cache/log && wc -l < /cache/log > /count\n");
  ASSERT_EQ(build().exit_code, 0);
  auto again = build({"--no-cache"});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(outcomes(again.err),
            std::vector<std::string>{"[2/2] RUN echo run >> /cache/log && wc -l < /cache/log > /count DONE"});
  EXPECT_EQ(in_image("cat /count; test -e /cache/log || echo not-in-image"), "2\nnot-in-image\n");
}

TEST_F(Build, AnExcludedSourceNamesTheDockerignoreLine) {
  compose_app();
  file(".dockerignore", "# logs stay out\n*.log\n");
  file("app.log", "secret\n");
  file("Dockerfile", "FROM busybox:e2e\nCOPY app.log /\n");
  auto r = build();
  EXPECT_NE(r.exit_code, 0);
  EXPECT_TRUE(contains(r.err, "app.log")) << r.err;
  EXPECT_TRUE(contains(r.err, ".dockerignore line 2")) << r.err;
  EXPECT_TRUE(contains(r.err, "Dockerfile:2")) << r.err;
}

TEST_F(Build, HeredocsForRunAndCopy) {
  compose_app();
  file("Dockerfile",
       "FROM busybox:e2e\n"
       "ARG NAME=world\n"
       "RUN <<EOF\n"
       "echo one > /one\n"
       "echo two >> /one\n"
       "EOF\n"
       "COPY <<EOF /greeting\n"
       "hello ${NAME}\n"
       "EOF\n");
  auto r = build();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(in_image("cat /one /greeting"), "one\ntwo\nhello world\n");
}

TEST_F(Build, AddFromAUrlIsKeyedByContentAndChecked) {
  std::string body = "version 1\n";
  MiniHttpServer server([&](const MiniHttpRequest& r) {
    if (r.target != "/files/tool.txt") return MiniHttpReply{404, "not found", "text/plain"};
    return MiniHttpReply{200, body, "text/plain"};
  });
  const std::string url = "http://127.0.0.1:" + std::to_string(server.port()) + "/files/tool.txt";
  compose_app();
  file("Dockerfile", "FROM busybox:e2e\nADD " + url + " /opt/\n");
  auto r = build();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(in_image("cat /opt/tool.txt; stat -c %a /opt/tool.txt"), "version 1\n600\n");
  EXPECT_EQ(outcomes(build().err).back(), "[2/2] ADD " + url + " /opt/ CACHED");
  body = "version 2\n";  // same URL, new content: a miss
  EXPECT_EQ(outcomes(build().err).back(), "[2/2] ADD " + url + " /opt/ DONE");

  file("Dockerfile",
       "FROM busybox:e2e\nADD --checksum=" + berth::image::sha256_of("other").str() + " " + url + " /x\n");
  auto bad = build();
  EXPECT_NE(bad.exit_code, 0);
  EXPECT_TRUE(contains(bad.err, "digest mismatch")) << bad.err;
  file("Dockerfile", "FROM busybox:e2e\nADD " + url.substr(0, url.size() - 8) + "missing /x\n");
  auto missing = build();
  EXPECT_NE(missing.exit_code, 0);
  EXPECT_TRUE(contains(missing.err, "404")) << missing.err;
}

TEST_F(Build, OnbuildTriggersAndAdditionalContextsIncludingAnotherServicesImage) {
  write_compose(
      "services:\n"
      "  base:\n"
      "    build: {context: ., dockerfile: Dockerfile.base}\n"
      "    image: e2e-onbuild-base:1\n"
      "  app:\n"
      "    build:\n"
      "      context: .\n"
      "      additional_contexts: {assets: ./assets, base: \"service:base\"}\n"
      "    command: [\"sleep\", \"1000\"]\n");
  file("Dockerfile.base", "FROM busybox:e2e\nONBUILD RUN echo triggered > /trigger\n");
  file("assets/hello.txt", "hello\n");
  file("Dockerfile", "FROM base\nCOPY --from=assets hello.txt /hello.txt\n");
  auto r = build();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(in_image("cat /trigger /hello.txt"), "triggered\nhello\n");
  auto inspect = berth({"image", "inspect", project() + "-app"});
  ASSERT_EQ(inspect.exit_code, 0) << inspect.err;
  auto j = nlohmann::json::parse(inspect.out);
  EXPECT_TRUE(j[0]["Config"]["OnBuild"].is_null() || j[0]["Config"]["OnBuild"].empty()) << inspect.out;
}

/// Processes whose command line mentions `text` (the shim of a step has its id in argv).
std::vector<int> processes_mentioning(const std::string& text) {
  std::vector<int> out;
  for (const auto& p : fs::directory_iterator("/proc")) {
    const std::string name = p.path().filename();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::string cmdline = read_bytes(p.path() / "cmdline");
    if (cmdline.find(text) != std::string::npos) out.push_back(std::stoi(name));
  }
  return out;
}

TEST_F(Build, KillNineDuringARunLeavesNothingThatPruneOrTheNextBuildDoesNotUndo) {
  compose_app();
  // The marker is computed so that only the RUN's output has it, not the step line that shows the instruction.
  file("Dockerfile", "FROM busybox:e2e\nRUN echo \"running-$((40 + 2))\" && sleep 60\n");
  const std::string log = dir() + "/build.log";
  auto spawned = run_command({"/bin/sh", "-c", "\"$@\" >" + log + " 2>&1 & echo $!", "sh", BERTH_BINARY, "--root",
                              root(), "-p", project(), "--progress", "plain", "build"},
                             dir(), berth_env());
  const int pid = std::stoi(spawned.out);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (!contains(read_bytes(log), "running-42") && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  ASSERT_TRUE(contains(read_bytes(log), "running-42")) << read_bytes(log);
  ASSERT_EQ(::kill(pid, SIGKILL), 0);
  for (int i = 0; i < 100 && fs::exists("/proc/" + std::to_string(pid)); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));

  // What the dead build left: its step dir, with the RUN container's id.
  std::string id;
  for (const auto& e : fs::directory_iterator(root() + "/tmp"))
    if (e.path().filename().string().rfind("build-", 0) == 0 && fs::exists(e.path() / "id"))
      id = read_bytes(e.path() / "id").substr(0, 64);
  ASSERT_EQ(id.size(), 64u);

  // The next build sweeps it: container processes, cgroups, netns, step dir.
  file("Dockerfile", "FROM busybox:e2e\nRUN echo quick\n");
  auto next = build();
  ASSERT_EQ(next.exit_code, 0) << next.err;
  for (int i = 0; i < 100 && !processes_mentioning(id).empty(); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_EQ(processes_mentioning(id), std::vector<int>{});
  EXPECT_FALSE(fs::exists(run() + "/netns/" + id));
  for (const auto& h : fs::directory_iterator("/sys/fs/cgroup", m_ec))
    EXPECT_FALSE(fs::exists(h.path() / "berth" / id)) << h.path();
  for (const auto& e : fs::directory_iterator(root() + "/tmp"))
    EXPECT_NE(e.path().filename().string().rfind("build-", 0), 0u) << e.path();
}

TEST_F(Build, AutomaticPlatformArgsAndFromPlatform) {
  compose_app();
  file("Dockerfile",
       "FROM --platform=$BUILDPLATFORM busybox:e2e AS build\n"
       "ARG TARGETARCH\n"
       "ARG TARGETPLATFORM\n"
       "RUN echo \"$TARGETPLATFORM $TARGETARCH\" > /target\n"
       "FROM busybox:e2e\n"
       "COPY --from=build /target /target\n");
  auto r = build();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string arch = run_command({"/usr/bin/dpkg", "--print-architecture"}, "/", {}).out;
  EXPECT_EQ(in_image("cat /target"), "linux/" + arch.substr(0, arch.find('\n')) + " " + arch);
}

TEST_F(Build, UpBuildsAMissingImageAndUpBuildRecreatesWhatChanged) {
  compose_app();
  file("Dockerfile", "FROM busybox:e2e\nRUN echo v1 > /version\n");
  auto up = berth_bounded(300, {"up", "-d"});
  ASSERT_EQ(up.exit_code, 0) << up.err;
  auto v1 = berth({"exec", "-T", "app", "cat", "/version"});
  EXPECT_EQ(v1.out, "v1\n") << v1.err;
  auto ids = container_ids();

  auto again = berth_bounded(300, {"up", "-d"});  // the image exists: nothing is built or recreated
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_FALSE(contains(again.err, "RUN echo")) << again.err;
  EXPECT_EQ(container_ids(), ids);

  file("Dockerfile", "FROM busybox:e2e\nRUN echo v2 > /version\n");
  auto rebuilt = berth_bounded(300, {"up", "-d", "--build"});
  ASSERT_EQ(rebuilt.exit_code, 0) << rebuilt.err;
  EXPECT_TRUE(contains(rebuilt.err, "Recreated")) << rebuilt.err;
  auto v2 = berth({"exec", "-T", "app", "cat", "/version"});
  EXPECT_EQ(v2.out, "v2\n") << v2.err;
}

}  // namespace
}  // namespace berth::test
