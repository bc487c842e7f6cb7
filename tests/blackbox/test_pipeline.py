"""The publishing pipeline: publish answers at once with a "processing" video that only its author sees
(play_url = the original play-1.<ext>); a media worker transcodes it to H.264/AAC MP4 (+faststart, short
side <= transcode_max_short_side, rotation applied, silent stays silent) under a new play-2.mp4 URL, and
only then it enters the feed, counts in work_count and can be liked or commented. Refused uploads leave
nothing behind; failures end "failed" with a readable reason; SIGKILL at any moment then a restart makes
the video ready exactly once, and no ffmpeg child outlives the server."""

import os
import re
import signal
import subprocess
import time

import harness as h
from harness import OK, INVALID, NOT_FOUND, EXHAUSTED


# ---------------------------------------------------------------------------------------------
# inputs (generated with ffmpeg, cached like the other samples)

def lavfi_av(size, seconds, rate=15, audio=True, src="testsrc"):
    args = ["-f", "lavfi", "-i", f"{src}=size={size}:rate={rate}"]
    if audio:
        args += ["-f", "lavfi", "-i", "sine=frequency=440"]
    return args + ["-t", str(seconds)]


H264 = ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p"]


def clip_portrait():
    return h.make_media("p-portrait-360x640.mp4", lavfi_av("360x640", 1.5) + H264 + ["-c:a", "aac"])


def clip_landscape():
    return h.make_media("p-landscape-640x360.mp4", lavfi_av("640x360", 1.5) + H264 + ["-c:a", "aac"])


def clip_rotated():
    """A phone-style video: 640x360 coded, display matrix says rotate 90 (ffmpeg 5.1: remux with rotate=)."""
    return h.make_media("p-rotated-90.mp4", ["-i", clip_landscape(), "-c", "copy", "-metadata:s:v:0", "rotate=90"])


def clip_mpeg4_avi():
    return h.make_media("p-mpeg4.avi", lavfi_av("320x240", 1.5) + ["-c:v", "mpeg4", "-q:v", "5", "-c:a", "mp2"])


def clip_vp9_webm():
    return h.make_media("p-vp9-opus.webm", lavfi_av("320x240", 1.5) +
                        ["-c:v", "libvpx-vp9", "-deadline", "realtime", "-cpu-used", "8", "-b:v", "300k",
                         "-c:a", "libopus"])


def clip_hevc_mkv():
    return h.make_media("p-hevc-vorbis.mkv", lavfi_av("320x240", 1.5) +
                        ["-c:v", "libx265", "-preset", "ultrafast", "-x265-params", "log-level=error",
                         "-pix_fmt", "yuv420p", "-c:a", "libvorbis"])


def clip_silent():
    return h.make_media("p-silent.mp4", lavfi_av("320x240", 1.5, audio=False) + H264)


def clip_1080p():
    return h.make_media("p-1080p.mp4", lavfi_av("1920x1080", 1, rate=10) + H264 + ["-c:a", "aac"])


def clip_long_5s():
    return h.make_media("p-long-5s.mp4", lavfi_av("160x120", 5, rate=10) + H264 + ["-c:a", "aac"])


def clip_slow():
    """6 s 640x360 with a busy picture: several seconds of transcoding under transcode_preset veryslow."""
    return h.make_media("p-slow-640x360-6s.mp4", lavfi_av("640x360", 6, rate=25, src="testsrc2") + H264 +
                        ["-c:a", "aac"])


def clip_png():
    return h.make_media("p-image.png", ["-f", "lavfi", "-i", "testsrc=size=64x64:rate=1", "-frames:v", "1"])


def clip_no_faststart():
    """An mp4 with moov AFTER mdat (ffmpeg's default), so its first 40% has no moov."""
    return h.make_media("p-no-faststart.mp4", lavfi_av("320x240", 2) + H264 + ["-c:a", "aac"])


def has_encoder(name: str) -> bool:
    res = subprocess.run(["ffmpeg", "-hide_banner", "-encoders"], capture_output=True, text=True, timeout=30)
    return re.search(rf"^\s*\S+\s+{re.escape(name)}\s", res.stdout, re.M) is not None


