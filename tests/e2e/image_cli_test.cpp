// `berth image ...` end to end, against a temporary --root: import a
// busybox-static rootfs made here from /bin/busybox, list, inspect, remove, and load a
// docker-save archive of the same rootfs (from a file and from standard input).
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <regex>

#include "compose/image/digest.hpp"
#include "support/image_archive.hpp"
#include "support/run_command.hpp"

using berth::test::run_berth;
using nlohmann::json;
namespace fs = std::filesystem;
namespace bt = berth::test;

namespace {

class ImageCli : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!fs::exists("/bin/busybox")) GTEST_SKIP() << "/bin/busybox (Debian's busybox-static) is not installed";
    m_busybox = bt::read_bytes("/bin/busybox");
    m_rootfs = bt::make_tar({bt::tar_dir("bin"), bt::tar_file("bin/busybox", m_busybox, 0755),
                             bt::tar_symlink("bin/sh", "busybox"), bt::tar_symlink("bin/ls", "busybox")});
    m_root = m_dir / "root";
  }
  bt::CommandResult berth(std::vector<std::string> args, const std::string& input = "") {
    args.insert(args.begin(), {"--root", m_root});
    return run_berth(args, m_dir.path(), {}, input);
  }
  /// A docker-save archive (legacy layout) of the rootfs, tagged `tag`.
  std::string docker_save(const std::string& tag) {
    json config = {{"architecture", "amd64"},
                   {"os", "linux"},
                   {"created", "2024-01-01T00:00:00Z"},
                   {"config", {{"Cmd", {"sh"}}}},
                   {"rootfs", {{"type", "layers"}, {"diff_ids", {berth::image::sha256_of(m_rootfs).str()}}}}};
    std::string text = config.dump();
    std::string id(berth::image::sha256_of(text).hex());
    json manifest = json::array({{{"Config", id + ".json"}, {"RepoTags", {tag}}, {"Layers", {"l1/layer.tar"}}}});
    return bt::make_tar({bt::tar_file("l1/layer.tar", m_rootfs), bt::tar_file(id + ".json", text),
                         bt::tar_file("manifest.json", manifest.dump())});
  }
  size_t entries(const std::string& rel) {
    if (!fs::exists(m_root + "/" + rel)) return 0;
    return static_cast<size_t>(std::distance(fs::directory_iterator(m_root + "/" + rel), fs::directory_iterator()));
  }

  bt::TempDir m_dir;
  std::string m_root, m_busybox, m_rootfs;
};

TEST_F(ImageCli, ImportListInspectRemove) {
  bt::write_bytes(m_dir / "rootfs.tar.gz",
                  bt::make_tar({bt::tar_dir("bin"), bt::tar_file("bin/busybox", m_busybox, 0755),
                                bt::tar_symlink("bin/sh", "busybox"), bt::tar_symlink("bin/ls", "busybox")},
                               bt::TarCompression::Gzip));
  auto imp = berth({"image", "import", "rootfs.tar.gz", "busybox:e2e", "-c", R"(CMD ["sh"])", "--change",
                    "ENV PATH=/bin", "-c", "WORKDIR /srv"});
  ASSERT_EQ(imp.exit_code, 0) << imp.err;
  ASSERT_EQ(imp.out.size(), 7u + 64u + 1u) << imp.out;
  std::string id = imp.out.substr(0, 71);

  auto table = berth({"image", "ls"});
  ASSERT_EQ(table.exit_code, 0) << table.err;
  EXPECT_EQ(table.out.rfind("REPOSITORY   TAG       IMAGE ID       CREATED", 0), 0u) << table.out;  // minwidth 10
  EXPECT_NE(table.out.find("busybox      e2e       " + id.substr(7, 12) + "   "), std::string::npos) << table.out;
  EXPECT_NE(table.out.find("MB\n"), std::string::npos) << table.out;
  // The same listing again (CREATED may cross a second meanwhile: "Less than a second ago" → "1 second ago").
  auto same = berth({"image", "ls"});
  const std::regex created(R"( +(Less than a second|[0-9]+ seconds?) ago +| +CREATED +)");
  EXPECT_EQ(std::regex_replace(same.out, created, " | "), std::regex_replace(table.out, created, " | "));
  auto quiet = berth({"image", "ls", "-q"});
  EXPECT_EQ(quiet.out, id.substr(7, 12) + "\n");
  auto as_json = berth({"image", "ls", "--format", "json"});
  json row = json::parse(as_json.out);
  EXPECT_EQ(row["Repository"], "busybox");
  EXPECT_EQ(row["Tag"], "e2e");
  EXPECT_EQ(row["ID"], id.substr(7, 12));
  auto by_env = run_berth({"image", "ls", "-q"}, m_dir.path(), {{"BERTH_ROOT", m_root}});
  EXPECT_EQ(by_env.out, quiet.out);

  auto inspect = berth({"image", "inspect", "busybox:e2e"});
  ASSERT_EQ(inspect.exit_code, 0) << inspect.err;
  json doc = json::parse(inspect.out);
  ASSERT_EQ(doc.size(), 1u);
  EXPECT_EQ(doc[0]["Id"], id);
  EXPECT_EQ(doc[0]["RepoTags"], json({"busybox:e2e"}));
  EXPECT_EQ(doc[0]["Config"]["Cmd"], json({"sh"}));
  EXPECT_EQ(doc[0]["Config"]["Env"], json({"PATH=/bin"}));
  EXPECT_EQ(doc[0]["Config"]["WorkingDir"], "/srv");
  EXPECT_EQ(doc[0]["Os"], "linux");
  EXPECT_EQ(doc[0]["RootFS"]["Layers"], json({berth::image::sha256_of(m_rootfs).str()}));
  std::string lower = doc[0]["GraphDriver"]["Data"]["LowerDir"];
  EXPECT_EQ(fs::file_size(lower + "/bin/busybox"), m_busybox.size());
  EXPECT_EQ(fs::status(lower + "/bin/busybox").permissions() & fs::perms::owner_exec, fs::perms::owner_exec);
  EXPECT_EQ(fs::read_symlink(lower + "/bin/sh"), "busybox");
  EXPECT_EQ(json::parse(berth({"image", "inspect", id.substr(7, 8)}).out)[0]["Id"], id);  // by id prefix

  auto missing = berth({"image", "inspect", "nothing:here"});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_EQ(missing.out, "[]\n");
  EXPECT_NE(missing.err.find("no such image: nothing:here"), std::string::npos) << missing.err;

  auto rm = berth({"image", "rm", "busybox:e2e"});
  ASSERT_EQ(rm.exit_code, 0) << rm.err;
  EXPECT_EQ(rm.out,
            "Untagged: busybox:e2e\nDeleted: " + id + "\nDeleted: " + berth::image::sha256_of(m_rootfs).str() + "\n");
  EXPECT_EQ(berth({"image", "ls", "-q"}).out, "");
  EXPECT_EQ(entries("layers"), 0u);
  EXPECT_EQ(entries("blobs/sha256"), 0u);
  EXPECT_EQ(entries("tmp"), 0u);
  auto again = berth({"image", "rm", "busybox:e2e"});
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_NE(again.err.find("no such image: busybox:e2e"), std::string::npos);
}

