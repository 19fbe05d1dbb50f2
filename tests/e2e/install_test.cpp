// The installed layout and the Debian package: `cmake --install` of this build tree into a
// temporary prefix gives a berth that runs (version, --help, help, man pages, completions) and,
// as root, starts a container with the installed berth-shim, berth-init and berth-dns (no
// BERTH_SHIM/BERTH_DNS: berth finds them under ../libexec/berth); `cpack -G DEB` makes a package
// with its dependencies computed and every file in place (inspected with dpkg-deb, not installed).
#include <gtest/gtest.h>

#include <filesystem>

#include "e2e/engine_fixture.hpp"
#include "support/files.hpp"
#include "support/run_command.hpp"
#include "support/temp_dir.hpp"
#include "support/text.hpp"

namespace berth::test {
namespace {

namespace fs = std::filesystem;

const std::map<std::string, std::string> kPath = {{"PATH", "/usr/sbin:/usr/bin:/sbin:/bin"}};

/// Installs this build tree into `prefix`.
void install_into(const std::string& prefix) {
  auto r = run_command({BERTH_CMAKE_COMMAND, "--install", BERTH_BUILD_DIR, "--prefix", prefix}, "/", kPath);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
}

TEST(Install, PrefixHoldsBerthItsHelpersCompletionsAndManPages) {
  TempDir tmp;
  const std::string p = tmp / "prefix";
  install_into(p);
  for (const char* file :
       {"bin/berth", "libexec/berth/berth-shim", "libexec/berth/berth-init", "libexec/berth/berth-dns",
        "share/bash-completion/completions/berth", "share/zsh/vendor-completions/_berth",
        "share/fish/vendor_completions.d/berth.fish", "share/man/man1/berth.1", "share/man/man1/berth-up.1",
        "share/man/man1/berth-image-ls.1", "share/doc/berth/README.md", "lib/systemd/system/berth-restore.service"})
    EXPECT_TRUE(fs::exists(p + "/" + file)) << file;
  const std::string berth = p + "/bin/berth";
  // The boot unit runs `system restore` of the berth it was installed with.
  EXPECT_TRUE(contains(read_bytes(p + "/lib/systemd/system/berth-restore.service"),
                       "\nExecStart=" + berth + " system restore\n"));
  auto version = run_command({berth, "version"}, tmp.path(), kPath);
  EXPECT_EQ(version.out, std::string("Berth version v") + BERTH_VERSION + "\n") << version.err;
  auto usage = run_command({berth, "--help"}, tmp.path(), kPath);
  EXPECT_EQ(usage.exit_code, 0);
  EXPECT_TRUE(contains(usage.out, "Usage: berth")) << usage.out;
  auto help = run_command({berth, "help", "image", "ls"}, tmp.path(), kPath);
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_TRUE(contains(help.out, "Usage: berth image ls")) << help.out;
  // The installed scripts and pages are what this binary makes now: generated, never stale.
  for (const auto& [shell, file] :
       std::map<std::string, std::string>{{"bash", "share/bash-completion/completions/berth"},
                                          {"zsh", "share/zsh/vendor-completions/_berth"},
                                          {"fish", "share/fish/vendor_completions.d/berth.fish"}}) {
    auto script = run_command({berth, "completion", shell}, tmp.path(), kPath);
    EXPECT_EQ(script.out, read_bytes(p + "/" + file)) << shell;
  }
  // With the build's date (cmake/Install.cmake): a page made after midnight is the same page.
  std::map<std::string, std::string> dated = kPath;
  dated["SOURCE_DATE_EPOCH"] = BERTH_SOURCE_DATE_EPOCH;
  auto pages = run_command({berth, "__man", tmp / "man"}, tmp.path(), dated);
  ASSERT_EQ(pages.exit_code, 0) << pages.err;
  std::size_t count = 0;
  for (const auto& e : fs::directory_iterator(tmp / "man")) {
    ++count;
    EXPECT_EQ(read_bytes(e.path()), read_bytes(p + "/share/man/man1/" + e.path().filename().string()))
        << e.path().filename();
  }
  EXPECT_EQ(count, static_cast<std::size_t>(
                       std::distance(fs::directory_iterator(p + "/share/man/man1"), fs::directory_iterator())));
}

TEST(Install, DebPackageDeclaresItsDependenciesAndHoldsTheInstalledTree) {
  if (!fs::exists("/usr/bin/dpkg-deb") || !fs::exists("/usr/bin/dpkg-shlibdeps"))
    GTEST_SKIP() << "dpkg-deb and dpkg-shlibdeps (Debian's dpkg-dev) are needed";
  TempDir tmp;
  auto pack = run_command({BERTH_CPACK_COMMAND, "-G", "DEB", "--config",
                           std::string(BERTH_BUILD_DIR) + "/CPackConfig.cmake", "-B", tmp.path()},
                          tmp.path(), kPath);
  ASSERT_EQ(pack.exit_code, 0) << pack.out << pack.err;
  std::string deb;
  for (const auto& e : fs::directory_iterator(tmp.path()))
    if (e.path().extension() == ".deb") deb = e.path();
  ASSERT_EQ(fs::path(deb).filename().string(), std::string("berth_") + BERTH_VERSION + "_amd64.deb");
  auto info = run_command({"/usr/bin/dpkg-deb", "-I", deb}, tmp.path(), kPath);
  ASSERT_EQ(info.exit_code, 0) << info.err;
  EXPECT_TRUE(contains(info.out, " Package: berth\n")) << info.out;
  EXPECT_TRUE(contains(info.out, " Version: " + std::string(BERTH_VERSION) + "\n")) << info.out;
  // dpkg-shlibdeps computed them from what the binaries link.
  for (const char* dep : {"libc6 (>=", "libnftables1", "libnl-route-3-200", "libyaml-cpp", "libarchive13", "libcurl4"})
    EXPECT_TRUE(contains(info.out, dep)) << dep << "\n" << info.out;
  auto files = run_command({"/usr/bin/dpkg-deb", "-c", deb}, tmp.path(), kPath);
  ASSERT_EQ(files.exit_code, 0) << files.err;
  for (const char* file :
       {"./usr/bin/berth\n", "./usr/libexec/berth/berth-shim\n", "./usr/libexec/berth/berth-init\n",
        "./usr/libexec/berth/berth-dns\n", "./usr/share/bash-completion/completions/berth\n",
        "./usr/share/zsh/vendor-completions/_berth\n", "./usr/share/fish/vendor_completions.d/berth.fish\n",
        "./usr/share/man/man1/berth.1\n", "./usr/share/man/man1/berth-up.1\n"})
    EXPECT_TRUE(contains(files.out, file)) << file << files.out;
}

class InstalledEngine : public EngineFixture {};

TEST_F(InstalledEngine, InstalledBerthStartsAContainerWithTheInstalledHelpers) {
  const std::string prefix = *m_tmp / "prefix";
  install_into(prefix);
  write_compose(std::string("services:\n  app:\n    image: ") + image +
                "\n    init: true\n    command: [\"sleep\", \"1000\"]\n");
  // Only PATH and BERTH_RUN: berth must find berth-shim, berth-init and berth-dns itself.
  std::map<std::string, std::string> env = kPath;
  env["BERTH_RUN"] = run();
  auto installed = [&](std::vector<std::string> args) {
    std::vector<std::string> argv = {prefix + "/bin/berth", "--root", root(), "-p", project()};
    argv.insert(argv.end(), args.begin(), args.end());
    auto r = run_command(argv, dir(), env);
    remember();
    return r;
  };
  auto up = installed({"up", "-d"});
  ASSERT_EQ(up.exit_code, 0) << up.err;
  EXPECT_EQ(states()[project() + "-app-1"], "running");
  auto exec = installed({"exec", "-T", "app", "cat", "/proc/1/cmdline"});
  EXPECT_TRUE(contains(exec.out, "/dev/berth-init"))
      << exec.out << exec.err;  // init: true ran the installed berth-init
  // What the completion scripts ask berth for: this project and its service.
  auto projects = run_command({prefix + "/bin/berth", "__complete", "projects", "--root", root()}, dir(), env);
  EXPECT_TRUE(contains(projects.out, project() + "\n")) << projects.out;
  auto services = run_command({prefix + "/bin/berth", "__complete", "services", "up"}, dir(), env);
  EXPECT_EQ(services.out, "app\n");
  auto down = installed({"down", "-t", "1"});
  EXPECT_EQ(down.exit_code, 0) << down.err;
}

}  // namespace
}  // namespace berth::test
