// The parent-side decisions about the container process: capability masks, clamped rlimits, and
// the sync socket that carries the child's errors.
#include <gtest/gtest.h>
#include <sys/resource.h>

#include "runtime-shim/container/capabilities.hpp"
#include "runtime-shim/container/init.hpp"
#include "runtime-shim/container/rlimits.hpp"
#include "runtime-shim/container/sync.hpp"

using namespace berth::shim;

namespace {

TEST(CapabilitiesTest, EmptyListsMeanDockersDefaultSet) {
  std::vector<std::string> warnings;
  CapabilitySets s = plan_capabilities({}, false, warnings);
  EXPECT_EQ(s.bounding, 0xa80425fbULL);
  EXPECT_EQ(s.effective, 0xa80425fbULL);
  EXPECT_EQ(s.permitted, 0xa80425fbULL);
  EXPECT_EQ(s.inheritable, 0u);
  EXPECT_EQ(s.ambient, 0u);
  EXPECT_EQ(capability_names(s.bounding).size(), 14u);

  // Given (even empty) lists are taken as they are: cap_drop ALL.
  s = plan_capabilities({}, true, warnings);
  EXPECT_EQ(s.bounding, 0u);
  Capabilities c;
  c.bounding = c.permitted = c.effective = {"CAP_NET_ADMIN", "sys_admin"};
  s = plan_capabilities(c, true, warnings);
  EXPECT_EQ(capability_names(s.effective), (std::vector<std::string>{"CAP_NET_ADMIN", "CAP_SYS_ADMIN"}));
  EXPECT_TRUE(warnings.empty());

  c.bounding = {"CAP_MAKE_COFFEE"};
  EXPECT_THROW(plan_capabilities(c, true, warnings), std::runtime_error);
  const uint64_t all = last_capability() >= 63 ? ~0ULL : (1ULL << (last_capability() + 1)) - 1;
  EXPECT_EQ(all_capabilities().bounding & ~all, 0u);
  EXPECT_NE(all_capabilities().bounding, 0u);
}

TEST(RlimitsTest, ValuesAndClamping) {
  EXPECT_EQ(rlimit_number("RLIMIT_NOFILE"), RLIMIT_NOFILE);
  EXPECT_EQ(rlimit_number("nproc"), RLIMIT_NPROC);
  EXPECT_EQ(rlimit_number("RLIMIT_BOGUS"), -1);

  rlimit current{};
  ::getrlimit(RLIMIT_NOFILE, &current);
  std::vector<std::string> warnings;
  auto plan = plan_rlimits({{"RLIMIT_NOFILE", 10, 20}}, false, warnings);
  ASSERT_EQ(plan.size(), 1u);
  EXPECT_EQ(plan[0].value.rlim_cur, 10u);
  EXPECT_EQ(plan[0].value.rlim_max, 20u);
  EXPECT_TRUE(warnings.empty());

  if (current.rlim_max != RLIM_INFINITY) {
    plan = plan_rlimits({{"RLIMIT_NOFILE", RLIM_INFINITY, RLIM_INFINITY}}, false, warnings);
    EXPECT_EQ(plan[0].value.rlim_max, current.rlim_max);
    EXPECT_EQ(plan[0].value.rlim_cur, current.rlim_max);
    ASSERT_EQ(warnings.size(), 1u);
    EXPECT_NE(warnings[0].find("clamped"), std::string::npos);
    warnings.clear();
    plan = plan_rlimits({{"RLIMIT_NOFILE", RLIM_INFINITY, RLIM_INFINITY}}, true, warnings);  // CAP_SYS_RESOURCE
    EXPECT_EQ(plan[0].value.rlim_max, RLIM_INFINITY);
    EXPECT_TRUE(warnings.empty());
  }
  EXPECT_THROW(plan_rlimits({{"RLIMIT_NOFILE", 30, 20}}, false, warnings), std::runtime_error);
  EXPECT_THROW(plan_rlimits({{"RLIMIT_FOO", 1, 1}}, false, warnings), std::runtime_error);
}

TEST(SyncSocketTest, MessagesKeepTheirFieldsAndEofFollowsClose) {
  auto [parent, child] = SyncSocket::pair();
  SyncMessage m;
  m.type = SyncType::Error;
  m.step = "mounts";
  m.err = 2;
  m.text = "mount proc on `/proc`: No such file or directory";
  child.send(m);
  SyncMessage ready;
  ready.type = SyncType::Ready;
  child.send(ready);
  child.close();
  auto got = parent.receive();
  ASSERT_TRUE(got);
  EXPECT_EQ(got->type, SyncType::Error);
  EXPECT_EQ(got->step, "mounts");
  EXPECT_EQ(got->err, 2);
  EXPECT_EQ(got->text, m.text);
  EXPECT_EQ(parent.expect(SyncType::Ready).type, SyncType::Ready);
  EXPECT_FALSE(parent.receive());
}

TEST(EnvTest, HomeIsAddedOnlyWhenMissing) {
  EXPECT_EQ(with_home({"PATH=/bin"}, "/home/app"), (std::vector<std::string>{"PATH=/bin", "HOME=/home/app"}));
  EXPECT_EQ(with_home({"HOME=/x"}, "/home/app"), std::vector<std::string>{"HOME=/x"});
}

}  // namespace
