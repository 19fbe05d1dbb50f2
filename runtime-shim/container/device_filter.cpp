// cgroup v2 device policy: an eBPF program of type BPF_PROG_TYPE_CGROUP_DEVICE. The kernel runs
// every such program attached to the cgroup of a process (and, with BPF_F_ALLOW_MULTI, to its
// ancestors) on mknod(2) and open(2) of a device node; the access is refused with EPERM unless
// each returns 1. The context is struct bpf_cgroup_dev_ctx: access_type (low 16 bits the device
// type BPF_DEVCG_DEV_{BLOCK=1,CHAR=2}, high 16 bits the BPF_DEVCG_ACC_{MKNOD=1,READ=2,WRITE=4}
// requested), major, minor — each a u32.
//
// The program is the resolved policy (device_rules.hpp), so it behaves as the v1 controller:
//     r2 = type; r3 = access; r4 = major; r5 = minor
//     per exception: if (type, access, major, minor) match -> return its verdict
//     return the default
// Access matching follows v1: an allow exception must cover every requested letter
// ((r3 & bits) == r3), a deny exception applies on any overlap ((r3 & bits) != 0).
// Kernel quirks: programs are charged to the memory cgroup since 5.11 (RLIMIT_MEMLOCK before);
// an attached program is held by the cgroup, so the fd can be closed once it is attached; a
// program attached without BPF_F_ALLOW_MULTI above us would make our attach fail (EPERM).
#include "runtime-shim/container/device_filter.hpp"

#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "common/sys_error.hpp"

namespace berth::shim {

namespace {

bpf_insn insn(uint8_t code, uint8_t dst, uint8_t src, int16_t off, int32_t imm) {
  bpf_insn i{};
  i.code = code;
  i.dst_reg = dst & 0xf;
  i.src_reg = src & 0xf;
  i.off = off;
  i.imm = imm;
  return i;
}

bpf_insn load_u32(uint8_t dst, int16_t offset) { return insn(BPF_LDX | BPF_MEM | BPF_W, dst, BPF_REG_1, offset, 0); }
bpf_insn alu32_imm(uint8_t op, uint8_t dst, int32_t imm) { return insn(BPF_ALU | op | BPF_K, dst, 0, 0, imm); }
bpf_insn mov32_reg(uint8_t dst, uint8_t src) { return insn(BPF_ALU | BPF_MOV | BPF_X, dst, src, 0, 0); }
bpf_insn jump_imm(uint8_t op, uint8_t dst, int32_t imm) { return insn(BPF_JMP | op | BPF_K, dst, 0, 0, imm); }
bpf_insn jump_reg(uint8_t op, uint8_t dst, uint8_t src) { return insn(BPF_JMP | op | BPF_X, dst, src, 0, 0); }
bpf_insn exit_insn() { return insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0); }

int32_t bpf_access(const std::string& access) {
  int32_t bits = 0;
  for (char c : access)
    bits |= c == 'r' ? BPF_DEVCG_ACC_READ : c == 'w' ? BPF_DEVCG_ACC_WRITE : c == 'm' ? BPF_DEVCG_ACC_MKNOD : 0;
  return bits;
}

constexpr int32_t kAllAccess = BPF_DEVCG_ACC_READ | BPF_DEVCG_ACC_WRITE | BPF_DEVCG_ACC_MKNOD;

/// One exception's block; every conditional jump in it skips to the block's end (patched here).
void append_block(std::vector<bpf_insn>& out, const DeviceRule& e) {
  std::vector<bpf_insn> block;
  std::vector<size_t> skips;  // indexes of the jumps to the next block
  auto skip = [&](bpf_insn i) {
    skips.push_back(block.size());
    block.push_back(i);
  };
  skip(jump_imm(BPF_JNE, BPF_REG_2, e.type == 'b' ? BPF_DEVCG_DEV_BLOCK : BPF_DEVCG_DEV_CHAR));
  const int32_t bits = bpf_access(e.access);
  if (bits != kAllAccess) {
    block.push_back(mov32_reg(BPF_REG_1, BPF_REG_3));
    block.push_back(alu32_imm(BPF_AND, BPF_REG_1, bits));
    // allow: skip when it asks for a letter not allowed; deny: when it asks for none denied
    if (e.allow)
      skip(jump_reg(BPF_JNE, BPF_REG_1, BPF_REG_3));
    else
      skip(jump_imm(BPF_JEQ, BPF_REG_1, 0));
  }
  if (e.major >= 0) skip(jump_imm(BPF_JNE, BPF_REG_4, static_cast<int32_t>(e.major)));
  if (e.minor >= 0) skip(jump_imm(BPF_JNE, BPF_REG_5, static_cast<int32_t>(e.minor)));
  block.push_back(alu32_imm(BPF_MOV, BPF_REG_0, e.allow ? 1 : 0));
  block.push_back(exit_insn());
  for (size_t at : skips) block[at].off = static_cast<int16_t>(block.size() - (at + 1));
  out.insert(out.end(), block.begin(), block.end());
}

long bpf(int cmd, bpf_attr& attr) { return ::syscall(SYS_bpf, cmd, &attr, sizeof attr); }

/// The ids of the device programs attached to the cgroup itself (not inherited ones).
std::vector<uint32_t> attached_programs(int cgroup_fd, const std::string& shown_path) {
  std::vector<uint32_t> ids(16);
  for (;;) {
    bpf_attr attr{};
    attr.query.target_fd = static_cast<uint32_t>(cgroup_fd);
    attr.query.attach_type = BPF_CGROUP_DEVICE;
    attr.query.prog_ids = reinterpret_cast<uint64_t>(ids.data());
    attr.query.prog_cnt = static_cast<uint32_t>(ids.size());
    if (bpf(BPF_PROG_QUERY, attr) == 0) {
      ids.resize(attr.query.prog_cnt);
      return ids;
    }
    if (errno != ENOSPC || ids.size() >= 4096) throw_errno("bpf(BPF_PROG_QUERY) on cgroup `" + shown_path + "`");
    ids.resize(ids.size() * 4);
  }
}

}  // namespace