TEST_F(ImageCli, LoadDockerSaveFromFileAndStdin) {
  bt::write_bytes(m_dir / "save.tar", docker_save("busybox:saved"));
  auto load = berth({"image", "load", "-i", "save.tar"});
  ASSERT_EQ(load.exit_code, 0) << load.err;
  EXPECT_EQ(load.out, "Loaded image: busybox:saved\n");
  auto piped = berth({"image", "load", "-q"}, docker_save("localhost:5000/tools/busybox:2"));
  ASSERT_EQ(piped.exit_code, 0) << piped.err;
  EXPECT_EQ(piped.out, "Loaded image: localhost:5000/tools/busybox:2\n");

  auto table = berth({"image", "ls"});
  EXPECT_NE(table.out.find("localhost:5000/tools/busybox   2 "), std::string::npos) << table.out;
  EXPECT_NE(table.out.find("busybox                        saved "), std::string::npos) << table.out;
  json doc = json::parse(berth({"image", "inspect", "busybox:saved", "localhost:5000/tools/busybox:2"}).out);
  ASSERT_EQ(doc.size(), 2u);
  EXPECT_EQ(doc[0]["Id"], doc[1]["Id"]);  // the same config: one image id, two names
  EXPECT_EQ(doc[0]["Created"], "2024-01-01T00:00:00Z");
  EXPECT_EQ(entries("layers"), 1u);  // and one unpacked layer

  // Removing an id that two names share needs -f, then removes both.
  std::string id = doc[0]["Id"];
  auto refused = berth({"image", "rm", id.substr(7, 12)});
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_NE(refused.err.find("must be forced"), std::string::npos) << refused.err;
  auto forced = berth({"image", "rm", "-f", id.substr(7, 12)});
  ASSERT_EQ(forced.exit_code, 0) << forced.err;
  EXPECT_NE(forced.out.find("Untagged: busybox:saved\n"), std::string::npos) << forced.out;
  EXPECT_NE(forced.out.find("Untagged: localhost:5000/tools/busybox:2\n"), std::string::npos) << forced.out;
  EXPECT_EQ(entries("layers"), 0u);
}

TEST_F(ImageCli, ErrorsAreReportedOnce) {
  bt::write_bytes(m_dir / "evil.tar", bt::make_tar({bt::tar_file("ok", "1"), bt::tar_file("../evil", "x")}));
  auto evil = berth({"image", "import", "evil.tar", "evil:1"});
  EXPECT_EQ(evil.exit_code, 1);
  EXPECT_EQ(evil.err,
            "error: import evil.tar: unpack layer `evil.tar`: entry `../evil`: path escapes the layer root: "
            "`..` component\n");
  EXPECT_FALSE(fs::exists(m_dir / "evil"));
  EXPECT_EQ(entries("layers"), 0u);
  EXPECT_EQ(entries("tmp"), 0u);

  bt::write_bytes(m_dir / "rootfs.tar", m_rootfs);
  auto bad_change = berth({"image", "import", "rootfs.tar", "x", "-c", "RUN true"});
  EXPECT_EQ(bad_change.exit_code, 1);
  EXPECT_NE(bad_change.err.find("--change `RUN true`: RUN: unsupported instruction"), std::string::npos)
      << bad_change.err;
  auto bad_name = berth({"image", "import", "rootfs.tar", "Upper/Case"});
  EXPECT_EQ(bad_name.exit_code, 1);
  EXPECT_NE(bad_name.err.find("must be lowercase"), std::string::npos) << bad_name.err;
  auto no_file = berth({"image", "load", "-i", "absent.tar"});
  EXPECT_EQ(no_file.exit_code, 1);
  EXPECT_NE(no_file.err.find("open `absent.tar`: No such file or directory"), std::string::npos) << no_file.err;
}

}  // namespace
