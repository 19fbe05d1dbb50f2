# Shared by the side-by-side benchmarks (sourced): one hyperfine measurement per case and tool,
# appended to $RESULTS as "case tool runs median_s p95_s mean_s min_s max_s load_before", its
# median kept in median[case.tool]. Needs $RESULTS, $tmp and `declare -A median` in the caller.
#   bench CASE TOOL RUNS HYPERFINE-ARGS...
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