def media_folder(server: h.Server, play_url: str) -> str:
    m = re.search(r"/media/(videos/[0-9a-f]+)/[^/]+$", play_url)
    assert m, f"unexpected media URL shape: {play_url}"
    return os.path.join(server.data_dir, "media", m.group(1))


def part_files(server: h.Server) -> list[str]:
    return sorted(p for p in h.tree_files(os.path.join(server.data_dir, "media")) if p.endswith(".part"))


class PipelineCase(h.ServerCase):
    def check_transcode(self, v: dict, want_size=None, want_audio=None, want_seconds=None, where="",
                        want_short=None, want_aspect=None):
        """Download play_url of a ready video and check what every viewer gets."""
        where = where or f"video {v['id']}"
        self.assertEqual(v.get("state"), "ready", where)
        self.assertTrue(v["play_url"].endswith("/play-2.mp4"), f"{where}: ready play_url {v['play_url']}")
        r = self.c.fetch_url(v["play_url"])
        self.assertEqual(r.status, 200, f"{where}: GET {v['play_url']}")
        self.assertEqual(r.header("Content-Type", "").split(";")[0].strip(), "video/mp4", where)
        atoms = h.mp4_top_atoms(r.body)
        types = [a[0] for a in atoms]
        self.assertIn("moov", types, f"{where}: top-level boxes {types}")
        self.assertIn("mdat", types, f"{where}: top-level boxes {types}")
        off = {t: o for t, o, _ in reversed(atoms)}
        self.assertLess(off["moov"], off["mdat"], f"{where}: not faststart, boxes {atoms}")
        info = h.ffprobe(r.body)
        vs = [s for s in info["streams"] if s["codec_type"] == "video"]
        aus = [s for s in info["streams"] if s["codec_type"] == "audio"]
        self.assertEqual(len(vs), 1, f"{where}: video streams {vs}")
        s = vs[0]
        self.assertEqual(s["codec_name"], "h264", where)
        self.assertEqual(s.get("pix_fmt"), "yuv420p", where)
        w, hgt = s["width"], s["height"]
        rot = h.stream_rotation(s)
        self.assertIn(rot, (0, 180), f"{where}: the transcode must apply the rotation, still has rotation {rot}")
        self.assertLessEqual(min(w, hgt), 720, f"{where}: {w}x{hgt} short side over 720")
        if want_size:
            self.assertEqual((w, hgt), want_size, f"{where}: transcoded size")
        if want_short:
            self.assertEqual(min(w, hgt), want_short, f"{where}: {w}x{hgt} short side")
        if want_aspect:
            self.assertAlmostEqual(w / hgt, want_aspect, delta=0.05, msg=f"{where}: {w}x{hgt} aspect")
        if want_audio is not None:
            self.assertEqual(len(aus), 1 if want_audio else 0, f"{where}: audio streams {aus}")
            if want_audio:
                self.assertEqual(aus[0]["codec_name"], "aac", where)
        if want_seconds is not None:
            dur = float(info["format"].get("duration", 0))
            self.assertAlmostEqual(dur, want_seconds, delta=0.5, msg=f"{where}: duration {dur}")
        # cover still served, the original gone (keep_original false)
        r = self.c.fetch_url(v["cover_url"])
        self.assertEqual(r.status, 200, f"{where}: {v['cover_url']}")
        self.assertEqual(r.header("Content-Type", "").split(";")[0].strip(), "image/jpeg", where)
        return w, hgt


# ---------------------------------------------------------------------------------------------

CASES = {
    # name: (clip function, expected transcoded size, input has audio, seconds)
    "h264_mp4": (h.sample_video, (320, 240), True, 2),
    "mpeg4_avi": (clip_mpeg4_avi, (320, 240), True, 1.5),
    "vp9_webm_opus": (clip_vp9_webm, (320, 240), True, 1.5),
    "hevc_mkv_vorbis": (clip_hevc_mkv, (320, 240), True, 1.5),
    "portrait_360x640": (clip_portrait, (360, 640), True, 1.5),
    "landscape_640x360": (clip_landscape, (640, 360), True, 1.5),
    "rotated_phone": (clip_rotated, (360, 640), True, 1.5),
    "no_audio": (clip_silent, (320, 240), False, 1.5),
    "downscale_1080p": (clip_1080p, (1280, 720), True, 1),
}


