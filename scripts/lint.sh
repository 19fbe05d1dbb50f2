#!/usr/bin/env bash
# Fails when a C++ file of the tree is not clang-format clean (.clang-format at the root).
#   scripts/lint.sh          check formatting of every tracked .cpp/.hpp (seconds)
#   scripts/lint.sh --fix    reformat them in place
#   scripts/lint.sh --tidy [FILE...]   also run clang-tidy (.clang-tidy) with build/compile_commands.json
#                            on FILE... or on every source (slow: minutes); reports, does not fail
set -euo pipefail
cd "$(dirname "$0")/.."
mode=check
if [[ ${1:-} == --fix ]]; then mode=fix; shift; fi
if [[ ${1:-} == --tidy ]]; then mode=tidy; shift; fi

mapfile -t files < <(git ls-files '*.cpp' '*.hpp' '*.h' | grep -v '^tests/testdata/')
clang_format=$(command -v clang-format || command -v clang-format-14 || true)
if [[ -z $clang_format ]]; then
  echo "lint: clang-format not found (scripts/install-deps.sh installs it)" >&2
  exit 1
fi

case $mode in
  fix)
    printf '%s\0' "${files[@]}" | xargs -0 -n 50 "$clang_format" -i
    ;;
  check)
    if ! printf '%s\0' "${files[@]}" | xargs -0 -n 50 "$clang_format" --dry-run --Werror 2>/tmp/berth-lint.$$; then
      grep -E '^[^ ]+:[0-9]+:[0-9]+: error' /tmp/berth-lint.$$ | cut -d: -f1 | sort -u | sed 's/^/lint: not clang-format clean: /' >&2
      echo "lint: run scripts/lint.sh --fix (or git clang-format) and commit the result" >&2
      rm -f /tmp/berth-lint.$$
      exit 1
    fi
    rm -f /tmp/berth-lint.$$
    echo "lint: ${#files[@]} files clang-format clean"
    ;;
  tidy)
    [[ -f build/compile_commands.json ]] || { echo "lint: build/compile_commands.json missing: configure first" >&2; exit 1; }
    if (($#)); then targets=("$@"); else mapfile -t targets < <(printf '%s\n' "${files[@]}" | grep '\.cpp$'); fi
    clang_tidy=$(command -v clang-tidy || command -v clang-tidy-14)
    printf '%s\0' "${targets[@]}" | xargs -0 -n 4 -P "$(nproc)" "$clang_tidy" -p build --quiet
    ;;
esac
