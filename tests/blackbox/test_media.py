"""GET /media/...: what video players and caches rely on. HEAD, byte ranges (206, suffix, open-ended,
416 with Content-Range bytes */size), validators (ETag / Last-Modified, 304, If-Range), immutable
caching, nosniff, content types, 404 for unknown names and for `..` traversal (raw socket: no client
normalises the path)."""

import os
import re

import harness as h


class MediaServing(h.ServerCase):
    server_kwargs = {"config": {"transcode_max_short_side": 64}}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.u = cls.c.new_user("media")
        cls.v = cls.c.publish_ready(cls.u.token, "served", path=h.sample_video())
        cls.play_path = re.sub(r"^https?://[^/]+", "", cls.v["play_url"])
        cls.cover_path = re.sub(r"^https?://[^/]+", "", cls.v["cover_url"])
        r = cls.c.request("GET", cls.play_path)
        assert r.status == 200, f"GET {cls.play_path}: {r.status}"
        cls.full = r.body
        cls.full_resp = r
        cls.size = len(r.body)

    def get(self, path=None, headers=None, method="GET"):
        return self.c.request(method, path or self.play_path, headers=headers)

    def raw(self, request_line_and_headers: str) -> tuple[int, dict, bytes]:
        """Send a raw request with Connection: close; returns (status, headers, everything after the headers)."""
        buf = h.raw_request(self.c.host, self.c.port, request_line_and_headers.encode("latin-1"), timeout=10)
        i = buf.find(b"\r\n\r\n")
        self.assertGreater(i, 0, f"no complete response header: {buf[:200]!r}")
        status, hdrs, _ = h.parse_raw(buf)
        return status, hdrs, buf[i + 4:]

    def test_full_get_headers(self):
        r = self.full_resp
        self.assertEqual(r.header("Content-Type", "").split(";")[0].strip(), "video/mp4")
        self.assertEqual(int(r.header("Content-Length", "-1")), self.size)
        self.assertIn("immutable", r.header("Cache-Control", "").lower(), "versioned media URLs are immutable")
        self.assertEqual(r.header("X-Content-Type-Options", "").lower(), "nosniff")
        self.assertEqual(r.header("Accept-Ranges", "").lower(), "bytes")
        etag = r.header("ETag")
        self.assertTrue(etag and re.match(r'^(W/)?".*"$', etag), f"ETag must be a quoted validator: {etag!r}")
        self.assertTrue(r.header("Last-Modified"), "Last-Modified missing")

    def test_head(self):
        head = f"HEAD {self.play_path} HTTP/1.1\r\nHost: {self.c.host}\r\nConnection: close\r\n\r\n"
        status, hdrs, rest = self.raw(head)
        self.assertEqual(status, 200)
        self.assertEqual(int(hdrs.get("content-length", -1)), self.size, "HEAD Content-Length = file size")
        self.assertEqual(hdrs.get("content-type", "").split(";")[0], "video/mp4")
        self.assertEqual(rest, b"", "HEAD must not send a body")
        status, hdrs, rest = self.raw(f"HEAD {self.cover_path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        self.assertEqual((status, rest), (200, b""))
        self.assertEqual(hdrs.get("content-type", "").split(";")[0], "image/jpeg")

    def test_range_first_100_bytes(self):
        r = self.get(headers={"Range": "bytes=0-99"})
        self.assertEqual(r.status, 206)
        self.assertEqual(r.header("Content-Range"), f"bytes 0-99/{self.size}")
        self.assertEqual(int(r.header("Content-Length", "-1")), 100)
        self.assertEqual(r.body, self.full[:100])

    def test_range_middle_open_ended_and_suffix(self):
        r = self.get(headers={"Range": "bytes=1000-1999"})
        self.assertEqual((r.status, r.header("Content-Range")), (206, f"bytes 1000-1999/{self.size}"))
        self.assertEqual(r.body, self.full[1000:2000])
        r = self.get(headers={"Range": f"bytes={self.size - 10}-"})
        self.assertEqual((r.status, r.header("Content-Range")),
                         (206, f"bytes {self.size - 10}-{self.size - 1}/{self.size}"))
        self.assertEqual(r.body, self.full[-10:])
        r = self.get(headers={"Range": "bytes=-100"})
        self.assertEqual(r.status, 206, "suffix range")
        self.assertEqual(r.header("Content-Range"), f"bytes {self.size - 100}-{self.size - 1}/{self.size}")
        self.assertEqual(r.body, self.full[-100:])
        # last-byte-pos past the end is clipped
        r = self.get(headers={"Range": f"bytes={self.size - 5}-{self.size + 1000}"})
        self.assertEqual((r.status, r.body), (206, self.full[-5:]))
        self.assertEqual(r.header("Content-Range"), f"bytes {self.size - 5}-{self.size - 1}/{self.size}")

    def test_range_beyond_end_416(self):
        for rng in (f"bytes={self.size}-", f"bytes={self.size + 10}-{self.size + 20}"):
            r = self.get(headers={"Range": rng})
            self.assertEqual(r.status, 416, rng)
            self.assertEqual(r.header("Content-Range"), f"bytes */{self.size}", rng)

    def test_if_none_match_304(self):
        etag = self.full_resp.header("ETag")
        r = self.get(headers={"If-None-Match": etag})
        self.assertEqual(r.status, 304)
        self.assertEqual(r.body, b"")
        self.assertEqual(r.header("ETag"), etag)
        r = self.get(headers={"If-None-Match": '"something-else"'})
        self.assertEqual((r.status, r.body), (200, self.full))
        r = self.get(headers={"If-Modified-Since": self.full_resp.header("Last-Modified")})
        self.assertEqual(r.status, 304, "If-Modified-Since = Last-Modified")

    def test_if_range(self):
        etag = self.full_resp.header("ETag")
        r = self.get(headers={"Range": "bytes=0-99", "If-Range": '"stale-validator"'})
        self.assertEqual(r.status, 200, "If-Range with a stale validator: the whole file")
        self.assertEqual(r.body, self.full)
        self.assertIsNone(r.header("Content-Range"))
        r = self.get(headers={"Range": "bytes=0-99", "If-Range": etag})
        self.assertEqual((r.status, r.body), (206, self.full[:100]), "If-Range with the current ETag")

    def test_cover(self):
        r = self.get(self.cover_path)
        self.assertEqual(r.status, 200)
        self.assertEqual(r.header("Content-Type", "").split(";")[0].strip(), "image/jpeg")
        self.assertEqual(r.body[:2], b"\xff\xd8")
        self.assertEqual(r.header("X-Content-Type-Options", "").lower(), "nosniff")
        r = self.get(self.cover_path, headers={"Range": "bytes=0-1"})
        self.assertEqual((r.status, r.body), (206, b"\xff\xd8"))

    def test_unknown_media_404(self):
        folder = self.play_path.rsplit("/", 1)[0]
        for p in (folder + "/play-9.mp4", folder + "/cover-9.jpg", folder + "/nothing.txt",
                  "/media/videos/0000000000000000/play-2.mp4", "/media/", "/media/videos/", "/media/nope"):
            r = self.get(p)
            self.assertEqual(r.status, 404, p)
            self.assertNotEqual(r.body, self.full)

    def test_dotdot_traversal_404(self):
        folder = self.play_path.rsplit("/", 1)[0]
        secret = h.read_bytes(os.path.join(self.server.data_dir, "jwt-secret"))
        for p in (folder + "/../../../jwt-secret", "/media/../jwt-secret", "/media/videos/../../jwt-secret",
                  folder + "/%2e%2e/%2e%2e/%2e%2e/jwt-secret", "/media/%2e%2e/jwt-secret",
                  folder + "/..%2f..%2f..%2fjwt-secret", folder + "/../../../db/user.db"):
            status, _, body = self.raw(f"GET {p} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            self.assertEqual(status, 404, p)
            self.assertNotIn(secret.strip(), body, f"{p} leaks the jwt secret")
            self.assertNotIn(b"SQLite format", body, f"{p} leaks a database")


if __name__ == "__main__":
    h.main()
