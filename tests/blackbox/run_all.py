#!/usr/bin/env python3
"""Run every tests/blackbox/test_*.py as its own process (like CTest does), a few at a time.

    python3 tests/blackbox/run_all.py [-j 2] [test_feed.py ...]

Exit status is non-zero when any file fails. Media samples are generated once per run and shared."""

import argparse
import atexit
import glob
import os
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor

HERE = os.path.dirname(os.path.abspath(__file__))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("-j", type=int, default=2, help="files run in parallel (default 2)")
    ap.add_argument("files", nargs="*")
    args = ap.parse_args()
    files = [os.path.join(HERE, f) if not os.path.isabs(f) else f for f in args.files] or \
        sorted(glob.glob(os.path.join(HERE, "test_*.py")))
    env = dict(os.environ)
    if not env.get("MINITOK_MEDIA_CACHE"):
        cache = tempfile.mkdtemp(prefix="minitok-media-")
        atexit.register(shutil.rmtree, cache, True)
        env["MINITOK_MEDIA_CACHE"] = cache
    sys.path.insert(0, HERE)
    os.environ["MINITOK_MEDIA_CACHE"] = env["MINITOK_MEDIA_CACHE"]
    import harness  # noqa: E402  (pre-generate shared media once)
    harness.sample_video(), harness.tiny_video(), harness.audio_only()

    def run(f):
        t0 = time.monotonic()
        p = subprocess.run([sys.executable, f], env=env, capture_output=True, text=True)
        return f, p.returncode, time.monotonic() - t0, p.stdout + p.stderr

    failed = []
    t0 = time.monotonic()
    with ThreadPoolExecutor(max_workers=max(1, args.j)) as ex:
        for f, rc, dt, out in ex.map(run, files):
            name = os.path.basename(f)
            print(f"{'PASS' if rc == 0 else 'FAIL'} {name} ({dt:.1f}s)", flush=True)
            if rc != 0:
                failed.append(name)
                print(out, flush=True)
    print(f"{len(files) - len(failed)}/{len(files)} files passed in {time.monotonic() - t0:.1f}s")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
