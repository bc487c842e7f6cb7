"""HTTP-level robustness: 404/405/400/431/413, bad parameters never leak internals, all routes with and
without trailing slash, keep-alive, chunked bodies, slow clients, /healthz."""

import json
import socket
import time

import harness as h
from harness import OK, INVALID

ROUTES = [
    ("GET", "/douyin/feed/"), ("POST", "/douyin/user/register/"), ("POST", "/douyin/user/login/"),
    ("GET", "/douyin/user/"), ("POST", "/douyin/publish/action/"), ("GET", "/douyin/publish/list/"),
    ("POST", "/douyin/favorite/action/"), ("GET", "/douyin/favorite/list/"), ("POST", "/douyin/comment/action/"),
    ("GET", "/douyin/comment/list/"), ("POST", "/douyin/relation/action/"), ("GET", "/douyin/relation/follow/list/"),
    ("GET", "/douyin/relation/follower/list/"), ("GET", "/douyin/relation/friend/list/"),
    ("POST", "/douyin/message/action/"), ("GET", "/douyin/message/chat/"),
]


class RobustnessTests(h.ServerCase):
    server_kwargs = {"config": {"header_timeout_ms": 1000, "body_timeout_ms": 1500}}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.a = cls.c.new_user("rob")
        cls.b = cls.c.new_user("rob2")
        cls.vid = cls.c.publish_ready(cls.a.token, "rob")["id"]
        cls.cid = cls.c.comment_add(cls.a.token, cls.vid, "c")["comment"]["id"]

    def tearDown(self):
        # the server must still be alive after every test
        r = self.c.request("GET", "/healthz")
        self.assertEqual(r.status, 200)

    def raw(self, data: bytes, timeout=10.0):
        return h.raw_request(self.c.host, self.c.port, data, timeout=timeout)

    def test_healthz(self):
        r = self.c.request("GET", "/healthz")
        self.assertEqual(r.status, 200)
        self.assertEqual(r.json(), {"status": "ok"})

    def test_readyz_once_every_service_is_connected(self):
        # In-process services are always there; a split gateway needs a connected instance of
        # each, which its first look starts connecting (test_split.py covers one going away).
        deadline = time.monotonic() + 5
        while (r := self.c.request("GET", "/readyz")).status != 200 and time.monotonic() < deadline:
            time.sleep(0.05)
        self.assertEqual(r.status, 200)
        self.assertEqual(r.json(), {"status": "ready", "unreachable": []})

    def test_all_routes_with_and_without_slash(self):
        for method, path in ROUTES:
            for p in (path, path.rstrip("/")):
                r = self.c.request(method, p, query={"token": self.a.token})
                self.assertEqual(r.status, 200, f"{method} {p}")
                self.assertTrue(r.header("Content-Type", "").startswith("application/json"), f"{method} {p}")
                d = r.json()
                h.validate_envelope(d, f"{method} {p}")

    def test_unknown_route_404(self):
        for p in ("/nope", "/douyin/nope/", "/douyin/feed/extra/", "/douyin/", "/douyin/user/registerx/"):
            r = self.c.request("GET", p)
            self.assertEqual(r.status, 404, p)

    def test_wrong_method_405(self):
        for method, path in ROUTES:
            wrong = "POST" if method == "GET" else "GET"
            r = self.c.request(wrong, path, query={"token": self.a.token})
            self.assertEqual(r.status, 405, f"{wrong} {path}")
        for m in ("DELETE", "PUT", "PATCH"):
            self.assertEqual(self.c.request(m, "/douyin/feed/").status, 405, f"{m} /douyin/feed/")

    def test_malformed_http_400(self):
        for data in (b"GARBAGE\r\n\r\n", b"GET\r\n\r\n", b"GET /douyin/feed/ HTTP/1.1 extra\r\n\r\n",
                     b"GET /douyin/feed/ HTTP/1.1\r\nBad Header Line\r\n\r\n",
                     b"POST /douyin/user/login/ HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n",
                     b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + b"\x00" * 64 + b"\r\n\r\n"):
            raw = self.raw(data)
            self.assertEqual(h.parse_raw_status(raw), 400, f"{data[:40]!r} -> {raw[:80]!r}")

    def test_huge_header_431(self):
        big = "a" * (40 * 1024)
        data = (f"GET /douyin/feed/ HTTP/1.1\r\nHost: x\r\nX-Big: {big}\r\n\r\n").encode()
        raw = self.raw(data)
        self.assertEqual(h.parse_raw_status(raw), 431, raw[:100])
        many = "".join(f"X-H{i}: {'b' * 100}\r\n" for i in range(300))
        raw = self.raw(f"GET /douyin/feed/ HTTP/1.1\r\nHost: x\r\n{many}\r\n".encode())
        self.assertEqual(h.parse_raw_status(raw), 431, raw[:100])

    def test_oversized_body_413(self):
        body = b"username=" + b"u" * (2 * 1024 * 1024) + b"&password=x"
        head = (f"POST /douyin/user/login/ HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                f"Content-Length: {len(body)}\r\n\r\n").encode()
        raw = self.raw(head + body, timeout=15)
        self.assertEqual(h.parse_raw_status(raw), 413, raw[:100])
        # also on a GET route
        head = (f"GET /douyin/feed/ HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                f"Content-Length: {len(body)}\r\n\r\n").encode()
        raw = self.raw(head + body, timeout=15)
        self.assertEqual(h.parse_raw_status(raw), 413, raw[:100])

    def test_bad_ids_everywhere(self):
        a, vid, cid = self.a, self.vid, self.cid
        t = a.token
        cases = [
            ("GET", "/douyin/user/", {"token": t}, "user_id"),
            ("GET", "/douyin/publish/list/", {"token": t}, "user_id"),
            ("GET", "/douyin/favorite/list/", {"token": t}, "user_id"),
            ("GET", "/douyin/comment/list/", {"token": t}, "video_id"),
            ("GET", "/douyin/relation/follow/list/", {"token": t}, "user_id"),
            ("GET", "/douyin/relation/follower/list/", {"token": t}, "user_id"),
            ("GET", "/douyin/relation/friend/list/", {"token": t}, "user_id"),
            ("GET", "/douyin/message/chat/", {"token": t}, "to_user_id"),
            ("GET", "/douyin/message/chat/", {"token": t, "to_user_id": self.b.id}, "pre_msg_time"),
            ("GET", "/douyin/feed/", {"token": t}, "latest_time"),
            ("POST", "/douyin/favorite/action/", {"token": t, "action_type": 1}, "video_id"),
            ("POST", "/douyin/favorite/action/", {"token": t, "video_id": vid}, "action_type"),
            ("POST", "/douyin/comment/action/", {"token": t, "action_type": 1, "comment_text": "x"}, "video_id"),
            ("POST", "/douyin/comment/action/", {"token": t, "action_type": 2, "video_id": vid}, "comment_id"),
            ("POST", "/douyin/relation/action/", {"token": t, "action_type": 1}, "to_user_id"),
            ("POST", "/douyin/relation/action/", {"token": t, "to_user_id": self.b.id}, "action_type"),
            ("POST", "/douyin/message/action/", {"token": t, "action_type": 1, "content": "x"}, "to_user_id"),
        ]
        datadir = self.server.data_dir.lower()
        for method, path, base, key in cases:
            for bad in ("abc", "1.5", "", "-1", "99999999999999999999", "0x10", "1e", " 1", "1;2"):
                with self.subTest(route=path, param=key, value=bad):
                    d = self.c.api(method, path, query={**base, key: bad})
                    brief = {k: v for k, v in d.items() if k in ("status_code", "status_msg")}
                    self.assertNotEqual(d["status_code"], OK, f"{method} {path} {key}={bad!r} -> {brief}")
                    h.check_error_msg(d, d["_desc"])
                    self.assertNotIn(datadir, d["status_msg"].lower())
                    if bad in ("abc", "1.5", "", "99999999999999999999", "0x10", "1e") or (
                            bad == "-1" and key in ("latest_time", "pre_msg_time")):
                        self.assertEqual(d["status_code"], INVALID, f"{method} {path} {key}={bad!r} -> {brief}")
        # nothing changed
        self.assertEqual(self.c.user(a.id)["favorite_count"], 0)
        self.assertEqual(self.c.user(a.id)["follow_count"], 0)
        self.assertEqual(len(self.c.comment_list(vid)), 1)

    def test_bad_percent_encoding(self):
        r = self.c.request("GET", "/douyin/user/", query=f"token={self.a.token}&user_id=%ZZ")
        if r.status == 200:
            d = r.json()
            self.assertEqual(d["status_code"], INVALID, d)
            h.check_error_msg(d)
        else:
            self.assertEqual(r.status, 400)

    def test_bad_multipart(self):
        # broken multipart body on publish: an API error or 400, never a crash
        for body, ctype in ((b"--x\r\nnot a part", "multipart/form-data; boundary=x"),
                            (b"garbage", "multipart/form-data"),
                            (b"--x--\r\n", "multipart/form-data; boundary=x")):
            r = self.c.request("POST", "/douyin/publish/action/", body=body, content_type=ctype,
                               headers={"Authorization": f"Bearer {self.a.token}"})
            if r.status == 200:
                d = r.json()
                self.assertNotEqual(d["status_code"], OK)
                h.check_error_msg(d, "bad multipart")
            else:
                self.assertEqual(r.status, 400, r)

    def test_json_content_type_and_error_envelope(self):
        r = self.c.request("POST", "/douyin/user/login/", query={"username": "x"})
        self.assertEqual(r.status, 200)
        self.assertTrue(r.header("Content-Type", "").startswith("application/json"))
        d = r.json()
        self.assertEqual(d["status_code"], INVALID)
        self.assertEqual((d["token"], d["user_id"]), ("", 0))

    def test_keep_alive(self):
        s = socket.create_connection((self.c.host, self.c.port), timeout=10)
        try:
            req = f"GET /douyin/feed/ HTTP/1.1\r\nHost: {self.c.host}\r\n\r\n".encode()
            for _ in range(3):
                s.sendall(req)
                buf = b""
                while not h._complete_response(buf):
                    chunk = s.recv(65536)
                    self.assertTrue(chunk, "server closed a keep-alive connection")
                    buf += chunk
                self.assertEqual(h.parse_raw_status(buf), 200)
                self.assertEqual(h.raw_json(buf)["status_code"], OK)
        finally:
            s.close()

    def test_pipelined_requests(self):
        req = f"GET /douyin/feed/ HTTP/1.1\r\nHost: {self.c.host}\r\n\r\n".encode()
        last = f"GET /healthz HTTP/1.1\r\nHost: {self.c.host}\r\nConnection: close\r\n\r\n".encode()
        s = socket.create_connection((self.c.host, self.c.port), timeout=10)
        try:
            s.sendall(req + req + last)
            buf = b""
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    break
                buf += chunk
        finally:
            s.close()
        self.assertEqual(buf.count(b"HTTP/1.1 200"), 3, buf[:300])
        self.assertIn(b'"status":"ok"', buf.replace(b" ", b""))

    def test_chunked_request_body(self):
        name = "chunk_" + h.rand_suffix(6)
        form = f"username={name}&password=pw".encode()
        chunks = b"".join(f"{len(p):x}\r\n".encode() + p + b"\r\n" for p in (form[:5], form[5:])) + b"0\r\n\r\n"
        head = (f"POST /douyin/user/register/ HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded"
                f"\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n").encode()
        d = h.raw_json(self.raw(head + chunks))
        self.assertEqual(d["status_code"], OK, d)
        self.c.login(name, "pw")

    def test_slow_client_header_timeout(self):
        s = socket.create_connection((self.c.host, self.c.port), timeout=10)
        try:
            s.sendall(b"GET /douyin/feed/ HTTP/1.1\r\nHost: x\r\n")  # never finishes the headers
            t0 = time.monotonic()
            data = b""
            try:
                while True:
                    b = s.recv(4096)
                    if not b:
                        break
                    data += b
            except (socket.timeout, ConnectionResetError):
                pass
            elapsed = time.monotonic() - t0
            self.assertLess(elapsed, 8, "server kept a stalled connection open past header_timeout_ms=1000")
        finally:
            s.close()

    def seconds_until_closed(self, s: socket.socket) -> float:
        t0 = time.monotonic()
        try:
            while s.recv(4096):
                pass
        except (socket.timeout, ConnectionResetError):
            pass
        return time.monotonic() - t0

    def test_stalled_body_is_cut_after_the_idle_timeout(self):
        # A body that stops arriving is cut body_timeout_ms (1.5 s here) after its last byte, with no
        # answer (nginx's client_body_timeout), whether an API form or a streamed upload.
        cases = (
            ("form", b"POST /douyin/user/register/ HTTP/1.1\r\nHost: x\r\n"
                     b"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000\r\n\r\nusername=a"),
            ("upload", f"POST /douyin/publish/action/?token={self.a.token} HTTP/1.1\r\nHost: x\r\n"
                       f"Content-Type: multipart/form-data; boundary=XyZ\r\nContent-Length: 100000\r\n\r\n"
                       f"--XyZ\r\nContent-Disposition: form-data; name=\"data\"; filename=\"v.mp4\"\r\n\r\n".encode()),
        )
        for name, stalled in cases:
            with self.subTest(name), socket.create_connection((self.c.host, self.c.port), timeout=15) as s:
                s.sendall(stalled)
                elapsed = self.seconds_until_closed(s)
                self.assertGreater(elapsed, 1.0, "cut before body_timeout_ms")
                self.assertLess(elapsed, 6, "a stalled body held the connection past body_timeout_ms=1500")

    def test_slow_but_steady_body_is_not_cut(self):
        # The timeout is per silence, not per body: a form trickling in over 4 s (longer than the
        # 1.5 s timeout, one byte every 0.5 s) is answered normally.
        name = "slow_" + h.rand_suffix(6)
        form = f"username={name}&password=pw".encode()
        head = (f"POST /douyin/user/register/ HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded"
                f"\r\nContent-Length: {len(form)}\r\nConnection: close\r\n\r\n").encode()
        with socket.create_connection((self.c.host, self.c.port), timeout=15) as s:
            s.sendall(head)
            for byte in form[:8]:
                time.sleep(0.5)
                s.sendall(bytes([byte]))
            s.sendall(form[8:])
            answer = b""
            while chunk := s.recv(65536):
                answer += chunk
        self.assertEqual(h.raw_json(answer)["status_code"], OK, answer)
        self.c.login(name, "pw")

    def test_media_urls_keep_the_port_without_a_usable_host(self):
        # HTTP/1.0 without Host, an empty Host and a hostile one: URLs name the address and port the
        # client reached, never "http://127.0.0.1/..." without the port.
        expected = f"http://127.0.0.1:{self.c.port}/media/"
        for name, host_line in (("http/1.0", b""), ("empty", b"Host: \r\n"), ("hostile", b"Host: x\"><b>\r\n")):
            with self.subTest(name):
                version = b"HTTP/1.0" if name == "http/1.0" else b"HTTP/1.1"
                d = h.raw_json(self.raw(b"GET /douyin/feed/ " + version + b"\r\n" + host_line +
                                        b"Connection: close\r\n\r\n"))
                self.assertTrue(d["video_list"], d)
                for video in d["video_list"]:
                    self.assertTrue(video["play_url"].startswith(expected), video["play_url"])
                    self.assertTrue(video["cover_url"].startswith(expected), video["cover_url"])

    def test_many_idle_connections_do_not_block(self):
        socks = [socket.create_connection((self.c.host, self.c.port), timeout=5) for _ in range(50)]
        try:
            self.assertEqual(self.c.feed()["status_code"], OK)
        finally:
            for s in socks:
                s.close()

    def test_json_never_null_lists(self):
        u = self.c.new_user("empty")
        for path, q in (("/douyin/publish/list/", {"user_id": u.id}), ("/douyin/favorite/list/", {"user_id": u.id}),
                        ("/douyin/relation/follow/list/", {"user_id": u.id}),
                        ("/douyin/relation/follower/list/", {"user_id": u.id}),
                        ("/douyin/relation/friend/list/", {"user_id": u.id}),
                        ("/douyin/message/chat/", {"to_user_id": self.b.id})):
            r = self.c.request("GET", path, query={**q, "token": u.token})
            d = json.loads(r.body)
            key = [k for k in d if k.endswith("_list")]
            self.assertEqual(len(key), 1, f"{path}: {d}")
            self.assertEqual(d[key[0]], [], path)

    def test_empty_values_are_reported_as_empty_not_missing(self):
        u = self.c.new_user("empty")
        for path, form, message in (
                ("/douyin/user/register/", {"username": "", "password": "pw123456"}, "username must not be empty"),
                ("/douyin/user/register/", {"password": "pw123456"}, "missing parameter username"),
                ("/douyin/user/login/", {"username": "someone", "password": ""}, "password must not be empty"),
                ("/douyin/comment/action/", {"token": u.token, "video_id": self.vid, "action_type": 1,
                                             "comment_text": ""}, "comment_text must not be empty"),
                ("/douyin/comment/action/", {"token": u.token, "video_id": self.vid, "action_type": 1,
                                             "comment_text": "   "}, "must not be empty"),
                ("/douyin/message/action/", {"token": u.token, "to_user_id": self.b.id, "action_type": 1,
                                             "content": ""}, "content must not be empty")):
            with self.subTest(path=path, form=form):
                d = self.c.api("POST", path, form=form, expect=INVALID)
                self.assertIn(message, d["status_msg"])
        d = self.c.api("POST", "/douyin/publish/action/", multipart=({"token": u.token, "title": "   "},
                       [("data", "v.mp4", "video/mp4", h.read_bytes(h.tiny_video()))]), expect=INVALID)
        self.assertIn("title must not be empty", d["status_msg"])
        for path, query in (("/douyin/feed/", {"latest_time": -1}),
                            ("/douyin/message/chat/", {"token": u.token, "to_user_id": self.b.id,
                                                       "pre_msg_time": -5})):
            with self.subTest(path=path):
                d = self.c.api("GET", path, query=query, expect=INVALID)
                self.assertIn("must not be negative", d["status_msg"])

    def test_failed_list_answers_still_carry_their_list(self):
        """README: lists are always arrays, also in an answer that failed."""
        u = self.c.new_user("fails")
        for path, q, key, code in (
                ("/douyin/feed/", {"latest_time": "soon"}, "video_list", 10001),
                ("/douyin/publish/list/", {"user_id": 999_999_999}, "video_list", 10004),
                ("/douyin/favorite/list/", {"user_id": 0}, "video_list", 10001),
                ("/douyin/comment/list/", {"video_id": 1, "offset": -1}, "comment_list", 10001),
                ("/douyin/relation/follow/list/", {"user_id": "x"}, "user_list", 10001),
                ("/douyin/relation/follower/list/", {"user_id": 1, "limit": 0}, "user_list", 10001),
                ("/douyin/relation/friend/list/", {"user_id": 1, "token": "garbage"}, "user_list", 10002),
                ("/douyin/message/chat/", {"to_user_id": 0, "token": u.token}, "message_list", 10001)):
            with self.subTest(path=path):
                d = self.c.api("GET", path, query=q, expect=code)
                self.assertEqual(d[key], [], d)


if __name__ == "__main__":
    h.main()
