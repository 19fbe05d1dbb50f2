#pragma once
// Mount option words ("ro", "nosuid", "rprivate", "size=64m") split into what mount(2) takes: flags,
// a propagation change and the file system's data string. The flag words differ by caller: the
// shim reads OCI mount options as runc does, a `local` volume's `o:` is read as moby/sys/mount does.
#include <span>
#include <string>
#include <vector>

namespace berth {

struct MountFlagWord {
  const char* name;
  bool clear;  ///< the word turns `value` off ("rw", "exec", "suid")
  unsigned long value;
};

struct MountOptions {
  unsigned long flags = 0;        ///< MS_RDONLY, MS_NOSUID, ... (MS_BIND/MS_REC for binds)
  unsigned long propagation = 0;  ///< MS_PRIVATE/MS_SHARED/MS_SLAVE/MS_UNBINDABLE [| MS_REC], 0 = leave
  std::string data;               ///< the other words, comma-joined in order: "size=64m,mode=1777"
};

/// `words` in order: a word of `flag_words` sets or clears its flag, a propagation word
/// ("private", "rslave", ...) sets the propagation (the last one wins), any other word is data.
MountOptions parse_mount_words(const std::vector<std::string>& words, std::span<const MountFlagWord> flag_words);

}  // namespace berth