std::vector<bpf_insn> device_filter_program(const DevicePolicy& policy) {
  std::vector<bpf_insn> p = {
      load_u32(BPF_REG_2, 0),  // access_type
      alu32_imm(BPF_AND, BPF_REG_2, 0xffff),
      load_u32(BPF_REG_3, 0),
      alu32_imm(BPF_RSH, BPF_REG_3, 16),
      load_u32(BPF_REG_4, 4),  // major
      load_u32(BPF_REG_5, 8),  // minor
  };
  for (const DeviceRule& e : policy.exceptions) append_block(p, e);
  p.push_back(alu32_imm(BPF_MOV, BPF_REG_0, policy.default_allow ? 1 : 0));
  p.push_back(exit_insn());
  return p;
}

UniqueFd load_device_filter(const std::vector<bpf_insn>& program) {
  static const char license[] = "GPL";
  auto load = [&](char* log, uint32_t log_size) {
    bpf_attr attr{};
    attr.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
    attr.insn_cnt = static_cast<uint32_t>(program.size());
    attr.insns = reinterpret_cast<uint64_t>(program.data());
    attr.license = reinterpret_cast<uint64_t>(license);
    if (log) {
      attr.log_level = 1;
      attr.log_buf = reinterpret_cast<uint64_t>(log);
      attr.log_size = log_size;
    }
    return static_cast<int>(bpf(BPF_PROG_LOAD, attr));
  };
  UniqueFd fd(load(nullptr, 0));  // bpf() fds are always close-on-exec
  if (fd) return fd;
  const int err = errno;
  if (err == EPERM || err == ENOSYS) throw SysError("load the device cgroup BPF program", err);
  std::string log(64 * 1024, '\0');
  // Once more, for the verifier's log.
  UniqueFd again(load(log.data(), static_cast<uint32_t>(log.size())));
  log.resize(std::strlen(log.c_str()));
  while (!log.empty() && log.back() == '\n') log.pop_back();
  if (again) return again;  // a transient failure; keep the program
  throw SysError("load the device cgroup BPF program" + (log.empty() ? "" : " (verifier: " + log + ")"), err);
}

void attach_device_filter(int cgroup_fd, int prog_fd, const std::string& shown_path) {
  const std::vector<uint32_t> old = attached_programs(cgroup_fd, shown_path);
  bpf_attr attr{};
  attr.target_fd = static_cast<uint32_t>(cgroup_fd);
  attr.attach_bpf_fd = static_cast<uint32_t>(prog_fd);
  attr.attach_type = BPF_CGROUP_DEVICE;
  attr.attach_flags = BPF_F_ALLOW_MULTI;
  if (bpf(BPF_PROG_ATTACH, attr) != 0) throw_errno("attach the device BPF program to cgroup `" + shown_path + "`");
  for (uint32_t id : old) {
    bpf_attr get{};
    get.prog_id = id;
    UniqueFd old_fd(static_cast<int>(bpf(BPF_PROG_GET_FD_BY_ID, get)));
    if (!old_fd) {
      if (errno == ENOENT) continue;  // detached meanwhile
      throw_errno("open device BPF program " + std::to_string(id) + " of cgroup `" + shown_path + "`");
    }
    bpf_attr detach{};
    detach.target_fd = static_cast<uint32_t>(cgroup_fd);
    detach.attach_bpf_fd = static_cast<uint32_t>(old_fd.get());
    detach.attach_type = BPF_CGROUP_DEVICE;
    if (bpf(BPF_PROG_DETACH, detach) != 0 && errno != ENOENT)
      throw_errno("detach the old device BPF program " + std::to_string(id) + " from cgroup `" + shown_path + "`");
  }
}

void apply_device_filter(const std::string& cgroup_dir, const std::vector<DeviceRule>& rules) {
  UniqueFd dir(::open(cgroup_dir.c_str(), O_DIRECTORY | O_RDONLY | O_CLOEXEC));
  if (!dir) throw_errno("open cgroup `" + cgroup_dir + "`");
  UniqueFd prog = load_device_filter(device_filter_program(resolve_device_policy(rules)));
  attach_device_filter(dir.get(), prog.get(), cgroup_dir);
}

}  // namespace berth::shim