class AcceptedInputs(PipelineCase):
    """Every kind of input ends ready as H.264/yuv420p/AAC MP4 with faststart (default settings, 720 cap)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.author = cls.c.new_user("inputs")
        cls.published = {}
        cls.hevc = has_encoder("libx265")
        for name, (fn, _, _, _) in CASES.items():
            if name.startswith("hevc") and not cls.hevc:
                continue
            try:
                path = fn()
                d = cls.c.publish(cls.author.token, name, path=path, filename=os.path.basename(path),
                                  ctype="application/octet-stream", expect=None)
                cls.published[name] = d
            except Exception as e:  # noqa: BLE001  (reported by the test of that case)
                cls.published[name] = e

    def check_case(self, name):
        d = self.published[name]
        if isinstance(d, Exception):
            raise d
        _, size, audio, seconds = CASES[name]
        self.assertEqual(d["status_code"], OK, f"{name}: publish answered {d['status_code']} {d['status_msg']!r}")
        v = self.c.wait_ready(self.author.token, d["video_id"])
        self.assertEqual(v["title"], name)
        self.check_transcode(v, want_size=size, want_audio=audio, want_seconds=seconds, where=name)
        folder = media_folder(self.server, v["play_url"])
        left = sorted(os.listdir(folder))
        self.assertFalse([f for f in left if f.startswith("play-1.")],
                         f"{name}: the original must be removed once transcoded (keep_original false): {left}")
        # every viewer sees it now
        self.assertIn(d["video_id"], [x["id"] for x in self.c.publish_list(self.author.id)])

    def test_h264_mp4(self):
        self.check_case("h264_mp4")

    def test_mpeg4_part2_avi(self):
        self.check_case("mpeg4_avi")

    def test_vp9_webm_opus(self):
        self.check_case("vp9_webm_opus")

    def test_hevc_mkv_vorbis(self):
        if not self.hevc:
            print("skipping HEVC: `ffmpeg -encoders` lists no libx265", flush=True)
            self.skipTest("ffmpeg has no libx265 encoder")
        self.check_case("hevc_mkv_vorbis")

    def test_portrait_360x640(self):
        self.check_case("portrait_360x640")

    def test_landscape_640x360(self):
        self.check_case("landscape_640x360")

    def test_rotated_phone_video_comes_out_portrait(self):
        src = h.ffprobe(clip_rotated())
        s = [x for x in src["streams"] if x["codec_type"] == "video"][0]
        self.assertEqual((s["width"], s["height"], h.stream_rotation(s) in (90, 270)), (640, 360, True),
                         "test input: 640x360 coded with a 90 degree display rotation")
        self.check_case("rotated_phone")

    def test_no_audio_track(self):
        self.check_case("no_audio")

    def test_1080p_downscaled_to_720(self):
        self.check_case("downscale_1080p")

    def test_work_count_and_feed_after_all_ready(self):
        n = 0
        for name, d in self.published.items():
            if isinstance(d, dict) and d.get("status_code") == OK:
                self.c.wait_ready(self.author.token, d["video_id"])
                n += 1
        self.assertEqual(self.c.user(self.author.id)["work_count"], n)
        feed_ids = [v["id"] for v in self.c.feed()["video_list"]]
        for name, d in self.published.items():
            if isinstance(d, dict) and d.get("status_code") == OK:
                self.assertEqual(feed_ids.count(d["video_id"]), 1, f"{name} once in the feed")


class RefusedInputs(PipelineCase):
    """Limits from the config; refused uploads: 10001/10006, no row, no file left under media/ and tmp/."""
    server_kwargs = {"config": {"max_video_seconds": 3, "max_video_dimension": 320, "max_upload_bytes": 600_000,
                                "transcode_max_short_side": 64}}

    def dirs(self):
        return os.path.join(self.server.data_dir, "media"), os.path.join(self.server.data_dir, "tmp")

    def assert_nothing_left(self, before: set, what: str):
        deadline = time.monotonic() + 2.0
        while True:
            new = h.tree_files(*self.dirs()) - before
            if not new or time.monotonic() > deadline:
                break
            time.sleep(0.05)
        self.assertEqual(sorted(new), [], f"{what}: files left behind")

    def assert_refused(self, data: bytes, filename: str, words=(), code=INVALID):
        u = self.c.new_user("ref")
        before = h.tree_files(*self.dirs())
        d = self.c.publish(u.token, "refused " + filename, data=data, filename=filename, expect=None)
        self.assertEqual(d["status_code"], code, f"{filename}: {d}")
        h.check_error_msg(d, filename)
        if words:
            msg = d["status_msg"].lower()
            self.assertTrue(any(w in msg for w in words), f"{filename}: status_msg {d['status_msg']!r} "
                                                             f"should say why (one of {words})")
        self.assertEqual(self.c.publish_list(u.id, token=u.token), [], f"{filename}: no row for a refused upload")
        self.assertEqual(self.c.user(u.id)["work_count"], 0)
        self.assert_nothing_left(before, filename)
        return d

    def test_within_limits_is_accepted(self):
        # 320x240 (exactly max_video_dimension wide), 2 s (< 3 s): the limits are not off by one
        u = self.c.new_user("okay")
        v = self.c.publish_ready(u.token, "within limits", path=h.sample_video())
        self.check_transcode(v, want_short=64, want_aspect=4 / 3, want_audio=True, want_seconds=2)

    def test_text_named_mp4(self):
        self.assert_refused(b"just some text pretending to be a video\n" * 40, "notes.mp4")

    def test_truncated_mp4_without_moov(self):
        data = h.read_bytes(clip_no_faststart())
        atoms = {t: o for t, o, _ in h.mp4_top_atoms(data)}
        self.assertGreater(atoms["moov"], atoms["mdat"], "test input must have moov at the end")
        cut = data[:int(len(data) * 0.4)]
        self.assertNotIn(b"moov", cut)
        self.assert_refused(cut, "truncated.mp4")

    def test_png_named_mp4(self):
        data = h.read_bytes(clip_png())
        self.assertEqual(data[:8], b"\x89PNG\r\n\x1a\n")
        self.assert_refused(data, "photo.mp4")

    def test_longer_than_max_video_seconds(self):
        self.assert_refused(h.read_bytes(clip_long_5s()), "long.mp4", words=("long", "second", "duration", " 3"))

    def test_larger_than_max_video_dimension(self):
        self.assert_refused(h.read_bytes(clip_landscape()), "wide.mp4",
                            words=("320", "pixel", "dimension", "large", "big", "resolution"))

    def test_oversized_upload_10006(self):
        u = self.c.new_user("big")
        before = h.tree_files(*self.dirs())
        big = h.read_bytes(h.sample_video()) + os.urandom(700_000)
        body, ctype = h.multipart_encode([("token", u.token), ("title", "big")], [("data", "big.mp4", "video/mp4", big)])
        head = (f"POST /douyin/publish/action/ HTTP/1.1\r\nHost: {self.c.host}:{self.c.port}\r\n"
                f"Content-Type: {ctype}\r\nContent-Length: {len(body)}\r\n\r\n").encode()
        d = h.raw_json(h.raw_request(self.c.host, self.c.port, head + body, timeout=15))
        self.assertEqual(d["status_code"], EXHAUSTED, d)
        h.check_error_msg(d, "upload too large")
        self.assertEqual(self.c.publish_list(u.id, token=u.token), [])
        self.assert_nothing_left(before, "oversized upload")


class DiskFloor(h.ServerCase):
    """Uploads are refused (10006) while free disk < min_free_disk_mb + upload size."""
    server_kwargs = {"config": {"min_free_disk_mb": 1 << 40}}  # an exabyte: never available

    def test_low_disk_refuses_upload(self):
        u = self.c.new_user("disk")
        dirs = (os.path.join(self.server.data_dir, "media"), os.path.join(self.server.data_dir, "tmp"))
        before = h.tree_files(*dirs)
        d = self.c.publish(u.token, "no room", path=h.tiny_video(), expect=None)
        self.assertEqual(d["status_code"], EXHAUSTED, d)
        h.check_error_msg(d, "disk floor")
        self.assertEqual(self.c.publish_list(u.id, token=u.token), [])
        time.sleep(0.2)
        self.assertEqual(sorted(h.tree_files(*dirs) - before), [])
        # other routes keep working
        self.assertEqual(self.c.feed()["status_code"], OK)


class ProcessingVisibility(PipelineCase):
    """veryslow + a 6 s 640x360 clip: several seconds of "processing" to look at; two workers so that a
    tiny clip published later becomes ready first."""
    server_kwargs = {"config": {"transcode_preset": "veryslow", "media_workers": 2}}

    def test_processing_only_author_sees_then_ready(self):
        author, other, fan = self.c.new_user("slowa"), self.c.new_user("slowo"), self.c.new_user("slowf")
        data = h.read_bytes(clip_slow())
        d = self.c.publish(author.token, "slow one", data=data, filename="slow.mp4")
        vid = d["video_id"]
        t_pub = time.monotonic()
        v = self.c.own_video(author.token, vid)
        self.assertIsNotNone(v, "the author sees the new video at once")
        self.assertEqual(v["state"], "processing", v)
        self.assertRegex(v["play_url"], r"/play-1\.mp4$", "while processing, play_url is the original")
        play1 = v["play_url"]
        # nobody else sees it, anywhere
        self.assertNotIn(vid, [x["id"] for x in self.c.publish_list(author.id)], "anonymous publish list")
        self.assertNotIn(vid, [x["id"] for x in self.c.publish_list(author.id, token=other.token)],
                         "another user's view of the publish list")
        for tok in (None, other.token, author.token):
            self.assertNotIn(vid, [x["id"] for x in self.c.feed(token=tok)["video_list"]],
                             f"feed ({'anonymous' if tok is None else 'with token'}) shows a processing video")
        self.assertEqual(self.c.user(author.id)["work_count"], 0, "work_count counts ready videos only")
        self.c.favorite(fan.token, vid, 1, expect=NOT_FOUND)
        self.c.comment_add(fan.token, vid, "too early", expect=NOT_FOUND)
        # the original is what play_url serves meanwhile
        r = self.c.fetch_url(play1)
        self.assertEqual(r.status, 200, play1)
        self.assertEqual(r.body, data, "play-1 must be the uploaded original")
        still = self.c.own_video(author.token, vid)
        self.assertEqual(still["state"], "processing",
                         f"the checks above must run while processing; ready after {time.monotonic() - t_pub:.1f}s")
        # a tiny clip published later becomes ready first (second worker)
        quick = self.c.publish_ready(author.token, "quick one", path=h.tiny_video())
        self.assertEqual(self.c.own_video(author.token, vid)["state"], "processing",
                         "slow clip should still be processing when the tiny one is ready")
        self.assertEqual(self.c.feed()["video_list"][0]["id"], quick["id"])
        self.assertEqual(self.c.user(author.id)["work_count"], 1)
        # then the slow one: new URL, everyone sees it, likeable
        v = self.c.wait_ready(author.token, vid, timeout=120)
        self.assertNotEqual(v["play_url"], play1)
        self.check_transcode(v, want_size=(640, 360), want_audio=True, want_seconds=6, where="slow clip")
        self.assertEqual(self.c.fetch_url(play1).status, 404, "the original URL is gone after the transcode")
        self.assertIn(vid, [x["id"] for x in self.c.publish_list(author.id)])
        self.assertIn(vid, [x["id"] for x in self.c.publish_list(author.id, token=other.token)])
        # feed is ordered by the time a video became ready: the slow one (published first) is newest
        self.assertEqual([x["id"] for x in self.c.feed()["video_list"][:2]], [vid, quick["id"]])
        self.assertEqual(self.c.user(author.id)["work_count"], 2)
        self.c.favorite(fan.token, vid, 1)
        self.c.comment_add(fan.token, vid, "now")
        seen = [x for x in self.c.feed(token=fan.token)["video_list"] if x["id"] == vid][0]
        self.assertEqual((seen["favorite_count"], seen["comment_count"], seen["is_favorite"]), (1, 1, True))


class FailedTranscode(PipelineCase):
    """A transcode time limit of 1 ms makes every attempt fail: after transcode_max_attempts the video is
    failed, with a readable reason for its author and invisible to everyone else."""
    server_kwargs = {"config": {"transcode_timeout_ms": 1, "transcode_max_attempts": 2, "transcode_retry_ms": 100}}

    def test_failed_video(self):
        author, fan = self.c.new_user("faila"), self.c.new_user("failf")
        vid = self.c.publish(author.token, "doomed", path=clip_landscape())["video_id"]
        deadline = time.monotonic() + 30
        while True:
            v = self.c.own_video(author.token, vid)
            if v["state"] != "processing" or time.monotonic() > deadline:
                break
            time.sleep(0.1)
        self.assertEqual(v["state"], "failed", v)
        reason = v["state_reason"]
        self.assertRegex(reason, r"[A-Za-z]{3,}", "a failed video needs a readable state_reason")
        self.assertLessEqual(len(reason), 300, f"state_reason should be a sentence: {reason!r}")
        self.assertNotIn(self.server.data_dir, reason, "state_reason must not show server paths")
        self.assertNotIn("/tmp", reason)
        for w in ("exception", "std::", "sqlite"):
            self.assertNotIn(w, reason.lower())
        self.assertNotIn(vid, [x["id"] for x in self.c.publish_list(author.id)])
        self.assertNotIn(vid, [x["id"] for x in self.c.publish_list(author.id, token=fan.token)])
        self.assertNotIn(vid, [x["id"] for x in self.c.feed()["video_list"]])
        self.assertNotIn(vid, [x["id"] for x in self.c.feed(token=author.token)["video_list"]])
        self.c.favorite(fan.token, vid, 1, expect=NOT_FOUND)
        self.c.comment_add(fan.token, vid, "x", expect=NOT_FOUND)
        self.assertEqual(self.c.user(author.id)["work_count"], 0)
        self.assertEqual(part_files(self.server), [])
        # stays failed (no endless retries)
        time.sleep(0.5)
        self.assertEqual(self.c.own_video(author.token, vid)["state"], "failed")


class KeepOriginal(PipelineCase):
    server_kwargs = {"config": {"keep_original": True, "transcode_max_short_side": 64}}

    def test_original_kept_beside_transcode(self):
        u = self.c.new_user("keep")
        v = self.c.publish_ready(u.token, "kept", path=h.sample_video())
        self.check_transcode(v, want_short=64, want_aspect=4 / 3, want_audio=True)
        files = sorted(os.listdir(media_folder(self.server, v["play_url"])))
        self.assertIn("play-2.mp4", files)
        self.assertTrue([f for f in files if f.startswith("play-1.")], f"keep_original: original kept: {files}")


# ---------------------------------------------------------------------------------------------

class CrashRecovery(PipelineCase):
    """SIGKILL mid-transcode (and mid-upload), restart on the same data folder."""

    @classmethod
    def setUpClass(cls):
        pass  # servers per test

    @classmethod
    def tearDownClass(cls):
        pass

    def setUp(self):
        self.servers = []

    def tearDown(self):
        for s in self.servers:
            for pid, _ in h.processes_mentioning(s.data_dir):
                try:
                    os.kill(pid, signal.SIGKILL)  # orphans of a server this test started
                except OSError:
                    pass
            s.cleanup()

    def new_server(self, **kw) -> h.Server:
        s = h.Server(**kw)
        self.servers.append(s)
        return s

    def test_sigkill_during_transcode_then_ready_exactly_once(self):
        cfg = {"transcode_preset": "veryslow"}
        s = self.new_server(config=cfg)
        s.start()
        self.server, self.c = s, s.client()
        u = self.c.new_user("crash")
        vid = self.c.publish(u.token, "survivor", path=clip_slow())["video_id"]
        deadline = time.monotonic() + 20
        while True:
            v = self.c.own_video(u.token, vid)
            busy = h.processes_mentioning(s.data_dir, names=("ffmpeg",))
            if (v["state_reason"].startswith("transcoding") and busy) or time.monotonic() > deadline:
                break
            time.sleep(0.05)
        self.assertEqual(v["state"], "processing", v)
        self.assertTrue(v["state_reason"].startswith("transcoding"), v)
        self.assertTrue(busy, "an ffmpeg process working in the data folder should be running")
        rc = s.stop(sig=signal.SIGKILL, expect_code=None)
        self.assertEqual(rc, -signal.SIGKILL)
        deadline = time.monotonic() + 3
        while h.processes_mentioning(s.data_dir) and time.monotonic() < deadline:
            time.sleep(0.05)
        self.assertEqual(h.processes_mentioning(s.data_dir), [],
                         "ffmpeg children must die with the server (PR_SET_PDEATHSIG)")

        s.start()
        self.c = s.client()
        v = self.c.wait_ready(u.token, vid, timeout=120)
        own = self.c.publish_list(u.id, token=u.token)
        self.assertEqual([x["id"] for x in own], [vid], "exactly one row after the restart")
        self.assertEqual([x["id"] for x in self.c.publish_list(u.id)], [vid])
        self.assertEqual([x["id"] for x in self.c.feed()["video_list"]].count(vid), 1)
        self.assertEqual(len(self.c.feed()["video_list"]), 1)
        self.assertEqual(self.c.user(u.id)["work_count"], 1)
        self.assertEqual(part_files(s), [], "no partial transcode left")
        self.check_transcode(v, want_size=(640, 360), want_audio=True, want_seconds=6, where="resumed transcode")
        self.assertEqual(sorted(os.listdir(media_folder(s, v["play_url"]))), ["cover-1.jpg", "play-2.mp4"])
        # another restart does not transcode or publish it again
        s.stop()
        s.start()
        self.c = s.client()
        again = self.c.own_video(u.token, vid)
        self.assertEqual((again["state"], again["play_url"].rsplit("/", 1)[1]), ("ready", "play-2.mp4"))
        self.assertEqual(len(self.c.publish_list(u.id, token=u.token)), 1)
        self.assertEqual(self.c.user(u.id)["work_count"], 1)
        self.assertEqual(len(self.c.feed()["video_list"]), 1)
        time.sleep(0.3)
        self.assertEqual(h.processes_mentioning(s.data_dir, names=("ffmpeg",)), [], "no transcode after ready")
        s.stop()

    def test_sigkill_during_upload_leaves_nothing(self):
        s = self.new_server(config={"transcode_max_short_side": 64})
        s.start()
        c = s.client()
        u = c.new_user("halfup")
        data = h.read_bytes(h.sample_video()) + os.urandom(1_500_000)  # half of it is over one 128 KiB chunk
        body, ctype = h.multipart_encode([("token", u.token), ("title", "half")], [("data", "h.mp4", "video/mp4", data)])
        head = (f"POST /douyin/publish/action/ HTTP/1.1\r\nHost: {c.host}:{c.port}\r\n"
                f"Content-Type: {ctype}\r\nContent-Length: {len(body)}\r\n\r\n").encode()
        tmp = os.path.join(s.data_dir, "tmp")
        sock = h.socket.create_connection((c.host, c.port), timeout=10)
        try:
            sock.sendall(head + body[:len(body) // 2])
            deadline = time.monotonic() + 5
            while not h.tree_files(tmp) and time.monotonic() < deadline:
                time.sleep(0.02)
            self.assertTrue(h.tree_files(tmp), "the upload should be arriving under <data>/tmp")
            s.stop(sig=signal.SIGKILL, expect_code=None)
        finally:
            sock.close()
        s.start()
        c = s.client()
        self.assertEqual(c.publish_list(u.id, token=u.token), [])
        self.assertEqual(sorted(h.tree_files(tmp)), [], "tmp is cleared at start")
        self.assertEqual(sorted(h.tree_files(os.path.join(s.data_dir, "media"))), [])
        v = c.publish_ready(u.token, "whole", path=h.tiny_video())
        self.assertEqual([x["id"] for x in c.publish_list(u.id)], [v["id"]])
        s.stop()


if __name__ == "__main__":
    h.main()
