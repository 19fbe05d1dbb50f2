// `berth completion fish`: tables as fish `switch` functions and one function that walks the
// tokens before the cursor as berth's parser does, then prints the candidates (with their
// descriptions after a tab) for `complete -a`.
#include <sstream>

#include "compose/shell/completion.hpp"

namespace berth::shell {

namespace {

constexpr const char* kFishMain = R"FISH(
function __berth_lookup --argument-names p key
    while true
        set -l k (__berth_kind "$p" "$key")
        if test -n "$k"; or test -z "$p"; or string match -q -- '#*' "$key"
            echo $k
            return
        end
        set p (string replace -r ' ?[^ ]*$' '' -- "$p")
    end
end

# Prints the values of KIND for the token CUR, each after PREFIX (the `--flag=` a value follows);
# service and project names come from `berth __complete`, given the tokens before CUR (the
# rest of the arguments).
function __berth_values --argument-names kind prefix cur
    set -l words $argv[4..-1]
    switch $kind
        case 'choice:*'
            for c in (string split ' ' -- (string replace 'choice:' '' -- $kind))
                echo $prefix$c
            end
        case file
            for f in (__fish_complete_path "$cur")
                echo $prefix$f
            end
        case dir
            for f in (__fish_complete_directories "$cur")
                echo $prefix$f
            end
        case service project
            command -q -- $words[1]; or return
            for name in ($words[1] __complete $kind's' $words[2..-1] 2>/dev/null)
                echo $prefix$name
            end
        case command
            __berth_subs ''
    end
end

function __berth_complete
    set -l words (commandline -opc)
    set -l cur (commandline -ct)
    set -l p ''
    set -l n 0
    set -l rest
    set -l value_of
    set -l i 2
    set -l last (count $words)
    while test $i -le $last
        set -l w $words[$i]
        set i (math $i + 1)
        if test -z "$rest"; and test "$w" = --
            set rest 1
            continue
        end
        if test -z "$rest"; and string match -q -- '-?*' $w
            if not string match -q -- '*=*' $w; and begin; string match -q -- '--*' $w; or test (string length -- $w) -eq 2; end
                set -l k (__berth_lookup "$p" $w)
                if test -n "$k"; and test "$k" != bool
                    test $i -gt $last; and set value_of $k
                    set i (math $i + 1)
                end
            end
            continue
        end
        if test $n -eq 0; and test -z "$rest"
            set -l sub (__berth_sub "$p" $w)
            if test -n "$sub"
                set p (string trim -- "$p $sub")
                continue
            end
        end
        set n (math $n + 1)
        set -l cmdline (__berth_kind "$p" '#cmdline')
        test -n "$cmdline"; and set rest 1
    end
    if test -n "$value_of"
        __berth_values $value_of '' "$cur" $words
        return
    end
    if test -z "$rest"; and string match -q -- '-*' "$cur"
        if string match -q -- '--*=*' "$cur"
            set -l flag (string split -m1 = -- "$cur")[1]
            set -l kind (__berth_lookup "$p" $flag)
            test "$kind" = bool; and set kind 'choice:true false'
            __berth_values "$kind" $flag= (string split -m1 = -- "$cur")[2] $words
            return
        end
        set -l q $p
        while true
            __berth_flags "$q"
            test -z "$q"; and break
            set q (string replace -r ' ?[^ ]*$' '' -- "$q")
        end
        return
    end
    if test $n -eq 0; and test -z "$rest"
        __berth_subs "$p"
    end
    set -l kind (__berth_kind "$p" "#$n")
    test -z "$kind"; and set kind (__berth_kind "$p" '#+')
    __berth_values "$kind" '' "$cur" $words
end

complete -c berth -f -a '(__berth_complete)'
)FISH";

/// A fish `switch` arm printing `lines` (each "candidate\tdescription").
void fish_arm(std::ostringstream& out, const std::string& pattern, const std::vector<std::string>& lines) {
  out << "        case " << single_quoted(pattern, true) << "\n";
  for (const auto& l : lines) out << "            printf '%s\\n' " << l << "\n";
}

}  // namespace

std::string fish_completion(const CommandSpec& root) {
  std::vector<const CommandSpec*> commands = all_commands(root);
  commands.insert(commands.begin(), &root);
  std::ostringstream subs, flags, sub, kind;
  auto item = [](const std::string& name, const std::string& desc) {
    return single_quoted(name, true) + "\\t" + single_quoted(short_description(desc), true);
  };
  for (const CommandSpec* c : commands) {
    const std::string p = c->path_words();
    std::vector<std::string> sub_lines;
    for (const auto& s : c->subcommands) {
      sub_lines.push_back(item(s.path.back(), s.description));
      for (const auto& a : s.aliases) sub_lines.push_back(item(a, s.description));
      sub << "        case " << single_quoted(p + "|" + s.path.back(), true);
      for (const auto& a : s.aliases) sub << " " << single_quoted(p + "|" + a, true);
      sub << "\n            echo " << single_quoted(s.path.back(), true) << "\n";
    }
    if (!sub_lines.empty()) fish_arm(subs, p, sub_lines);
    std::vector<std::string> flag_lines;
    for (const auto& f : c->flags) {
      for (const auto& l : f.longs) flag_lines.push_back(item("--" + l, f.description));
      for (const auto& s : f.shorts) flag_lines.push_back(item("-" + s, f.description));
    }
    if (!flag_lines.empty()) fish_arm(flags, p, flag_lines);
    for (const auto& [key, word] : completion_keys(*c))
      kind << "        case " << single_quoted(p + "|" + key, true) << "\n            echo "
           << single_quoted(word, true) << "\n";
  }
  std::ostringstream out;
  out << "# fish completion for berth, made by `berth completion fish` from berth's own commands and flags.\n"
         "# Install as berth.fish in a directory of $fish_complete_path (e.g.\n"
         "# /usr/share/fish/vendor_completions.d), or: berth completion fish | source\n\n";
  out << "function __berth_subs --argument-names p\n    switch \"$p\"\n" << subs.str() << "    end\nend\n\n";
  out << "function __berth_flags --argument-names p\n    switch \"$p\"\n" << flags.str() << "    end\nend\n\n";
  out << "function __berth_sub --argument-names p w\n    switch \"$p|$w\"\n" << sub.str() << "    end\nend\n\n";
  out << "function __berth_kind --argument-names p key\n    switch \"$p|$key\"\n" << kind.str() << "    end\nend\n";
  out << kFishMain;
  return out.str();
}

}  // namespace berth::shell
