// cp, export and commit end to end (compose/containerfs): files both ways between the host and a
// service container (tar streams on stdin/stdout, "dir/." contents, -a owners, a stopped
// container), symlinks in the container that point at host paths (`/data -> /etc`, `../../..`,
// `/proc/self/root`, an absolute path that exists only on the host) never reaching the host,
// export as a tar, and commit: the upper dir as a layer (a deleted file stays deleted) that a
// new service runs from, with -c/-m/-a in `image inspect`.
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "engine_fixture.hpp"
#include "support/files.hpp"

namespace fs = std::filesystem;

namespace berth::test {
namespace {

class ContainerFilesTest : public EngineFixture {
 protected:
  void SetUp() override {
    EngineFixture::SetUp();
    if (IsSkipped()) return;
    write_compose(R"(services:
  web:
    image: busybox:e2e
    network_mode: none
    command: ["sleep", "300"]
    stop_grace_period: 1s
)");
    auto up = berth({"up", "-d"});
    ASSERT_EQ(up.exit_code, 0) << up.err;
  }

  void TearDown() override {
    if (!IsSkipped()) berth({"down", "-t", "1"});
    EngineFixture::TearDown();
  }

  /// `exec -T web sh -c <script>`'s stdout.
  std::string sh(const std::string& script) {
    auto r = berth({"exec", "-T", "web", "sh", "-c", script});
    EXPECT_EQ(r.exit_code, 0) << script << ": " << r.err;
    return r.out;
  }

  std::string host(const std::string& rel) const { return dir() + "/" + rel; }

