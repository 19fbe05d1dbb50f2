// `berth completion bash|zsh|fish` really completes, in each shell: commands, aliases, flags of
// the command and global ones, choices (`--progress`), `--flag=value` forms, paths, and service
// names from the project the line's own -f/--file names (through `berth __complete`). bash is
// driven through its completion function (with and without bash-completion loaded), zsh through
// compsys on a pseudo-terminal (zpty), fish through `complete -C`.
#include <gtest/gtest.h>

#include <filesystem>

#include "support/files.hpp"
#include "support/run_command.hpp"
#include "support/temp_dir.hpp"
#include "support/text.hpp"

namespace berth::test {
namespace {

namespace fs = std::filesystem;

class Completion : public ::testing::Test {
 protected:
  void SetUp() override {
    write_bytes(m_tmp / "compose.yaml", "services:\n  web:\n    image: busybox\n  db:\n    image: busybox\n");
    m_compose = m_tmp / "compose.yaml";
    m_bin_dir = fs::path(BERTH_BINARY).parent_path().string();
  }
  /// `berth completion <shell>` written to a file.
  std::string script(const std::string& shell) {
    auto r = run_berth({"completion", shell}, m_tmp.path());
    EXPECT_EQ(r.exit_code, 0) << r.err;
    std::string path = m_tmp / ("completion." + shell);
    write_bytes(path, r.out);
    return path;
  }
  std::map<std::string, std::string> env() const {
    return {{"PATH", m_bin_dir + ":/usr/bin:/bin"}, {"HOME", m_tmp.path()}, {"TERM", "dumb"}};
  }

