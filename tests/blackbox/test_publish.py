"""publish/action and publish/list: real videos only, title rules, media URLs (Host header and
--public-url), fetchable play/cover URLs, upload size limit. A new video is "processing" (seen only by its
author, in their own publish list) until the media worker made it "ready"; see test_pipeline.py."""

import os
import shutil
import socket
import tempfile
import threading
import time

import harness as h
from harness import OK, INVALID, UNAUTH, EXHAUSTED


class PublishTests(h.ServerCase):
    def ids(self, user):
        """The author's own list: processing videos included."""
        return sorted(v["id"] for v in self.c.publish_list(user.id, token=user.token))

    def test_publish_appears_at_once_and_media_fetchable(self):
        u = self.c.new_user("pub")
        title = "我的视频 " + h.rand_suffix(5)
        data = h.read_bytes(h.sample_video())
        pub = self.c.publish(u.token, title, data=data, filename="clip.mp4")
        # the author sees it in their own list at once (official scenario), with its processing state
        lst = self.c.publish_list(u.id, token=u.token)
        self.assertEqual(len(lst), 1)
        v = lst[0]
        self.assertTrue(h.is_int(pub.get("video_id")), f"publish must answer a numeric video_id: {pub}")
        self.assertEqual(pub["video_id"], v["id"])
        self.assertIn(v.get("state"), ("processing", "ready"), v)
        self.assertIsInstance(v.get("state_reason"), str, v)
        self.assertEqual(v["title"], title)
        self.assertEqual(v["author"]["id"], u.id)
        self.assertEqual((v["favorite_count"], v["comment_count"], v["is_favorite"]), (0, 0, False))
        # (from the Host the request came to: either gateway of a split topology)
        prefixes = tuple(f"http://{self.c.host}:{port}/" for port in self.c.ports)
        self.assertTrue(v["play_url"].startswith(prefixes), v["play_url"])
        self.assertTrue(v["cover_url"].startswith(prefixes), v["cover_url"])
        # once ready: in the feed, counted in work_count
        v = self.c.wait_ready(u.token, pub["video_id"])
        self.assertEqual(v["author"]["work_count"], 1)
        self.assertEqual(self.video_in_feed(v["id"])["title"], title)
        self.assertEqual(self.c.user(u.id)["work_count"], 1)
        # play_url
        r = self.c.fetch_url(v["play_url"])
        self.assertEqual(r.status, 200, v["play_url"])
        self.assertTrue(r.header("Content-Type", "").startswith("video/"), r.header("Content-Type"))
        self.assertGreater(len(r.body), 1000)
        # Range support (design.md: media served with Range support; video players depend on it)
        r = self.c.fetch_url(v["play_url"], headers={"Range": "bytes=0-99"})
        self.assertEqual(r.status, 206, "Range request on play_url")
        self.assertEqual(len(r.body), 100)
        # cover_url
        r = self.c.fetch_url(v["cover_url"])
        self.assertEqual(r.status, 200, v["cover_url"])
        self.assertEqual(r.header("Content-Type", "").split(";")[0].strip(), "image/jpeg")
        self.assertEqual(r.body[:2], b"\xff\xd8", "cover is not a JPEG")

    def test_not_a_video(self):
        u = self.c.new_user("nv")
        self.c.publish_ready(u.token, "first", data=h.read_bytes(h.tiny_video()))
        before = self.ids(u)
        fakes = [
            ("text.mp4", b"this is just some text, definitely not a video\n" * 50),
            ("empty.mp4", b""),
            ("audio.mp4", h.read_bytes(h.audio_only())),
            ("truncated.mp4", h.read_bytes(h.sample_video())[:1024]),
        ]
        for fname, data in fakes:
            d = self.c.publish(u.token, "fake " + fname, data=data, filename=fname, expect=None)
            self.assertEqual(d["status_code"], INVALID, f"{fname}: {d}")
            h.check_error_msg(d, fname)
        self.assertEqual(self.ids(u), before, "a rejected upload must not appear in the publish list")
        self.assertEqual(self.c.user(u.id)["work_count"], 1)
        titles = [v["title"] for v in self.c.feed()["video_list"]]
        self.assertFalse(any(t.startswith("fake ") for t in titles))

    def test_hostile_uploads_open_nothing_they_name(self):
        # Playlists and descriptions that name a local file (a FIFO: any open is seen) and a loopback
        # address (a listener: any connection is seen), disguised as videos. Each is refused with
        # 10001, or (a real video with a playlist appended) published and transcoded, and ffprobe /
        # ffmpeg never open what they name.
        work = tempfile.mkdtemp(prefix="minitok-bb-hostile-")
        fifo = os.path.join(work, "secret.ts")
        os.mkfifo(fifo)
        opened = threading.Event()
        stop = threading.Event()

        def watch_fifo():
            while not stop.is_set():
                try:  # succeeds only while a reader has the FIFO open
                    os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
                    opened.set()
                except OSError:
                    pass
                time.sleep(0.005)

        listener = socket.socket()
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        listener.setblocking(False)
        url = f"http://127.0.0.1:{listener.getsockname()[1]}/segment.ts"
        watcher = threading.Thread(target=watch_fifo, daemon=True)
        watcher.start()
        try:
            playlist = f"#EXTM3U\n#EXT-X-TARGETDURATION:1\n#EXTINF:1.0,\n{fifo}\n#EXTINF:1.0,\n{url}\n#EXT-X-ENDLIST\n"
            packets = b"".join(b"\x47" + b"\xff" * 187 for _ in range(4))
            sdp = f"G\r\nv=0\r\nc=IN IP4 127.0.0.1\r\nm=video {listener.getsockname()[1]} RTP/AVP 96\r\n"
            u = self.c.new_user("hostile")
            refused = [
                ("playlist.avi", playlist.encode()),
                ("playlist-in-packets.ts", packets + playlist.encode()),
                ("sdp.ts", sdp.encode() + b" " * 600),
                ("concat.mp4", f"ffconcat version 1.0\nfile {fifo}\n".encode() + b" " * 600),
            ]
            for name, data in refused:
                d = self.c.publish(u.token, "hostile " + name, data=data, filename=name, expect=None)
                self.assertEqual(d["status_code"], INVALID, f"{name}: {d}")
            appended = h.read_bytes(h.make_media("hostile.avi", ["-f", "lavfi", "-i", "testsrc=size=160x120:rate=10",
                                                                 "-t", "1", "-c:v", "mpeg4"]))
            v = self.c.publish_ready(u.token, "real video, playlist appended", data=appended + playlist.encode(),
                                     filename="appended.avi")
            self.assertEqual(v["state"], "ready", v)
            time.sleep(0.1)
            self.assertFalse(opened.is_set(), "ffprobe or ffmpeg opened the file an upload named")
            with self.assertRaises(BlockingIOError, msg="ffprobe or ffmpeg connected to the address an upload named"):
                listener.accept()
        finally:
            stop.set()
            watcher.join(5)
            listener.close()
            shutil.rmtree(work, ignore_errors=True)

    def test_title_rules(self):
        u = self.c.new_user("title")
        # missing / empty / blank title
        for fields in ([("token", u.token)], [("token", u.token), ("title", "")]):
            d = self.c.api("POST", "/douyin/publish/action/",
                           multipart=(fields, [("data", "v.mp4", "video/mp4", h.read_bytes(h.tiny_video()))]))
            self.assertEqual(d["status_code"], INVALID, f"fields={[k for k, _ in fields]}: {d}")
        self.c.publish(u.token, "x" * 101, expect=INVALID)
        self.c.publish(u.token, "题" * 101, expect=INVALID)
        self.c.publish(u.token, b"bad \xff\xfe title", expect=INVALID)  # invalid UTF-8
        self.assertEqual(self.ids(u), [])
        # 100 characters (code points) is fine
        self.c.publish(u.token, "题" * 100)
        self.c.publish(u.token, "x" * 100)
        self.c.publish(u.token, "t")
        # title falls back to the query
        self.c.publish(u.token, None, query={"title": "from-query"})
        titles = sorted(v["title"] for v in self.c.publish_list(u.id, token=u.token))
        self.assertEqual(titles, sorted(["题" * 100, "x" * 100, "t", "from-query"]))

    def test_missing_file_and_auth(self):
        u = self.c.new_user("auth")
        self.c.publish(u.token, "nofile", data=False, expect=INVALID)
        self.c.publish(None, "notoken", expect=UNAUTH)
        self.c.publish("garbage", "badtoken", expect=UNAUTH)
        self.assertEqual(self.ids(u), [])
        # token from the query string and from the Authorization header
        self.c.publish(None, "query-token", query={"token": u.token})
        self.c.publish(None, "bearer-token", bearer=u.token)
        self.assertEqual(sorted(v["title"] for v in self.c.publish_list(u.id, token=u.token)),
                         ["bearer-token", "query-token"])
        # precedence header > multipart field > query
        other = self.c.new_user("auth2")
        self.c.publish(other.token, "header-wins", bearer=u.token, query={"token": other.token})
        self.c.publish(u.token, "field-wins", query={"token": other.token})
        self.assertEqual(sorted(v["title"] for v in self.c.publish_list(u.id, token=u.token)),
                         ["bearer-token", "field-wins", "header-wins", "query-token"])
        self.assertEqual(self.c.publish_list(other.id, token=other.token), [])

    def test_hostile_filename(self):
        u = self.c.new_user("fn")
        parent = os.path.dirname(self.server.data_dir)
        v = self.c.publish_ready(u.token, "traversal", filename="../../../evil-minitok.mp4")
        self.c.publish_ready(u.token, "weird", filename="视频 a;b=c.mp4")
        self.assertFalse(os.path.exists(os.path.join(parent, "evil-minitok.mp4")))
        self.assertFalse(os.path.exists(os.path.join(self.server.data_dir, "evil-minitok.mp4")))
        self.assertNotIn("..", v["play_url"])
        self.assertEqual(self.c.fetch_url(v["play_url"]).status, 200)

    def test_public_url_from_host_header(self):
        u = self.c.new_user("host")
        self.c.publish_ready(u.token, "hosted")
        d = self.c.api("GET", "/douyin/publish/list/", query={"user_id": u.id},
                       headers={"Host": "videos.example.test:8081"}, expect=OK)
        v = d["video_list"][0]
        for url in (v["play_url"], v["cover_url"], v["author"]["avatar"], v["author"]["background_image"]):
            self.assertTrue(url.startswith("http://videos.example.test:8081/"), url)
        # media URL path works against the real server
        self.assertEqual(self.c.fetch_url(v["play_url"]).status, 200)

    def test_media_404(self):
        u = self.c.new_user("m404")
        v = self.c.publish_ready(u.token, "m")
        base = v["play_url"].rsplit("/", 1)[0]
        r = self.c.fetch_url(base + "/does-not-exist.mp4")
        self.assertEqual(r.status, 404)


