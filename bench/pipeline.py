#!/usr/bin/env python3
"""Publishing pipeline benchmark, side by side in one run (loopback only, bounded in time).

1. Acceptance to ready for a fixed 30 s 1080p clip, against the plain ffmpeg command line with
   the same settings (libx264 veryfast CRF 23, yuv420p, AAC, +faststart, 720p short side).
   Goal: minitok's overhead at most 10 %.
2. Publish response time (upload stored, fsynced, probed, cover taken) for 10 MB uploads of 3 s
   and 30 s, and a 100 MB upload of 30 s. Goal: independent of the video's duration.

Usage: python3 bench/pipeline.py [--binary build/minitok] [--runs 5]
Prints a table and writes bench/results/pipeline.json.
"""
import argparse
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
import uuid

import machine  # bench/machine.py

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def run(args, **kwargs):
    return subprocess.run(args, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, **kwargs)


def make_clip(path, seconds, size, bitrate=None):
    """A deterministic test clip (ffmpeg test sources), made once and cached."""
    if os.path.exists(path):
        return path
    video = ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p"]
    video += ["-b:v", bitrate, "-maxrate", bitrate, "-bufsize", bitrate] if bitrate else ["-crf", "18"]
    run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", f"testsrc2=size={size}:rate=30",
         "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000", "-t", str(seconds), *video,
         "-c:a", "aac", "-shortest", path])
    return path


def plain_ffmpeg_seconds(clip, out_dir):
    """The same transcode minitok runs (services/video/media_pipeline.cc), as a bare command."""
    scale = ("scale=w='if(gte(iw,ih),-2,min(720,trunc(iw/2)*2))':"
             "h='if(gte(iw,ih),min(720,trunc(ih/2)*2),-2)'")
    out = os.path.join(out_dir, "plain.mp4")
    started = time.monotonic()
    run(["nice", "-n", "10", "ffmpeg", "-nostdin", "-v", "error", "-y", "-i", clip, "-map", "0:v:0",
         "-map", "0:a:0?", "-vf", scale, "-c:v", "libx264", "-preset", "veryfast", "-crf", "23",
         "-pix_fmt", "yuv420p", "-c:a", "aac", "-b:a", "128k", "-movflags", "+faststart", "-f", "mp4", out])
    return time.monotonic() - started