  static void write(const std::string& path, const std::string& text) {
    fs::create_directories(fs::path(path).parent_path());
    std::ofstream(path) << text;
  }
};

TEST_F(ContainerFilesTest, CopiesBothWaysAsDockerCp) {
  write(host("a.txt"), "alpha\n");
  ASSERT_EQ(::chown(host("a.txt").c_str(), 1234, 2345), 0);
  sh("mkdir -p /tmp /arch");
  auto r = berth({"cp", "a.txt", "web:/tmp/"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string name = project() + "-web-1";
  EXPECT_NE(r.err.find(" " + name + " Copied a.txt to " + name + ":/tmp/"), std::string::npos) << r.err;
  EXPECT_EQ(sh("cat /tmp/a.txt"), "alpha\n");
  EXPECT_EQ(sh("stat -c %u:%g /tmp/a.txt"), "0:0\n");  // without -a: root's, as docker
  r = berth({"cp", "-a", "a.txt", "web:/arch/renamed.txt"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(sh("stat -c %u:%g /arch/renamed.txt"), "1234:2345\n");

  // A directory to a missing path becomes it; "dir/." into an existing one brings its contents.
  write(host("d/x"), "x\n");
  write(host("d/sub/y"), "y\n");
  ASSERT_EQ(berth({"cp", "d", "web:/newdir"}).exit_code, 0);
  EXPECT_EQ(sh("cat /newdir/x /newdir/sub/y"), "x\ny\n");
  ASSERT_EQ(berth({"cp", "d/.", "web:/tmp"}).exit_code, 0);
  EXPECT_EQ(sh("cat /tmp/x /tmp/sub/y"), "x\ny\n");
  ASSERT_EQ(berth({"cp", "d", "web:/tmp"}).exit_code, 0);
  EXPECT_EQ(sh("cat /tmp/d/sub/y"), "y\n");

  // Out of the container: a file, a directory, and a directory's contents.
  sh("echo from-container > /tmp/out.txt");
  ASSERT_EQ(berth({"cp", "web:/tmp/out.txt", "got.txt"}).exit_code, 0);
  EXPECT_EQ(read_bytes(host("got.txt")), "from-container\n");
  ASSERT_EQ(berth({"cp", "web:/newdir", "gotdir"}).exit_code, 0);
  EXPECT_EQ(read_bytes(host("gotdir/sub/y")), "y\n");
  fs::create_directories(host("contents"));
  ASSERT_EQ(berth({"cp", "web:/newdir/.", "contents"}).exit_code, 0);
  EXPECT_EQ(read_bytes(host("contents/x")), "x\n");
  EXPECT_FALSE(fs::exists(host("contents/newdir")));

  // docker's errors.
  r = berth({"cp", "web:/nope", "x"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("Could not find the file /nope in container"), std::string::npos) << r.err;
  r = berth({"cp", "d", "web:/tmp/a.txt"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("cannot copy directory"), std::string::npos) << r.err;
  r = berth({"cp", "web:/a", "web:/b"});
  EXPECT_NE(r.err.find("copying between services is not supported"), std::string::npos) << r.err;
  r = berth({"cp", "a", "b"});
  EXPECT_NE(r.err.find("unknown copy direction"), std::string::npos) << r.err;
  r = berth({"cp", "a.txt", "nope:/tmp"});
  EXPECT_NE(r.err.find("no container found for service \"nope\""), std::string::npos) << r.err;
  r = berth({"cp", "--index", "2", "a.txt", "web:/tmp"});
  EXPECT_NE(r.err.find("service \"web\" is not running container #2"), std::string::npos) << r.err;
}

TEST_F(ContainerFilesTest, TarStreamsOnStdinAndStdout) {
  sh("mkdir -p /tmp/s && echo streamed > /tmp/s/f");
  auto r = berth({"cp", "web:/tmp/s", "-"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  write(host("out.tar"), r.out);
  auto list = run_command({"/usr/bin/tar", "-tf", host("out.tar")}, dir(), {});
  ASSERT_EQ(list.exit_code, 0) << list.err;
  EXPECT_EQ(list.out, "s/\ns/f\n");
  auto content = run_command({"/usr/bin/tar", "-xOf", host("out.tar"), "s/f"}, dir(), {});
  EXPECT_EQ(content.out, "streamed\n");

  write(host("in/one"), "1\n");
  write(host("in/two/three"), "3\n");
  auto tar = run_command({"/usr/bin/tar", "-cf", host("in.tar"), "-C", host("in"), "one", "two"}, dir(), {});
  ASSERT_EQ(tar.exit_code, 0) << tar.err;
  r = berth_bounded(60, {"cp", "-", "web:/tmp"}, read_bytes(host("in.tar")));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(sh("cat /tmp/one /tmp/two/three"), "1\n3\n");
  r = berth_bounded(60, {"cp", "-", "web:/tmp/one"}, read_bytes(host("in.tar")));
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find(":/tmp/one\" must be a directory"), std::string::npos) << r.err;
}

TEST_F(ContainerFilesTest, SymlinksInTheContainerNeverReachTheHost) {
  // A canary on the host, at a path the container's links name.
  const std::string canary_dir = "/tmp/berth-cp-canary-" + std::to_string(::getpid());
  fs::create_directories(canary_dir);
  write(canary_dir + "/secret", "host secret\n");
  const std::string escape = "berth-cp-escape-" + std::to_string(::getpid());
  sh("mkdir -p /etc /tmp && ln -s /etc /data && ln -s ../../../.. /esc && ln -s /proc/self/root /pr && ln -s " +
     canary_dir + "/secret /leak && ln -s ../../../../../../../.." + canary_dir + " /leakdir");
  write(host("payload"), "payload\n");

  // Into the container through each link: it lands inside the container, or is refused.
  EXPECT_EQ(berth({"cp", "payload", "web:/data/" + escape}).exit_code, 0);
  EXPECT_EQ(sh("cat /etc/" + escape), "payload\n");
  EXPECT_EQ(berth({"cp", "payload", "web:/esc/tmp/" + escape}).exit_code, 0);
  EXPECT_EQ(sh("cat /tmp/" + escape), "payload\n");
  berth({"cp", "payload", "web:/pr/tmp/" + escape + "-pr"});
  EXPECT_EQ(berth({"cp", "payload", "web:/leak"}).exit_code, 1);  // its target's dir is not in the container
  berth({"cp", "payload", "web:/leakdir/secret"});
  berth({"cp", "payload", "web:/leakdir/"});

  EXPECT_FALSE(fs::exists("/etc/" + escape));
  EXPECT_FALSE(fs::exists("/tmp/" + escape));
  EXPECT_FALSE(fs::exists("/tmp/" + escape + "-pr"));
  EXPECT_FALSE(fs::exists(canary_dir + "/payload"));
  EXPECT_EQ(read_bytes(canary_dir + "/secret"), "host secret\n");

  // Out of the container: the links resolve inside it, so the host's secret is never read.
  for (const std::string& src : std::vector<std::string>{"/leak", "/leakdir/secret", "/esc" + canary_dir + "/secret",
                                                         "/pr" + canary_dir + "/secret"}) {
    auto r = berth({"cp", "-L", "web:" + src, "stolen"});
    EXPECT_NE(r.exit_code, 0) << src;
    EXPECT_FALSE(fs::exists(host("stolen"))) << src;
    auto s = berth({"cp", "-L", "web:" + src, "-"});
    EXPECT_EQ(s.out.find("host secret"), std::string::npos) << src;
  }
  EXPECT_EQ(read_bytes(canary_dir + "/secret"), "host secret\n");
  fs::remove_all(canary_dir);
}

TEST_F(ContainerFilesTest, CopiesIntoAndOutOfAStoppedContainer) {
  sh("mkdir -p /tmp");
  ASSERT_EQ(berth({"stop", "-t", "1"}).exit_code, 0);
  write(host("late.txt"), "written while stopped\n");
  auto r = berth({"cp", "late.txt", "web:/tmp/late.txt"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ASSERT_EQ(berth({"cp", "web:/bin/busybox", "bb"}).exit_code, 0);
  EXPECT_EQ(read_bytes(host("bb")), read_bytes("/bin/busybox"));
  ASSERT_EQ(berth({"start"}).exit_code, 0);
  EXPECT_EQ(sh("cat /tmp/late.txt"), "written while stopped\n");
}

TEST_F(ContainerFilesTest, ExportWritesTheFileSystemAsATar) {
  sh("echo exported > /marker && rm /bin/ls");
  auto r = berth({"export", "web", "-o", "fs.tar"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(fs::status(host("fs.tar")).permissions() & fs::perms::all, fs::perms::owner_read | fs::perms::owner_write);
  auto list = run_command({"/usr/bin/tar", "-tf", host("fs.tar")}, dir(), {});
  ASSERT_EQ(list.exit_code, 0) << list.err;
  EXPECT_NE(list.out.find("\nmarker\n"), std::string::npos) << list.out;
  EXPECT_NE(list.out.find("bin/busybox\n"), std::string::npos);
  EXPECT_EQ(list.out.find("bin/ls\n"), std::string::npos);
  EXPECT_EQ(list.out.find("proc/self"), std::string::npos);
  auto content = run_command({"/usr/bin/tar", "-xOf", host("fs.tar"), "marker"}, dir(), {});
  EXPECT_EQ(content.out, "exported\n");

  // Without -o, to stdout (not a terminal here).
  r = berth({"export", "web"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, read_bytes(host("fs.tar")));

  r = berth({"export", "web", "-o", "missing/fs.tar"});
  EXPECT_NE(r.err.find("failed to export container: invalid output path: directory"), std::string::npos) << r.err;
  r = berth({"export", "nope", "-o", "x.tar"});
  EXPECT_NE(r.err.find("service \"nope\" is not running"), std::string::npos) << r.err;
  ASSERT_EQ(berth({"stop", "-t", "1"}).exit_code, 0);
  r = berth({"export", "web", "-o", "x.tar"});
  EXPECT_NE(r.err.find("service \"web\" is not running"), std::string::npos) << r.err;
}

TEST_F(ContainerFilesTest, CommitThenRunTheCommittedImage) {
  sh("echo committed > /committed.txt && rm /bin/ls && mkdir -p /tmp/gone && touch /tmp/gone/f");
  sh("rm -r /tmp/gone");
  const std::string tag = "berth-commit-" + project() + ":v1";
  auto r = berth({"commit", "-c", "ENV X=1", "-m", "a message", "-a", "An Author", "web", tag});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("Committed as sha256:"), std::string::npos) << r.err;

  auto inspect = berth({"image", "inspect", tag});
  ASSERT_EQ(inspect.exit_code, 0) << inspect.err;
  auto j = nlohmann::json::parse(inspect.out)[0];
  EXPECT_EQ(j["Comment"], "a message");
  EXPECT_EQ(j["Author"], "An Author");
  bool has_x = false;
  for (const auto& e : j["Config"]["Env"]) has_x = has_x || e == "X=1";
  EXPECT_TRUE(has_x) << j["Config"].dump();
  EXPECT_EQ(j["Config"]["Cmd"], nlohmann::json({"sleep", "300"})) << "the container's command, as docker commits it";
  EXPECT_NE(r.err.find(j["Id"].get<std::string>()), std::string::npos);

  // pflag's bool forms; no reference: a dangling image, as docker leaves it.
  for (const char* no_pause : {"--pause=false", "-p=false"}) {
    auto again = berth({"commit", no_pause, "web"});
    EXPECT_EQ(again.exit_code, 0) << again.err;
    EXPECT_NE(again.err.find("Committed as sha256:"), std::string::npos) << again.err;
  }
  EXPECT_EQ(states()[project() + "-web-1"], "running");

  write_compose(R"(services:
  web:
    image: busybox:e2e
    network_mode: none
    command: ["sleep", "300"]
    stop_grace_period: 1s
  again:
    image: )" + tag +
                R"(
    network_mode: none
    stop_grace_period: 1s
)");
  ASSERT_EQ(berth({"up", "-d", "again"}).exit_code, 0);
  auto cat = berth({"exec", "-T", "again", "sh", "-c", "cat /committed.txt; echo $X; ls /bin/ls /tmp/gone 2>&1"});
  EXPECT_EQ(cat.out.substr(0, cat.out.find('\n', cat.out.find('\n') + 1) + 1), "committed\n1\n") << cat.out;
  EXPECT_NE(cat.out.find("/bin/ls: No such file"), std::string::npos) << cat.out;
  EXPECT_NE(cat.out.find("/tmp/gone: No such file"), std::string::npos) << cat.out;
}

}  // namespace
}  // namespace berth::test