class PublicUrlAndUploadLimit(h.ServerCase):
    server_kwargs = {"public_url": "http://cdn.example.test:9443", "config": {"max_upload_bytes": 100_000}}

    def test_public_url(self):
        u = self.c.new_user("pu")
        self.c.publish_ready(u.token, "pub-url")
        d = self.c.api("GET", "/douyin/publish/list/", query={"user_id": u.id},
                       headers={"Host": "ignored.example.test"}, expect=OK)
        v = d["video_list"][0]
        for url in (v["play_url"], v["cover_url"], v["author"]["avatar"], v["author"]["background_image"]):
            self.assertTrue(url.startswith("http://cdn.example.test:9443/"), url)
        self.assertEqual(self.c.fetch_url(v["play_url"]).status, 200)
        self.assertEqual(self.c.fetch_url(v["cover_url"]).status, 200)

    def test_upload_too_large(self):
        u = self.c.new_user("big")
        big = h.read_bytes(h.sample_video()) + os.urandom(300_000)
        body, ctype = h.multipart_encode([("token", u.token), ("title", "big")], [("data", "big.mp4", "video/mp4", big)])
        head = (f"POST /douyin/publish/action/ HTTP/1.1\r\nHost: {self.c.host}:{self.c.port}\r\n"
                f"Content-Type: {ctype}\r\nContent-Length: {len(body)}\r\nConnection: close\r\n\r\n").encode()
        raw = h.raw_request(self.c.host, self.c.port, head + body, timeout=15)
        d = h.raw_json(raw)
        self.assertEqual(d["status_code"], EXHAUSTED, d)
        h.check_error_msg(d, "upload too large")
        self.assertEqual(self.c.publish_list(u.id, token=u.token), [])
        # the server is fine afterwards and small uploads still work
        self.c.publish(u.token, "small")
        self.assertEqual(len(self.c.publish_list(u.id, token=u.token)), 1)


if __name__ == "__main__":
    h.main()
