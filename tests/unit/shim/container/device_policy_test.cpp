// The device policy as data (device_rules.cpp) and the cgroup v2 BPF program built from it
// (device_filter.cpp). The program's shape is checked instruction by instruction for small rule
// sets, and its verdicts against the v1 emulation for many requests by running it through a tiny
// interpreter of the few opcodes it uses (the kernel's verifier and the real hook are exercised by
// tests/integration/device_cgroup_test.cpp).
#include <gtest/gtest.h>

#include "runtime-shim/container/device_filter.hpp"
#include "runtime-shim/container/device_rules.hpp"

using namespace berth::shim;

namespace {

DeviceRule rule(bool allow, char type, int64_t major, int64_t minor, const char* access) {
  return DeviceRule{allow, type, major, minor, access};
}

/// Runs `p` on a bpf_cgroup_dev_ctx; fails the test on an opcode the generator should not emit.
int run(const std::vector<bpf_insn>& p, uint32_t type, uint32_t access, uint32_t major, uint32_t minor) {
  const uint32_t ctx[3] = {(access << 16) | type, major, minor};
  uint64_t reg[11] = {};
  for (size_t pc = 0, steps = 0; pc < p.size() && steps < 10000; ++pc, ++steps) {
    const bpf_insn& i = p[pc];
    const uint64_t src = BPF_SRC(i.code) == BPF_X ? reg[i.src_reg] : static_cast<uint64_t>(static_cast<int64_t>(i.imm));
    switch (i.code) {
      case BPF_LDX | BPF_MEM | BPF_W:
        EXPECT_EQ(i.src_reg, BPF_REG_1);
        reg[i.dst_reg] = ctx[i.off / 4];
        break;
      case BPF_ALU | BPF_AND | BPF_K:
        reg[i.dst_reg] = static_cast<uint32_t>(reg[i.dst_reg] & src);
        break;
      case BPF_ALU | BPF_RSH | BPF_K:
        reg[i.dst_reg] = static_cast<uint32_t>(reg[i.dst_reg]) >> i.imm;
        break;
      case BPF_ALU | BPF_MOV | BPF_K:
      case BPF_ALU | BPF_MOV | BPF_X:
        reg[i.dst_reg] = static_cast<uint32_t>(src);
        break;
      case BPF_JMP | BPF_JNE | BPF_K:
      case BPF_JMP | BPF_JNE | BPF_X:
        if (reg[i.dst_reg] != src) pc += i.off;
        break;
      case BPF_JMP | BPF_JEQ | BPF_K:
        if (reg[i.dst_reg] == src) pc += i.off;
        break;
      case BPF_JMP | BPF_EXIT:
        return static_cast<int>(reg[0]);
      default:
        ADD_FAILURE() << "unexpected opcode " << int(i.code) << " at " << pc;
        return -1;
    }
  }
  ADD_FAILURE() << "fell off the end of the program";
  return -1;
}

/// Every request of a small grid: the program's verdict must equal the v1 emulation's.
void expect_program_matches_policy(const DevicePolicy& policy) {
  const std::vector<bpf_insn> p = device_filter_program(policy);
  const char* accesses[] = {"r", "w", "m", "rw", "rm", "wm", "rwm"};
  const uint32_t acc_bits[] = {BPF_DEVCG_ACC_READ,
                               BPF_DEVCG_ACC_WRITE,
                               BPF_DEVCG_ACC_MKNOD,
                               BPF_DEVCG_ACC_READ | BPF_DEVCG_ACC_WRITE,
                               BPF_DEVCG_ACC_READ | BPF_DEVCG_ACC_MKNOD,
                               BPF_DEVCG_ACC_WRITE | BPF_DEVCG_ACC_MKNOD,
                               BPF_DEVCG_ACC_READ | BPF_DEVCG_ACC_WRITE | BPF_DEVCG_ACC_MKNOD};
  for (char type : {'c', 'b'})
    for (uint32_t major : {1u, 4u, 5u, 8u, 10u, 136u, 189u})
      for (uint32_t minor : {0u, 1u, 2u, 3u, 5u, 7u, 8u, 9u, 200u, 229u, 237u})
        for (size_t a = 0; a < 7; ++a) {
          const bool want = device_allowed(policy, type, major, minor, accesses[a]);
          const int got = run(p, type == 'b' ? BPF_DEVCG_DEV_BLOCK : BPF_DEVCG_DEV_CHAR, acc_bits[a], major, minor);
          ASSERT_EQ(got, want ? 1 : 0) << type << " " << major << ":" << minor << " " << accesses[a];
        }
}

}  // namespace

