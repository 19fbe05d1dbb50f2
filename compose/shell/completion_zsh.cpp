// `berth completion zsh`: the shared tables (completion_tables.cpp, the same `case` syntax in
// zsh) and a completion function for compsys: subcommands and flags with their descriptions
// (_describe), paths (_files), choices and names (compadd).
#include "compose/shell/completion.hpp"

namespace berth::shell {

namespace {

constexpr const char* kZshMain = R"ZSH(
_berth_lookup() {
  local p=$1
  while :; do
    _berth_kind "$p" "$2"
    [[ -n $_berth_r || -z $p || $2 == '#'* ]] && return
    if [[ $p == *' '* ]]; then p=${p% *}; else p=; fi
  done
}

# Offers the values of KIND; service and project names come from `berth __complete`, given the
# words typed before the cursor (their -f/-p/--project-directory).
_berth_values() {
  local kind=$1
  shift
  case $kind in
    choice:*) compadd -- ${=${kind#choice:}} ;;
    file) _files ;;
    dir) _files -/ ;;
    service | project) compadd -- ${(f)"$("$@" 2>/dev/null)"} ;;
    command) _berth_subs ""; _describe -t commands 'berth command' _berth_a ;;
  esac
}

_berth() {
  local p= n=0 i w value_of= rest= kind
  for ((i = 2; i < CURRENT; i++)); do
    w=${words[i]}
    if [[ -z $rest && $w == -- ]]; then rest=1; continue; fi
    if [[ -z $rest && $w == -?* ]]; then
      if [[ $w != *=* && ($w == --* || ${#w} == 2) ]]; then
        _berth_lookup "$p" "$w"
        if [[ -n $_berth_r && $_berth_r != bool ]]; then
          ((i + 1 == CURRENT)) && value_of=$_berth_r
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
  local -a ask
  ask=("${words[1]}" __complete)
  local -a before
  before=("${(@)words[2,CURRENT-1]}")
  if [[ -n $value_of ]]; then
    _berth_values "$value_of" "${ask[@]}" "${value_of}s" "${before[@]}"
    return 0
  fi
  local cur=${words[CURRENT]}
  if [[ -z $rest && $cur == -* ]]; then
    if [[ $cur == --*=* ]]; then
      _berth_lookup "$p" "${cur%%=*}"
      kind=$_berth_r
      [[ $kind == bool ]] && kind='choice:true false'
      compset -P '*='
      _berth_values "$kind" "${ask[@]}" "${kind}s" "${before[@]}"
      return 0
    fi
    local -a all
    all=()
    local -A seen
    local q=$p f
    while :; do
      _berth_flags "$q"
      for f in "${_berth_a[@]}"; do
        [[ -n ${seen[${f%%:*}]} ]] || all+=("$f")
        seen[${f%%:*}]=1
      done
      [[ -z $q ]] && break
      if [[ $q == *' '* ]]; then q=${q% *}; else q=; fi
    done
    _describe -t options 'option' all
    return 0
  fi
  if ((n == 0)) && [[ -z $rest ]]; then
    _berth_subs "$p"
    ((${#_berth_a})) && _describe -t commands 'berth command' _berth_a
  fi
  _berth_kind "$p" "#$n"
  kind=$_berth_r
  if [[ -z $kind ]]; then _berth_kind "$p" '#+'; kind=$_berth_r; fi
  _berth_values "$kind" "${ask[@]}" "${kind}s" "${before[@]}"
  return 0
}

# Run when zsh autoloads this file as _berth; sourcing it only defines the functions.
if [[ $funcstack[1] == _berth ]]; then
  _berth "$@"
else
  compdef _berth berth
fi
)ZSH";

}  // namespace

std::string zsh_completion(const CommandSpec& root) {
  return "#compdef berth\n"
         "# zsh completion for berth, made by `berth completion zsh` from berth's own commands and flags.\n"
         "# Install as _berth in a directory of $fpath (e.g. /usr/share/zsh/vendor-completions), or, after\n"
         "# compinit: source <(berth completion zsh)\n\n" +
         posix_tables(root) + kZshMain;
}

}  // namespace berth::shell
