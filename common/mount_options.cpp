#include "common/mount_options.hpp"

#include <sys/mount.h>

namespace berth {

namespace {

constexpr MountFlagWord kPropagationWords[] = {
    {"private", false, MS_PRIVATE},       {"rprivate", false, MS_PRIVATE | MS_REC},
    {"shared", false, MS_SHARED},         {"rshared", false, MS_SHARED | MS_REC},
    {"slave", false, MS_SLAVE},           {"rslave", false, MS_SLAVE | MS_REC},
    {"unbindable", false, MS_UNBINDABLE}, {"runbindable", false, MS_UNBINDABLE | MS_REC},
};

}  // namespace

MountOptions parse_mount_words(const std::vector<std::string>& words, std::span<const MountFlagWord> flag_words) {
  MountOptions out;
  for (const std::string& word : words) {
    bool known = false;
    for (const MountFlagWord& f : flag_words)
      if (word == f.name) {
        known = true;
        out.flags = f.clear ? out.flags & ~f.value : out.flags | f.value;
      }
    for (const MountFlagWord& f : kPropagationWords)
      if (word == f.name) {
        known = true;
        out.propagation = f.value;
      }
    if (!known) out.data += (out.data.empty() ? "" : ",") + word;
  }
  return out;
}

}  // namespace berth