TEST(DeviceRulesTest, DefaultPolicyIsRuncsAllowList) {
  const std::vector<DeviceRule> rules = container_device_rules({});
  ASSERT_EQ(rules.size(), 11u);
  EXPECT_EQ(v1_rule_line(rules[0]), "a");
  EXPECT_FALSE(rules[0].allow);
  EXPECT_EQ(v1_rule_line(rules[1]), "c *:* m");
  EXPECT_EQ(v1_rule_line(rules[2]), "b *:* m");
  EXPECT_EQ(v1_rule_line(rules[9]), "c 136:* rwm");
  EXPECT_EQ(v1_rule_line(rules[10]), "c 5:2 rwm");

  const DevicePolicy p = resolve_device_policy(rules);
  EXPECT_FALSE(p.default_allow);
  EXPECT_EQ(p.exceptions.size(), 10u);
  for (auto [major, minor] : {std::pair{1, 3}, {1, 5}, {1, 7}, {1, 8}, {1, 9}, {5, 0}, {5, 2}, {136, 4}})
    EXPECT_TRUE(device_allowed(p, 'c', major, minor, "rw")) << major << ":" << minor;
  // The devices of the issue: mknod yes, open no.
  for (auto [major, minor] : {std::pair{10, 237}, {10, 232}, {10, 229}, {4, 0}, {10, 183}, {5, 1}}) {
    EXPECT_TRUE(device_allowed(p, 'c', major, minor, "m")) << major << ":" << minor;
    EXPECT_FALSE(device_allowed(p, 'c', major, minor, "r")) << major << ":" << minor;
    EXPECT_FALSE(device_allowed(p, 'c', major, minor, "w")) << major << ":" << minor;
  }
  EXPECT_TRUE(device_allowed(p, 'b', 8, 0, "m"));
  EXPECT_FALSE(device_allowed(p, 'b', 8, 0, "rw"));
  EXPECT_FALSE(device_allowed(p, 'b', 1, 3, "r"));  // the type matters: null is a char device
}

TEST(DeviceRulesTest, V1SemanticsAllDenyRemoveAndMerge) {
  // "a" allow: everything, the exceptions before it forgotten.
  DevicePolicy p = resolve_device_policy(container_device_rules({rule(true, 'a', -1, -1, "rwm")}));
  EXPECT_TRUE(p.default_allow);
  EXPECT_TRUE(p.exceptions.empty());  // runc's allow rules agree with the default: no exceptions
  EXPECT_TRUE(device_allowed(p, 'c', 10, 237, "rw"));
  EXPECT_TRUE(device_allowed(p, 'b', 8, 0, "rwm"));

  // In allow mode a deny exception bites on any overlap of letters.
  p = resolve_device_policy({rule(true, 'a', -1, -1, "rwm"), rule(false, 'c', 1, 3, "w")});
  ASSERT_EQ(p.exceptions.size(), 1u);
  EXPECT_TRUE(device_allowed(p, 'c', 1, 3, "r"));
  EXPECT_FALSE(device_allowed(p, 'c', 1, 3, "rw"));

  // In deny mode a deny rule takes letters away from the exception with the same numbers only.
  p = resolve_device_policy({rule(false, 'a', -1, -1, "rwm"), rule(true, 'c', 1, 3, "rwm"), rule(false, 'c', 1, 3, "w"),
                             rule(false, 'c', 1, -1, "rwm")});
  ASSERT_EQ(p.exceptions.size(), 1u);
  EXPECT_EQ(p.exceptions[0].access, "rm");
  EXPECT_TRUE(device_allowed(p, 'c', 1, 3, "r"));
  EXPECT_FALSE(device_allowed(p, 'c', 1, 3, "w"));

  // Allow rules for the same device merge; one exception must cover every requested letter.
  p = resolve_device_policy({rule(false, 'a', -1, -1, "rwm"), rule(true, 'c', 189, -1, "r"),
                             rule(true, 'c', 189, -1, "m"), rule(true, 'c', 189, 2, "w")});
  ASSERT_EQ(p.exceptions.size(), 2u);
  EXPECT_EQ(p.exceptions[0].access, "rm");
  EXPECT_TRUE(device_allowed(p, 'c', 189, 2, "w"));
  EXPECT_FALSE(device_allowed(p, 'c', 189, 2, "rw"));
  EXPECT_TRUE(device_allowed(p, 'c', 189, 7, "rm"));
  EXPECT_FALSE(device_allowed(p, 'c', 189, 7, "w"));
}