  TempDir m_tmp;
  std::string m_compose, m_bin_dir;
};

/// What bash offers for each line in `lines` (the cursor at its end), one "LINE => WORDS" per
/// line, with `preamble` run first (e.g. loading bash-completion). COMP_WORDS is split as
/// readline splits it (at blanks, and around '=' and ':').
std::string bash_offers(const std::string& script, const std::string& preamble, const std::vector<std::string>& lines,
                        const std::map<std::string, std::string>& env, const std::string& cwd) {
  std::string driver = preamble + "\nsource " + script + R"SH(
t() {
  COMP_LINE=$1; COMP_POINT=${#1}
  local s=${1//=/ = }; s=${s//:/ : }
  read -ra COMP_WORDS <<<"$s"
  [[ $1 == *' ' ]] && COMP_WORDS+=("")
  COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
  COMPREPLY=()
  _berth
  echo "$1 => $(printf '%s\n' "${COMPREPLY[@]}" | sort | tr '\n' ' ')"
}
)SH";
  for (const auto& l : lines) driver += "t '" + l + "'\n";
  auto r = run_command({"/bin/bash", "--norc", "--noprofile", "-c", driver}, cwd, env);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return r.out;
}

TEST_F(Completion, BashCompletesCommandsFlagsChoicesAndServices) {
  const std::string s = script("bash");
  const std::string f = m_compose;
  std::vector<std::string> lines = {"berth u",
                                    "berth up --de",
                                    "berth --progress ",
                                    "berth --progress=pl",
                                    "berth image li",
                                    "berth image list --for",
                                    "berth -f " + f + " up ",
                                    "berth --file=" + f + " run ",
                                    "berth -f " + f + " exec -u root w",
                                    "berth -f " + f + " logs --tail 5 --no-log-prefix d",
                                    "berth completion ",
                                    "berth help ima",
                                    "berth up --detach=",
                                    "berth -f " + m_tmp.path() + "/compose.y"};
  std::vector<std::string> expected = {"berth u => unpause up ",
                                       "berth up --de => --detach ",
                                       "berth --progress  => auto json plain quiet tty ",
                                       "berth --progress=pl => plain ",
                                       "berth image li => list ",
                                       "berth image list --for => --format ",
                                       "berth -f " + f + " up  => db web ",
                                       "berth --file=" + f + " run  => db web ",
                                       "berth -f " + f + " exec -u root w => web ",
                                       "berth -f " + f + " logs --tail 5 --no-log-prefix d => db ",
                                       "berth completion  => bash fish zsh ",
                                       "berth help ima => image images ",
                                       "berth up --detach= => false true ",
                                       "berth -f " + m_tmp.path() + "/compose.y => " + f + " "};
  std::string want;
  for (const auto& e : expected) want += e + "\n";
  // Without bash-completion: the words come from COMP_LINE.
  EXPECT_EQ(bash_offers(s, "", lines, env(), m_tmp.path()), want);
  // With it: from _get_comp_words_by_ref, which joins what readline split at '=' and ':'.
  const char* bash_completion = "/usr/share/bash-completion/bash_completion";
  if (!fs::exists(bash_completion)) GTEST_SKIP() << bash_completion << " (Debian's bash-completion) is not installed";
  EXPECT_EQ(bash_offers(s, std::string("source ") + bash_completion, lines, env(), m_tmp.path()), want);
}

TEST_F(Completion, FishCompletesCommandsFlagsChoicesAndServices) {
  if (!fs::exists("/usr/bin/fish")) GTEST_SKIP() << "fish is not installed";
  const std::string s = script("fish");
  const std::string f = m_compose;
  auto offers = [&](const std::string& line) {
    auto r = run_command({"/usr/bin/fish", "--no-config", "-c", "source " + s + "; complete -C'" + line + "'"},
                         m_tmp.path(), env());
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.err, "");
    std::string words;  // candidates without their descriptions
    std::istringstream in(r.out);
    for (std::string l; std::getline(in, l);) words += l.substr(0, l.find('\t')) + " ";
    return words;
  };
  EXPECT_EQ(offers("berth u"), "unpause up ");
  EXPECT_EQ(offers("berth up --de"), "--detach ");
  EXPECT_EQ(offers("berth --progress "), "auto json plain quiet tty ");
  EXPECT_EQ(offers("berth --progress=pl"), "--progress=plain ");
  EXPECT_EQ(offers("berth image li"), "list ");
  EXPECT_EQ(offers("berth -f " + f + " up "), "db web ");
  EXPECT_EQ(offers("berth --file=" + f + " exec -u root w"), "web ");
  EXPECT_EQ(offers("berth completion "), "bash fish zsh ");
  EXPECT_EQ(offers("berth up --detach="), "--detach=false --detach=true ");
  EXPECT_EQ(offers("berth -f " + m_tmp.path() + "/compose.y"), f + " ");
}

TEST_F(Completion, ZshCompletesCommandsFlagsChoicesAndServices) {
  if (!fs::exists("/usr/bin/zsh")) GTEST_SKIP() << "zsh is not installed";
  const std::string s = script("zsh");
  fs::create_directories(m_tmp / "fpath");
  fs::copy_file(s, m_tmp / "fpath/_berth");
  const std::string f = m_compose;
  // An interactive zsh on a pseudo-terminal with compinit and _berth on $fpath: each line is
  // typed with a TAB, and what the line became is printed between markers.
  std::vector<std::pair<std::string, std::string>> cases = {
      {"berth up --det", "berth up --detach "},
      {"berth --progr", "berth --progress "},
      {"berth --progress pl", "berth --progress plain "},
      {"berth image li", "berth image list "},
      {"berth -f " + f + " up w", "berth -f " + f + " up web "},
      {"berth --file=" + f + " exec -u root d", "berth --file=" + f + " exec -u root db "},
      {"berth completion fi", "berth completion fish "},
  };
  std::string driver =
      "zmodload zsh/zpty\nzpty -b z 'zsh -f -i'\n"
      "zpty -w z 'stty columns 2000; PS1=\"> \"; fpath=(" +
      (m_tmp / "fpath") +
      " $fpath); autoload -U compinit; compinit -u -D'\n"
      "zpty -w z 'print -- READY'\nzpty -r z out '*READY*'\n"
      R"SH(
t() {
  local buf= chunk
  zpty -w -n z "$1"$'\t'
  sleep 0.8
  while zpty -r -t z chunk; do buf+=$chunk; done
  zpty -w -n z $'\C-u'
  sleep 0.2
  while zpty -r -t z chunk; do :; done
  print -r -- "$buf"
}
)SH";
  for (const auto& [line, _] : cases) driver += "t '" + line + "'\n";
  driver += "zpty -d z\n";
  auto r = run_command({"/usr/bin/timeout", "60", "/usr/bin/zsh", "-f", "-c", driver}, m_tmp.path(), env());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // zsh redraws the line with control sequences; what matters is the completed text on it.
  std::string plain;
  for (std::size_t i = 0; i < r.out.size(); ++i) {
    if (r.out[i] == '\x1b') {  // CSI ... final byte
      std::size_t j = i + 1;
      if (j < r.out.size() && r.out[j] == '[') {
        ++j;
        while (j < r.out.size() && !(r.out[j] >= 0x40 && r.out[j] <= 0x7e)) ++j;
      }
      i = j;
      continue;
    }
    if (r.out[i] == '\b' && !plain.empty()) {
      plain.pop_back();
      continue;
    }
    plain += r.out[i];
  }
  for (const auto& [line, completed] : cases) EXPECT_TRUE(contains(plain, completed)) << completed << "\n" << plain;
}

}  // namespace
}  // namespace berth::test
