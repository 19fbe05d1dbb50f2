#!/usr/bin/env python3
"""Unpacking where files were just deleted, with and without ext4's Orlov hint (FS_TOPDIR_FL).

What a re-pull after `image rm` (or the pull benchmark's `rm -rf` of the store between runs) does to
the file system: 7,000 files in 70 directories are created under a parent, deleted, created again,
four times. On ext4 without a journal the inode allocator skips every inode deleted in the last
minute, one buffer lookup each, so each round is slower than the last; with `chattr +T` on the
parent (what Berth sets on <root>/tmp, where layers unpack and build steps run) each new directory
starts in a fresh block group. Run as root on the file system to measure:

    python3 bench/topdir_bench.py /var/tmp
"""
import os
import shutil
import subprocess
import sys
import tempfile
import time


def make_tree(d, n=7000):
    os.makedirs(d)
    start = time.time()
    for i in range(n):
        sub = os.path.join(d, "d%d" % (i // 100))
        if i % 100 == 0:
            os.mkdir(sub)
        with open(os.path.join(sub, "f%d" % i), "wb") as f:
            f.write(b"x" * 100)
    return time.time() - start


def main():
    where = sys.argv[1] if len(sys.argv) > 1 else "/var/tmp"
    base = tempfile.mkdtemp(prefix="berth-topdir-", dir=where)
    try:
        for mode in ("plain", "topdir"):
            parent = os.path.join(base, mode)
            os.makedirs(parent)
            if mode == "topdir":
                subprocess.run(["chattr", "+T", parent], check=True)
            times = []
            for r in range(4):
                d = os.path.join(parent, "round%d" % r)
                times.append(make_tree(d))
                shutil.rmtree(d)
            print("%-7s %s" % (mode, "  ".join("%.3f s" % t for t in times)), flush=True)
    finally:
        shutil.rmtree(base)


if __name__ == "__main__":
    main()
