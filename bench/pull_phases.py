#!/usr/bin/env python3
"""Times the phases of cold pulls (see pull_phases.sh): berth's download phase (until its last
"Download complete" line) and whole pull, skopeo's copy (download and verify only)."""
import shutil
import statistics
import subprocess
import sys
import time

runs, berth, tmp, image = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
download, whole, skopeo = [], [], []
for _ in range(runs):
    shutil.rmtree(f"{tmp}/berth", ignore_errors=True)
    start = time.monotonic()
    last_download = None
    p = subprocess.Popen([berth, "--root", f"{tmp}/berth", "image", "pull", image],
                         stdout=subprocess.PIPE, text=True)
    for line in p.stdout:
        if line.rstrip().endswith(": Download complete"):
            last_download = time.monotonic() - start
    if p.wait() != 0 or last_download is None:
        sys.exit("berth image pull failed")
    whole.append(time.monotonic() - start)
    download.append(last_download)
    shutil.rmtree(f"{tmp}/skopeo", ignore_errors=True)
    start = time.monotonic()
    subprocess.run(["skopeo", "copy", "-q", "--src-tls-verify=false", f"docker://{image}", f"oci:{tmp}/skopeo:1"],
                   check=True)
    skopeo.append(time.monotonic() - start)
med = statistics.median
print(f"berth download phase  median {med(download):.3f} s  min {min(download):.3f}  max {max(download):.3f}")
print(f"berth whole pull      median {med(whole):.3f} s  min {min(whole):.3f}  max {max(whole):.3f}")
print(f"skopeo copy           median {med(skopeo):.3f} s  min {min(skopeo):.3f}  max {max(skopeo):.3f}")
print(f"berth download : skopeo = {med(download) / med(skopeo):.2f}")
