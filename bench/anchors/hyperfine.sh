# Shared by the side-by-side benchmarks (sourced): one hyperfine measurement per case and tool,
# appended to $RESULTS as "case tool runs median_s p95_s mean_s min_s max_s load_before", its
# median kept in median[case.tool]; and the summary lines. Needs $RESULTS, $tmp, a `log`
# function and `declare -A median` in the caller.
#   bench CASE TOOL RUNS HYPERFINE-ARGS...
#   summary "CASES" "TOOLS"      median (p95) per tool, and berth's median over each other tool's
bench() {
  local case=$1 tool=$2 n=$3 load
  shift 3
  load=$(cut -d' ' -f1-3 /proc/loadavg)
  echo "== $case / $tool   uptime:$(uptime)" | tee -a "$RESULTS"
  hyperfine -N --style basic --runs "$n" --export-json "$tmp/$case-$tool.json" -n "$case $tool" "$@" 2>&1 | sed 's/^/   /'
  python3 - "$tmp/$case-$tool.json" "$case" "$tool" "$load" >>"$RESULTS" <<'EOP'
import json, math, statistics, sys
path, case, tool, load = sys.argv[1:]
t = sorted(json.load(open(path))["results"][0]["times"])
p95 = t[max(0, math.ceil(0.95 * len(t)) - 1)]
print(f"{case} {tool} {len(t)} {statistics.median(t):.4f} {p95:.4f} {statistics.mean(t):.4f} {t[0]:.4f} {t[-1]:.4f} {load.replace(' ', '/')}")
EOP
  tail -n 1 "$RESULTS"
  median[$case.$tool]=$(tail -n 1 "$RESULTS" | cut -d' ' -f4)
}

summary() {
  local c a line
  log ""
  log "# summary: median (p95) seconds; ratio = berth median / anchor median"
  for c in $1; do
    line="$c:"
    for a in $2; do
      line+="  $a $(awk -v c="$c" -v a="$a" '$1 == c && $2 == a { printf "%.3f (%.3f)", $4, $5 }' "$RESULTS")"
    done
    for a in $2; do
      [[ $a == berth || -z ${median[$c.berth]:-} || -z ${median[$c.$a]:-} ]] && continue
      line+="  berth:$a = $(python3 -c "print(f'{${median[$c.berth]} / ${median[$c.$a]}:.3f} (1/{${median[$c.$a]} / ${median[$c.berth]}:.1f})')")"
    done
    log "$line"
  done
}
