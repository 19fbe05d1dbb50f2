# Shared by the side-by-side benchmarks (sourced): removing the cgroups an anchor made.
#   rm_cgroups NAME   removes every /sys/fs/cgroup/*/NAME tree, leaves first; false if any is left
# (a cgroup with processes in it cannot be removed).
rm_cgroups() {
  local d
  for d in /sys/fs/cgroup/*/"$1"; do
    [[ -d $d ]] && find "$d" -depth -type d -exec rmdir {} + 2>/dev/null || true
  done
  ! compgen -G "/sys/fs/cgroup/*/$1" >/dev/null
}
