#pragma once
// One Dockerfile instruction, typed, with its variables expanded against what is in scope at
// that point of its stage (the executor keeps the scope: global ARGs, the stage's ARGs and ENV).
// Which instructions expand what follows the reference: ADD COPY ENV EXPOSE FROM LABEL
// STOPSIGNAL USER VOLUME WORKDIR and, as BuildKit, RUN --mount values and COPY/ADD --chown
// --chmod --checksum (not --exclude; --from must not need expansion); an ONBUILD trigger is
// expanded when it runs in the child build; RUN, CMD and ENTRYPOINT arguments are left for the
// shell. Errors are DockerfileError at the instruction's line.
#include <chrono>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "compose/build/dockerfile.hpp"
#include "compose/build/shell_lex.hpp"

namespace berth::build {

struct FromCmd {
  std::string image;     ///< "busybox:1.36", "scratch", or an earlier stage's name
  std::string alias;     ///< `AS name`, lower-cased; "" when absent
  std::string platform;  ///< --platform, "" when absent
};

/// One `RUN --mount=...` (the reference's RUN --mount section).
struct RunMount {
  std::string type = "bind";       ///< bind | cache | tmpfs | secret | ssh
  std::string target;              ///< target= / dst= / destination=
  std::string source;              ///< source= / src=
  std::string from;                ///< from= (stage, image or named context)
  bool readonly = true;            ///< bind: ro unless rw/readwrite; cache: rw unless ro/readonly
  std::string id;                  ///< cache id (default: target), secret id (default: basename of target)
  std::string sharing = "shared";  ///< cache: shared | private | locked
  std::string mode;                ///< octal text, "" = the type's default
  std::optional<unsigned> uid, gid;
  std::string size;       ///< tmpfs size=
  bool required = false;  ///< secret/ssh
  std::string env;        ///< secret env=
};

struct RunCmd {
  bool shell_form = true;
  std::string script;             ///< shell form: the text for the SHELL ("" in exec form)
  std::vector<std::string> argv;  ///< exec form: the arguments
  std::vector<RunMount> mounts;
  std::string network;            ///< --network: "", "default", "none", "host"
  std::string security;           ///< --security: "", "sandbox", "insecure"
  std::vector<Heredoc> heredocs;  ///< as parsed (the executor makes files of them)
};

struct CopyCmd {
  bool add = false;                  ///< ADD
  std::vector<std::string> sources;  ///< expanded, in order (may hold globs, URLs for ADD)
  std::vector<Heredoc> heredocs;     ///< `COPY <<EOF /dest`: inline files named after the delimiter
  std::string dest;
  std::string from;                   ///< --from: stage name/index or image
  std::string chown;                  ///< --chown user[:group], "" when absent
  std::string chmod;                  ///< --chmod octal (or symbolic), "" when absent
  bool link = false;                  ///< --link
  bool parents = false;               ///< --parents
  std::vector<std::string> excludes;  ///< --exclude patterns
  std::string checksum;               ///< ADD --checksum
  bool keep_git_dir = false;          ///< ADD --keep-git-dir
  std::optional<bool> unpack;         ///< ADD --unpack[=bool]; nullopt when absent (archives auto-extract)
};

struct EnvCmd {
  std::vector<std::pair<std::string, std::string>> vars;  ///< in order
};

struct ArgCmd {
  std::vector<std::pair<std::string, std::optional<std::string>>> args;  ///< name, default
};

struct WorkdirCmd {
  std::string path;
};

struct UserCmd {
  std::string user;  ///< "name", "uid", "name:group", ...
};

struct ExposeCmd {
  std::vector<std::string> ports;  ///< "80/tcp", "53/udp" (tcp added when absent); ranges expanded
};

struct VolumeCmd {
  std::vector<std::string> paths;
};

struct LabelCmd {
  std::vector<std::pair<std::string, std::string>> labels;
};

/// CMD and ENTRYPOINT.
struct CommandCmd {
  bool entrypoint = false;
  bool shell_form = false;
  std::vector<std::string> args;  ///< exec form elements, or [text] for the shell form
};

struct HealthcheckCmd {
  bool none = false;              ///< HEALTHCHECK NONE
  std::vector<std::string> test;  ///< ["CMD", ...] or ["CMD-SHELL", "text"]
  std::chrono::nanoseconds interval{0}, timeout{0}, start_period{0}, start_interval{0};
  int retries = 0;  ///< 0 = not given
};

struct ShellCmd {
  std::vector<std::string> shell;
};

struct StopsignalCmd {
  std::string signal;
};

struct OnbuildCmd {
  std::string instruction;  ///< the trigger as written ("RUN make"); FROM/ONBUILD/MAINTAINER refused
};

struct MaintainerCmd {
  std::string name;
};

using Command = std::variant<FromCmd, RunCmd, CopyCmd, EnvCmd, ArgCmd, WorkdirCmd, UserCmd, ExposeCmd, VolumeCmd,
                             LabelCmd, CommandCmd, HealthcheckCmd, ShellCmd, StopsignalCmd, OnbuildCmd, MaintainerCmd>;

/// Types instruction `in` of `df`, expanding variables from `vars` where the reference says so.
/// Throws DockerfileError (df.error(in.line, ...)) for bad arguments, unknown flags, a bad
/// `--mount`, `${v:?}` failures, etc.
Command compile_instruction(const Dockerfile& df, const Instruction& in, const VarLookup& vars);

/// The ARGs Docker predefines (HTTP_PROXY, http_proxy, HTTPS_PROXY, https_proxy, FTP_PROXY,
/// ftp_proxy, NO_PROXY, no_proxy, ALL_PROXY, all_proxy): usable without an ARG line and left
/// out of the image history unless declared.
const std::vector<std::string>& predefined_args();

}  // namespace berth::build
