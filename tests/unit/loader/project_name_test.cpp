#include "compose/loader/project_name.hpp"

#include <gtest/gtest.h>

#include "compose/loader/discover.hpp"

using namespace berth::loader;

TEST(ProjectName, PrecedenceIsFlagThenEnvironmentThenFileThenDirectory) {
  ProjectNameSources s{"flag", "env", "file", "/x/dir"};
  EXPECT_EQ(choose_project_name(s), "flag");
  s.flag.reset();
  EXPECT_EQ(choose_project_name(s), "env");
  s.environment.reset();
  EXPECT_EQ(choose_project_name(s), "file");
  s.file.reset();
  EXPECT_EQ(choose_project_name(s), "dir");
}

TEST(ProjectName, DirectoryNamesAreNormalised) {
  EXPECT_EQ(normalize_project_name("My App.v2"), "myappv2");
  EXPECT_EQ(normalize_project_name("__x-Y"), "x-y");
  EXPECT_EQ(choose_project_name({std::nullopt, std::nullopt, std::nullopt, "/home/u/Web_Shop"}), "web_shop");
}

TEST(ProjectName, ExplicitNamesMustBeValid) {
  EXPECT_TRUE(is_valid_project_name("a-b_c1"));
  EXPECT_FALSE(is_valid_project_name("Upper"));
  EXPECT_FALSE(is_valid_project_name("-lead"));
  EXPECT_FALSE(is_valid_project_name("a.b"));
  try {
    choose_project_name({"Bad Name", std::nullopt, std::nullopt, "/x"});
    FAIL();
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("--project-name"), std::string::npos);
  }
  EXPECT_THROW(choose_project_name({std::nullopt, std::nullopt, std::nullopt, "/"}), std::invalid_argument);
}

TEST(Discover, PathHelpers) {
  EXPECT_EQ(absolute_path("a/../b/./c", "/w"), "/w/b/c");
  EXPECT_EQ(absolute_path("/abs/x/..", "/w"), "/abs");
  EXPECT_EQ(absolute_path("../../..", "/w"), "/");
  EXPECT_EQ(dir_name("/a/b.yaml"), "/a");
  EXPECT_EQ(dir_name("/b.yaml"), "/");
  EXPECT_EQ(base_name("/a/b/"), "b");
  EXPECT_EQ(expand_home("~/x", "/home/u"), "/home/u/x");
  EXPECT_EQ(expand_home("~user/x", "/home/u"), "~user/x");
}

TEST(Discover, ComposeFileEnvironmentVariableSplits) {
  EXPECT_EQ(split_compose_file_env("a.yaml:b.yaml", std::nullopt), (std::vector<std::string>{"a.yaml", "b.yaml"}));
  EXPECT_EQ(split_compose_file_env("a.yaml;b.yaml", std::string(";")), (std::vector<std::string>{"a.yaml", "b.yaml"}));
}