class Server:
    def __init__(self, binary, data_dir):
        self.proc = subprocess.Popen([binary, "serve", "--listen", "127.0.0.1:0", "--data-dir", data_dir,
                                      "--no-demo"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        line = self.proc.stdout.readline()
        match = re.search(r"http://([\d.]+):(\d+)", line)
        if not match:
            raise RuntimeError(f"minitok did not start: {line!r}")
        self.base = f"http://{match.group(1)}:{match.group(2)}"

    def call(self, method, path, params):
        url = f"{self.base}{path}?{urllib.parse.urlencode(params)}"
        with urllib.request.urlopen(urllib.request.Request(url, method=method), timeout=60) as resp:
            return json.load(resp)

    def publish(self, token, title, clip):
        """Streams the multipart body from the file; returns (response, seconds)."""
        boundary = uuid.uuid4().hex
        head = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\n{title}\r\n"
                f"--{boundary}\r\nContent-Disposition: form-data; name=\"data\"; filename=\"clip.mp4\"\r\n"
                f"Content-Type: video/mp4\r\n\r\n").encode()
        tail = f"\r\n--{boundary}--\r\n".encode()
        size = len(head) + os.path.getsize(clip) + len(tail)

        def body():
            yield head
            with open(clip, "rb") as f:
                while chunk := f.read(1 << 20):
                    yield chunk
            yield tail

        request = urllib.request.Request(f"{self.base}/douyin/publish/action/", data=body(), method="POST", headers={
            "Content-Type": f"multipart/form-data; boundary={boundary}", "Content-Length": str(size),
            "Authorization": f"Bearer {token}"})
        started = time.monotonic()
        with urllib.request.urlopen(request, timeout=300) as resp:
            answer = json.load(resp)
        return answer, time.monotonic() - started

    def wait_ready(self, token, user_id, video_id, timeout=600):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            videos = self.call("GET", "/douyin/publish/list/", {"user_id": user_id, "token": token})["video_list"]
            state = next((v.get("state") for v in videos if v["id"] == video_id), None)
            if state == "ready":
                return time.monotonic()
            if state == "failed":
                raise RuntimeError("transcode failed")
            time.sleep(0.05)
        raise RuntimeError("not ready in time")

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(timeout=30)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", default=os.path.join(ROOT, "build", "minitok"))
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    cache = os.path.join(ROOT, "build", "bench-clips")
    os.makedirs(cache, exist_ok=True)
    print("making clips (cached in build/bench-clips) ...", flush=True)
    clip30 = make_clip(os.path.join(cache, "1080p-30s.mp4"), 30, "1920x1080")
    small = make_clip(os.path.join(cache, "10MB-3s.mp4"), 3, "1920x1080", "26M")
    small_long = make_clip(os.path.join(cache, "10MB-30s.mp4"), 30, "1920x1080", "2600k")
    large = make_clip(os.path.join(cache, "100MB-30s.mp4"), 30, "1920x1080", "26M")

    work = tempfile.mkdtemp(prefix="minitok-bench-")
    results = {"machine": machine.describe(ffmpeg=["ffmpeg", "-version"]), "runs": args.runs}
    try:
        server = Server(args.binary, os.path.join(work, "data"))
        try:
            reg = server.call("POST", "/douyin/user/register/", {"username": "bench", "password": "bench-pass"})
            token, user_id = reg["token"], reg["user_id"]
            # Interleaved, so that drift in the machine's speed affects both sides alike.
            plain, pipeline = [], []
            for i in range(args.runs):
                plain.append(plain_ffmpeg_seconds(clip30, work))
                answer, _ = server.publish(token, f"clip {i}", clip30)
                accepted = time.monotonic()
                pipeline.append(server.wait_ready(token, user_id, answer["video_id"]) - accepted)
            publish = {}
            for name, clip in (("10MB_3s", small), ("10MB_30s", small_long), ("100MB_30s", large)):
                times = []
                for i in range(args.runs):
                    answer, seconds = server.publish(token, f"{name} {i}", clip)
                    times.append(seconds)
                    server.wait_ready(token, user_id, answer["video_id"])  # keep runs independent
                publish[name] = {"bytes": os.path.getsize(clip), "median_s": statistics.median(times),
                                 "all_s": times}
        finally:
            server.stop()
    finally:
        shutil.rmtree(work, ignore_errors=True)

    results["transcode_30s_1080p"] = {
        "plain_ffmpeg_median_s": statistics.median(plain), "minitok_accept_to_ready_median_s": statistics.median(pipeline),
        "plain_all_s": plain, "minitok_all_s": pipeline,
        "overhead_pct": 100 * (statistics.median(pipeline) / statistics.median(plain) - 1)}
    results["publish_response"] = publish
    os.makedirs(os.path.join(ROOT, "bench", "results"), exist_ok=True)
    with open(os.path.join(ROOT, "bench", "results", "pipeline.json"), "w") as f:
        json.dump(results, f, indent=2)

    t = results["transcode_30s_1080p"]
    print(f"\nmachine: {results['machine']['cpu']}, {results['machine']['cores']} cores")
    print(f"30 s 1080p -> 720p: plain ffmpeg {t['plain_ffmpeg_median_s']:.2f} s, minitok accept->ready "
          f"{t['minitok_accept_to_ready_median_s']:.2f} s, overhead {t['overhead_pct']:+.1f} % (goal <= 10 %)")
    for name, p in publish.items():
        print(f"publish response {name} ({p['bytes'] / 1e6:.1f} MB): median {p['median_s'] * 1000:.0f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