TEST(DeviceFilterTest, AllowAllAndDenyAllAreTheProloguePlusTheDefault) {
  for (bool allow : {true, false}) {
    DevicePolicy p;
    p.default_allow = allow;
    const std::vector<bpf_insn> prog = device_filter_program(p);
    ASSERT_EQ(prog.size(), 8u);
    EXPECT_EQ(prog[0].code, BPF_LDX | BPF_MEM | BPF_W);
    EXPECT_EQ(prog[0].dst_reg, BPF_REG_2);
    EXPECT_EQ(prog[1].code, BPF_ALU | BPF_AND | BPF_K);
    EXPECT_EQ(prog[1].imm, 0xffff);
    EXPECT_EQ(prog[3].code, BPF_ALU | BPF_RSH | BPF_K);
    EXPECT_EQ(prog[3].imm, 16);
    EXPECT_EQ(prog[4].off, 4);  // major
    EXPECT_EQ(prog[5].off, 8);  // minor
    EXPECT_EQ(prog[6].code, BPF_ALU | BPF_MOV | BPF_K);
    EXPECT_EQ(prog[6].dst_reg, BPF_REG_0);
    EXPECT_EQ(prog[6].imm, allow ? 1 : 0);
    EXPECT_EQ(prog[7].code, BPF_JMP | BPF_EXIT);
  }
}

TEST(DeviceFilterTest, OneBlockPerExceptionJumpingToTheNext) {
  DevicePolicy p;
  p.default_allow = false;
  p.exceptions = {rule(true, 'c', 1, 3, "rwm"), rule(true, 'c', -1, -1, "m"), rule(true, 'c', 136, -1, "rwm")};
  const std::vector<bpf_insn> prog = device_filter_program(p);
  // 6 prologue; c 1:3 rwm: type, major, minor, r0, exit = 5; c *:* m: type, mov, and, jne, r0,
  // exit = 6; c 136:* rwm: type, major, r0, exit = 4; default: 2.
  ASSERT_EQ(prog.size(), 6u + 5 + 6 + 4 + 2);
  // c 1:3 rwm: each test skips to the block's end.
  EXPECT_EQ(prog[6].code, BPF_JMP | BPF_JNE | BPF_K);
  EXPECT_EQ(prog[6].imm, BPF_DEVCG_DEV_CHAR);
  EXPECT_EQ(prog[6].off, 4);
  EXPECT_EQ(prog[7].dst_reg, BPF_REG_4);
  EXPECT_EQ(prog[7].imm, 1);
  EXPECT_EQ(prog[7].off, 3);
  EXPECT_EQ(prog[8].dst_reg, BPF_REG_5);
  EXPECT_EQ(prog[8].imm, 3);
  EXPECT_EQ(prog[8].off, 2);
  EXPECT_EQ(prog[9].imm, 1);
  EXPECT_EQ(prog[10].code, BPF_JMP | BPF_EXIT);
  // c *:* m: the access test is (access & MKNOD) != access -> next.
  EXPECT_EQ(prog[12].code, BPF_ALU | BPF_MOV | BPF_X);
  EXPECT_EQ(prog[13].code, BPF_ALU | BPF_AND | BPF_K);
  EXPECT_EQ(prog[13].imm, BPF_DEVCG_ACC_MKNOD);
  EXPECT_EQ(prog[14].code, BPF_JMP | BPF_JNE | BPF_X);
  EXPECT_EQ(prog[14].off, 2);
  // A deny exception (allow-by-default policy) tests for overlap: (access & bits) == 0 -> next.
  DevicePolicy deny;
  deny.exceptions = {rule(false, 'b', 8, -1, "w")};
  const std::vector<bpf_insn> d = device_filter_program(deny);
  ASSERT_EQ(d.size(), 6u + 7 + 2);
  EXPECT_EQ(d[6].imm, BPF_DEVCG_DEV_BLOCK);
  EXPECT_EQ(d[9].code, BPF_JMP | BPF_JEQ | BPF_K);
  EXPECT_EQ(d[11].imm, 0);  // r0 = 0: denied
  EXPECT_EQ(d[13].imm, 1);  // the default: allowed
}

TEST(DeviceFilterTest, VerdictsEqualTheV1Emulation) {
  expect_program_matches_policy(resolve_device_policy(container_device_rules({})));
  expect_program_matches_policy(resolve_device_policy(container_device_rules({rule(true, 'a', -1, -1, "rwm")})));
  expect_program_matches_policy(resolve_device_policy(container_device_rules(
      {rule(true, 'c', 10, 237, "rw"), rule(true, 'c', 189, -1, "rm"), rule(true, 'b', 8, 0, "r")})));
  expect_program_matches_policy(
      resolve_device_policy({rule(true, 'a', -1, -1, "rwm"), rule(false, 'c', 1, -1, "w"),
                             rule(false, 'b', -1, -1, "rm"), rule(false, 'c', 10, 229, "rwm")}));
}
