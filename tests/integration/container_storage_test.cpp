// The container's file systems: read-only rootfs, tmpfs, bind mounts, mount points behind
// symlinks, overlay rootfs (short and long layer stacks).
#include "container_fixture.hpp"

namespace berth::shim::test {
namespace {

TEST_F(ContainerTest, ReadOnlyRootfsWithWritableTmpfs) {
  Bundle b = probe({"write", "/etc/new", "x"});
  b.readonly_rootfs = true;
  Result r = run(b);
  EXPECT_NE(r.output.find("errno=30 "), std::string::npos) << r.output;

  Bundle t = probe({"write", "/scratch/file", "x"});
  t.readonly_rootfs = true;
  t.mounts.push_back({"/scratch", "tmpfs", "tmpfs", {"nosuid", "nodev", "size=1m", "mode=1770"}});
  r = run(t);
  EXPECT_EQ(r.output, "ok\n");

  Bundle s = probe({"status"});
  s.mounts = t.mounts;
  json st = status(s);
  bool found = false;
  for (const json& m : st["mounts"])
    if (m["target"] == "/scratch") {
      found = true;
      EXPECT_EQ(m["type"], "tmpfs");
      EXPECT_NE(m["options"].get<std::string>().find("size=1024k"), std::string::npos) << m.dump();
      EXPECT_NE(m["options"].get<std::string>().find("mode=1770"), std::string::npos) << m.dump();
    }
  EXPECT_TRUE(found) << st["mounts"].dump();
}

TEST_F(ContainerTest, BindMountsReadWriteAndReadOnly) {
  const std::string rw = fx->make_dir("shared-rw");
  const std::string ro = fx->make_dir("shared-ro");
  std::ofstream(ro + "/present") << "data\n";
  auto with_binds = [&](Bundle b) {
    b.mounts.push_back({"/data", "bind", rw, {"rbind", "rw"}});
    b.mounts.push_back({"/mnt/ro", "bind", ro, {"rbind", "ro", "nosuid"}});
    return b;
  };
  Result r = run(with_binds(probe({"write", "/data/from-container", "hello"})));
  EXPECT_EQ(r.output, "ok\n");
  EXPECT_EQ(read_bytes(rw + "/from-container"), "hello");
  r = run(with_binds(probe({"write", "/mnt/ro/x", "no"})));
  EXPECT_NE(r.output.find("errno=30 "), std::string::npos) << r.output;
  r = run(with_binds(probe({"read", "/mnt/ro/present"})));
  EXPECT_EQ(r.output, "data\n");
}

TEST_F(ContainerTest, SymlinkedMountDestinationStaysInsideTheRootfs) {
  const std::string outside = fx->make_dir("outside");
  ::symlink(outside.c_str(), (fx->rootfs() + "/escape").c_str());  // absolute link to a host path
  Bundle b = probe({"ls", "/escape"});
  b.mounts.push_back({"/escape/sub", "tmpfs", "tmpfs", {"size=1m"}});
  Result r = run(b);
  EXPECT_TRUE(r.exited(0)) << r.output;
  EXPECT_EQ(r.output, "sub\n");
  EXPECT_FALSE(std::filesystem::exists(outside + "/sub")) << "the mount point was created outside the rootfs";
  EXPECT_TRUE(std::filesystem::exists(fx->rootfs() + outside + "/sub"));
}

TEST_F(ContainerTest, OverlayRootfsWritesGoToTheUpperDir) {
  const std::string upper = fx->make_dir("upper"), work = fx->make_dir("work"), merged = fx->make_dir("merged");
  Bundle b = probe({"write", "/etc/added", "layered"});
  b.lower_dirs = {fx->rootfs()};
  b.upper_dir = upper;
  b.work_dir = work;
  b.rootfs = merged;
  Result r = run(b);
  EXPECT_EQ(r.output, "ok\n");
  EXPECT_EQ(read_bytes(upper + "/etc/added"), "layered");
  EXPECT_FALSE(std::filesystem::exists(fx->rootfs() + "/etc/added"));
  EXPECT_TRUE(std::filesystem::is_empty(merged)) << "the overlay is visible on the host";
}

TEST_F(ContainerTest, LongLayerStacksUseTheNewMountApi) {
  // 40 layers with store-like paths: the lowerdir option alone is over a page long.
  std::vector<std::string> lowers;
  for (int i = 0; i < 40; ++i) {
    char hex[65];
    std::snprintf(hex, sizeof hex, "%064x", i + 1);
    lowers.push_back(fx->make_dir(std::string("layers/") + hex + "/diff"));
  }
  std::filesystem::create_directories(lowers.front() + "/etc");
  std::ofstream(lowers.front() + "/etc/top") << "topmost\n";
  fx->write_rootfs_file("/etc/top", "bottom\n");
  lowers.push_back(fx->rootfs());
  Bundle b = probe({"read", "/etc/top"});
  b.lower_dirs = lowers;
  b.upper_dir = fx->make_dir("upper");
  b.work_dir = fx->make_dir("work");
  b.rootfs = fx->make_dir("merged");
  Result r = run(b);
  EXPECT_EQ(r.output, "topmost\n");

  Bundle missing = b;
  missing.id += "-missing";
  missing.cgroups_path += "-missing";
  ids.push_back(missing.id);
  missing.lower_dirs[7] = fx->path("layers/gone/diff");
  try {
    start(missing);
    ADD_FAILURE() << "mounted a stack with a missing layer";
  } catch (const ContainerError& e) {
    EXPECT_EQ(e.step(), "rootfs");
    EXPECT_EQ(e.code(), ENOENT);
    EXPECT_NE(std::string(e.what()).find("lowerdir+ `" + fx->path("layers/gone/diff") + "`: No such file or directory"),
              std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace berth::shim::test
