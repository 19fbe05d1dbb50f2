// `berth completion bash`: the shared tables (completion_tables.cpp) and a function that walks
// the words typed so far as berth's parser does. With bash-completion loaded it reads the words
// through _get_comp_words_by_ref (so `--file=x` and `a:b` stay one word); without it, from
// COMP_LINE split at blanks.
#include "compose/shell/completion.hpp"

namespace berth::shell {

namespace {

constexpr const char* kBashMain = R"BASH(
# The kind of KEY for the command PATH: its own flag, else a flag of a command above it (global
# flags are valid after the verb).
_berth_lookup() {
  local p=$1
  while :; do
    _berth_kind "$p" "$2"
    [[ -n $_berth_r || -z $p || $2 == '#'* ]] && return
    if [[ $p == *' '* ]]; then p=${p% *}; else p=; fi
  done
}

# Adds the values of KIND matching CUR to COMPREPLY; service and project names come from
# `berth __complete`, given the words typed before the cursor (their -f/-p/--project-directory).
_berth_values() {
  local kind=$1 cur=$2 out IFS=$'\n'
  shift 2
  case $kind in
    choice:*)
      local k=${kind#choice:}
      COMPREPLY+=($(compgen -W "${k// /$'\n'}" -- "$cur")) ;;
    file) compopt -o filenames 2>/dev/null; COMPREPLY+=($(compgen -f -- "$cur")) ;;
    dir) compopt -o filenames 2>/dev/null; COMPREPLY+=($(compgen -d -- "$cur")) ;;
    service | project)
      out=$("$@" 2>/dev/null)
      COMPREPLY+=($(compgen -W "$out" -- "$cur")) ;;
    command)
      _berth_subs ""
      COMPREPLY+=($(compgen -W "$(printf '%s\n' "${_berth_a[@]%%:*}")" -- "$cur")) ;;
  esac
}

_berth() {
  local -a words
  local cword cur
  COMPREPLY=()
  if declare -F _get_comp_words_by_ref >/dev/null 2>&1; then
    _get_comp_words_by_ref -n =: cur words cword
  else
    local line=${COMP_LINE:0:COMP_POINT}
    read -ra words <<<"$line"
    if [[ -z $line || $line == *[[:space:]] ]]; then words+=(""); fi
    cword=$((${#words[@]} - 1))
    cur=${words[cword]}
  fi
  local p= n=0 i w value_of= rest= kind
  for ((i = 1; i < cword; i++)); do
    w=${words[i]}
    if [[ -z $rest && $w == -- ]]; then rest=1; continue; fi
    if [[ -z $rest && $w == -?* ]]; then
      if [[ $w != *=* && ($w == --* || ${#w} == 2) ]]; then
        _berth_lookup "$p" "$w"
        if [[ -n $_berth_r && $_berth_r != bool ]]; then
          ((i + 1 == cword)) && value_of=$_berth_r
          ((i++))
        fi
      fi
      continue
    fi
    if ((n == 0)) && [[ -z $rest ]]; then
      _berth_sub "$p" "$w"
      if [[ -n $_berth_r ]]; then p=${p:+$p }$_berth_r; continue; fi
    fi
    ((n++))
    _berth_kind "$p" '#cmdline'
    [[ -n $_berth_r ]] && rest=1
  done
  local -a ask=("${words[0]}" __complete)
  if [[ -n $value_of ]]; then
    _berth_values "$value_of" "$cur" "${ask[@]}" "${value_of}s" "${words[@]:1:cword-1}"
    return 0
  fi
  if [[ -z $rest && $cur == -* ]]; then
    if [[ $cur == --*=* ]]; then
      _berth_lookup "$p" "${cur%%=*}"
      kind=$_berth_r
      [[ $kind == bool ]] && kind='choice:true false'
      _berth_values "$kind" "${cur#*=}" "${ask[@]}" "${kind}s" "${words[@]:1:cword-1}"
      return 0
    fi
    local -a all=()
    local -A seen=()
    local q=$p f
    while :; do
      _berth_flags "$q"
      for f in "${_berth_a[@]%%:*}"; do
        [[ -n ${seen[$f]} ]] || all+=("$f")
        seen[$f]=1
      done
      [[ -z $q ]] && break
      if [[ $q == *' '* ]]; then q=${q% *}; else q=; fi
    done
    COMPREPLY=($(compgen -W "${all[*]}" -- "$cur"))
    return 0
  fi
  if ((n == 0)) && [[ -z $rest ]]; then
    _berth_subs "$p"
    COMPREPLY=($(compgen -W "$(printf '%s\n' "${_berth_a[@]%%:*}")" -- "$cur"))
  fi
  _berth_kind "$p" "#$n"
  kind=$_berth_r
  if [[ -z $kind ]]; then _berth_kind "$p" '#+'; kind=$_berth_r; fi
  _berth_values "$kind" "$cur" "${ask[@]}" "${kind}s" "${words[@]:1:cword-1}"
  return 0
}

complete -F _berth berth
)BASH";

}  // namespace

std::string bash_completion(const CommandSpec& root) {
  return "# bash completion for berth, made by `berth completion bash` from berth's own commands and flags.\n"
         "# Install as /usr/share/bash-completion/completions/berth, or: source <(berth completion bash)\n\n" +
         posix_tables(root) + kBashMain;
}

}  // namespace berth::shell
