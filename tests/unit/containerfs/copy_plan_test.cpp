// docker cp's path rules (compose/containerfs/copy_plan): which argument names a container, what
// "/" and "/." assert, and where the copied entry lands.
#include "compose/containerfs/copy_plan.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

namespace berth::containerfs {
namespace {

TEST(CopyPlan, SplitCpArgAsDockerCompose) {
  EXPECT_EQ(split_cp_arg("web:/etc/hosts").service, "web");
  EXPECT_EQ(split_cp_arg("web:/etc/hosts").path, "/etc/hosts");
  EXPECT_EQ(split_cp_arg("/abs/a:b").service, "");
  EXPECT_EQ(split_cp_arg("./file:name").service, "");
  EXPECT_EQ(split_cp_arg("./file:name").path, "./file:name");
  EXPECT_EQ(split_cp_arg("plain").service, "");
  EXPECT_EQ(split_cp_arg("-").path, "-");
  EXPECT_EQ(split_cp_arg("web:rel").path, "rel");
}

TEST(CopyPlan, TrailingDotAndSlash) {
  EXPECT_TRUE(specifies_current_dir("/a/."));
  EXPECT_TRUE(specifies_current_dir("."));
  EXPECT_FALSE(specifies_current_dir("/a/.b"));
  EXPECT_TRUE(asserts_directory("/a/"));
  EXPECT_TRUE(asserts_directory("/a/."));
  EXPECT_FALSE(asserts_directory("/a"));
  DirEntry d = split_dir_entry("/a/b/");
  EXPECT_EQ(d.dir, "/a");
  EXPECT_EQ(d.base, "b");
  d = split_dir_entry("/a/b/.");
  EXPECT_EQ(d.dir, "/a/b");
  EXPECT_EQ(d.base, ".");
  d = split_dir_entry("/top");
  EXPECT_EQ(d.dir, "/");
  EXPECT_EQ(d.base, "top");
}

TEST(CopyPlan, AbsoluteLocalPathKeepsTheTrailingForms) {
  EXPECT_EQ(absolute_local_path("x/y", "/work"), "/work/x/y");
  EXPECT_EQ(absolute_local_path("x/../y/", "/work"), "/work/y/");
  EXPECT_EQ(absolute_local_path("dir/.", "/work"), "/work/dir/.");
  EXPECT_EQ(absolute_local_path("/abs//p", "/work"), "/abs/p");
}

TEST(CopyPlan, IntoAnExistingDirectoryUnderItsOwnName) {
  CopyTarget t = plan_copy({false, false, "a.txt"}, "/tmp", true);
  EXPECT_EQ(t.extract_dir, "/tmp");
  EXPECT_EQ(t.top_name, "a.txt");
  t = plan_copy({true, false, "dir"}, "/tmp/", true);
  EXPECT_EQ(t.extract_dir, "/tmp");
  EXPECT_EQ(t.top_name, "dir");
}

TEST(CopyPlan, ContentsOnlyGoStraightIntoAnExistingDirectory) {
  CopyTarget t = plan_copy({true, true, "."}, "/tmp", true);
  EXPECT_EQ(t.extract_dir, "/tmp");
  EXPECT_EQ(t.top_name, "");
}

TEST(CopyPlan, AMissingDestinationIsTakenByTheSource) {
  CopyTarget t = plan_copy({true, false, "dir"}, "/new", std::nullopt);
  EXPECT_EQ(t.extract_dir, "/");
  EXPECT_EQ(t.top_name, "new");
  t = plan_copy({true, true, "."}, "/srv/new", std::nullopt);
  EXPECT_EQ(t.extract_dir, "/srv");
  EXPECT_EQ(t.top_name, "new");
  t = plan_copy({false, false, "a.txt"}, "/srv/b.txt", std::nullopt);
  EXPECT_EQ(t.extract_dir, "/srv");
  EXPECT_EQ(t.top_name, "b.txt");
}

TEST(CopyPlan, AFileReplacesAnExistingFileUnderItsName) {
  CopyTarget t = plan_copy({false, false, "a.txt"}, "/srv/b.txt", false);
  EXPECT_EQ(t.extract_dir, "/srv");
  EXPECT_EQ(t.top_name, "b.txt");
}

TEST(CopyPlan, DockersErrors) {
  try {
    plan_copy({true, false, "dir"}, "/srv/file", false);
    FAIL() << "a directory onto a file";
  } catch (const std::runtime_error& e) {
    EXPECT_STREQ(e.what(), "cannot copy directory");
  }
  try {
    plan_copy({false, false, "a"}, "/srv/missing/", std::nullopt);
    FAIL() << "a file onto a missing directory";
  } catch (const std::runtime_error& e) {
    EXPECT_STREQ(e.what(), "no such directory");
  }
}

}  // namespace
}  // namespace berth::containerfs
