// develop.watch rule matching as docker compose does it (pkg/compose/watch.go watchRule.Matches,
// pkg/watch/dockerignore.go): the rule's path and what is below it, include, ignore patterns
// relative to the path, the build context's .dockerignore, editors' temporary files, the lone
// "*" quirk, and the container path a sync maps to.
#include <gtest/gtest.h>

#include "compose/watch/watch_rules.hpp"
#include "compose/watch/watcher.hpp"
#include "support/files.hpp"
#include "support/temp_dir.hpp"

using namespace berth;
using namespace berth::watch;

namespace {

model::Service service_with(const std::string& path, const std::string& target, std::vector<std::string> ignore = {},
                            std::vector<std::string> include = {}) {
  model::Service svc;
  svc.name = "web";
  model::WatchTrigger t;
  t.path = path;
  t.action = "sync";
  t.target = target;
  t.ignore = std::move(ignore);
  t.include = std::move(include);
  svc.develop = model::Develop{};
  svc.develop->watch.push_back(t);
  return svc;
}

TEST(WatchRules, PathsAtOrBelowTheRulePathMapUnderTheTarget) {
  auto rules = watch_rules(service_with("/proj/src", "/app"));
  ASSERT_EQ(rules.size(), 1u);
  auto m = rules[0].matches("/proj/src/a/b.txt");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->host_path, "/proj/src/a/b.txt");
  EXPECT_EQ(m->container_path, "/app/a/b.txt");
  EXPECT_EQ(rules[0].matches("/proj/src")->container_path, "/app");
  EXPECT_FALSE(rules[0].matches("/proj/srcx/a"));
  EXPECT_FALSE(rules[0].matches("/proj/other"));
  EXPECT_EQ(watch_rules(service_with("/proj/src", ""))[0].matches("/proj/src/a")->container_path, "");
}

TEST(WatchRules, IgnoreAndIncludePatternsAreRelativeToTheRulePath) {
  auto rules = watch_rules(service_with("/proj/src", "/app", {"node_modules/", "*.tmp", "/abs/x"}, {}));
  const WatchRule& r = rules[0];
  EXPECT_FALSE(r.matches("/proj/src/node_modules/x/y.js"));
  EXPECT_FALSE(r.matches("/proj/src/a.tmp"));
  EXPECT_TRUE(r.matches("/proj/src/sub/a.tmp"));  // "*.tmp" is one element below the path, as in Docker
  EXPECT_TRUE(r.matches("/proj/src/main.js"));

  auto inc = watch_rules(service_with("/proj/src", "/app", {}, {"*.go"}))[0];
  EXPECT_TRUE(inc.matches("/proj/src/main.go"));
  EXPECT_FALSE(inc.matches("/proj/src/README.md"));
  EXPECT_FALSE(inc.matches("/proj/src/pkg/x.go"));
}

TEST(WatchRules, EditorTemporaryFilesAreNeverActedOn) {
  auto r = watch_rules(service_with("/proj", "/app"))[0];
  for (const char* p : {"/proj/.main.go.swp", "/proj/a/b~", "/proj/.#x", "/proj/#x#", "/proj/4913",
                        "/proj/.idea/ws.xml", "/proj/f___jb_tmp___", "/proj/.a.kate-swp", "/proj/x-go-tmp-umask"})
    EXPECT_FALSE(r.matches(p)) << p;
  EXPECT_TRUE(r.matches("/proj/main.go"));
  EXPECT_TRUE(r.matches("/proj/.git/HEAD"));  // ".git/" is anchored at "/" in docker compose
}

TEST(WatchRules, TheBuildContextsDockerignoreApplies) {
  test::TempDir dir;
  const std::string ctx = dir.path();
  test::write_bytes(ctx + "/.dockerignore", "*.log\n!keep.log\nbuild/\n");
  auto svc = service_with(ctx, "/app");
  svc.build = model::BuildConfig{};
  svc.build->context = ctx;
  auto r = watch_rules(svc)[0];
  EXPECT_FALSE(r.matches(ctx + "/debug.log"));
  EXPECT_TRUE(r.matches(ctx + "/keep.log"));
  EXPECT_FALSE(r.matches(ctx + "/build/out.o"));
  EXPECT_TRUE(r.matches(ctx + "/src/main.c"));
}

TEST(WatchRules, ALoneStarKeepsOnlyTheExceptions) {
  PathMatcher m("/proj", {"*", "!src"});
  EXPECT_FALSE(m.matches("/proj/anything"));
  EXPECT_FALSE(m.matches("/proj/src/a"));
  PathMatcher plain("/proj", {"docs"});
  EXPECT_TRUE(plain.matches("/proj/docs/x.md"));
  EXPECT_FALSE(plain.matches("/elsewhere/docs"));
  EXPECT_FALSE(PathMatcher().matches("/proj/x"));
}

TEST(WatchRules, GoQuotedServiceLists) {
  EXPECT_EQ(quoted_list({"web"}), "[\"web\"]");
  EXPECT_EQ(quoted_list({"a", "b\"c"}), "[\"a\" \"b\\\"c\"]");
  EXPECT_EQ(quoted_list({}), "[]");
}

}  // namespace
