#!/usr/bin/env python3
"""Rate limits at the gateway (README, "Rate limits"): each limit enforced and refilled at its rate,
an honest Retry-After, addresses and users independent, X-Forwarded-For believed only from trusted
proxies, a login brute force stopped without locking the owner out, an upload refused before its
body, and limits shared by two gateways through a real Redis (with the fallback while it is down).

Over a limit: HTTP 429, `Retry-After: N` (whole seconds), and the envelope with status_code 10006 and a
message that says what was limited and when to retry."""
import http.client
import json
import os
import shutil
import socket
import subprocess
import tempfile
import threading
import time

import harness as h

EXHAUSTED = 10006
# Cheap password hashing: the limits, not Argon2, are under test here.
FAST_HASH = {"password_ops_limit": 1, "password_mem_limit_kib": 8192}


def limits(**rules) -> dict:
    """rate_limits config: name=(burst, refill_every_ms); every limit not named is off."""
    config = {name: {"burst": 0} for name in h.RATE_LIMIT_NAMES}
    for name, (burst, every_ms) in rules.items():
        config[name] = {"burst": burst, "refill_every_ms": every_ms}
    return config


def retry_after(r: h.Response) -> int:
    value = r.header("Retry-After")
    assert value is not None and value.isdigit(), f"{r.desc}: Retry-After {value!r}"
    return int(value)


_next_source = [0]


def fresh_source() -> str:
    """A loopback address no other request of this file used: its own buckets."""
    _next_source[0] += 1
    return f"127.0.{1 + _next_source[0] // 250}.{1 + _next_source[0] % 250}"


class LimitCase(h.ServerCase):
    def new_user(self, prefix: str) -> h.TestUser:
        return self.server.client(source=fresh_source()).new_user(prefix)

    def assertLimited(self, r: h.Response, what: str) -> int:
        """A refusal: 429, Retry-After, the envelope naming what was limited. Returns Retry-After."""
        self.assertEqual(r.status, 429, f"{r.desc}: {r.body[:200]!r}")
        d = r.json()
        h.validate_envelope(d, r.desc)
        self.assertEqual(d["status_code"], EXHAUSTED, d)
        self.assertIn(what, d["status_msg"])
        seconds = retry_after(r)
        self.assertGreaterEqual(seconds, 1)
        self.assertIn(f"try again in {seconds} s", d["status_msg"])
        self.assertEqual(r.header("Cache-Control"), "no-store")
        return seconds

    def assertAllowed(self, r: h.Response):
        self.assertEqual(r.status, 200, f"{r.desc}: {r.body[:200]!r}")
        self.assertNotEqual(r.json()["status_code"], EXHAUSTED, r.body[:200])

    def exhaust_then_refill(self, attempt, burst: int, what: str, refill_ms: int = 1500):
        """Sends until the first refusal: at least the burst passes (a little more if a token refilled
        meanwhile), the refusal's Retry-After is at most one refill, and after it one more passes."""
        started = time.monotonic()
        allowed = 0
        for i in range(burst + 20):
            r = attempt(i)
            if r.status == 429:
                break
            self.assertAllowed(r)
            allowed += 1
        else:
            self.fail(f"never refused after {allowed} requests")
        refilled = int((time.monotonic() - started) * 1000 // refill_ms)
        self.assertGreaterEqual(allowed, burst)
        self.assertLessEqual(allowed, burst + refilled)
        seconds = self.assertLimited(r, what)
        self.assertLessEqual(seconds, -(-refill_ms // 1000))  # one refill, rounded up to whole seconds
        time.sleep(seconds)  # honest: after Retry-After the same request passes
        self.assertAllowed(attempt(allowed + 1))
        return allowed  # the index of the refused attempt

    def post(self, client, path, token=None, **form) -> h.Response:
        if token is not None:
            form["token"] = token
        return client.request("POST", path, form=form)


class EachLimit(LimitCase):
    """Every limit with a small burst and a short refill: the burst passes, the next is refused, and
    one refill later one more passes."""
    server_kwargs = {"rate_limits": "default",
                     "config": {**FAST_HASH, "rate_limits": limits(register=(3, 1500), login=(3, 1500),
                                                                   publish=(2, 60_000), comment=(3, 1500),
                                                                   message=(3, 1500), like=(3, 1500),
                                                                   follow=(3, 1500))}}

    def test_register_by_address(self):
        c = self.server.client(source=fresh_source())
        prefix = f"reg_{h.rand_suffix(8)}"
        refused = self.exhaust_then_refill(
            lambda i: c.request("POST", "/douyin/user/register/", form={"username": f"{prefix}_{i}", "password": "pw123456"}),
            3, "Too many sign-ups")
        # The refused sign-up created nobody: its name is still free.
        time.sleep(2)
        d = c.api("POST", "/douyin/user/register/", form={"username": f"{prefix}_{refused}", "password": "pw123456"})
        self.assertEqual(d["status_code"], 0, d)

    def test_login_by_address(self):
        user = self.new_user("login")
        c = self.server.client(source="127.0.0.13")
        self.exhaust_then_refill(
            lambda i: c.request("POST", "/douyin/user/login/", form={"username": user.name, "password": user.password}),
            3, "Too many sign-in attempts")

    def test_actions_by_user(self):
        author = self.new_user("author")
        video = self.publish_get_id(author)
        for limit, what, attempt in [
            ("comment", "Too many comments",
             lambda c, t, i: self.post(c, "/douyin/comment/action/", t, video_id=video, action_type=1,
                                       comment_text=f"c{i}")),
            ("message", "Too many messages",
             lambda c, t, i: self.post(c, "/douyin/message/action/", t, to_user_id=author.id, action_type=1,
                                       content=f"m{i}")),
            ("like", "Too many likes",
             lambda c, t, i: self.post(c, "/douyin/favorite/action/", t, video_id=video, action_type=1 + i % 2)),
            ("follow", "Too many follows",
             lambda c, t, i: self.post(c, "/douyin/relation/action/", t, to_user_id=author.id, action_type=1 + i % 2)),
        ]:
            with self.subTest(limit=limit):
                c = self.server.client(source=fresh_source())
                user = self.new_user(limit)
                self.exhaust_then_refill(lambda i: attempt(c, user.token, i), 3, what)
                # The limit is the user's, wherever they are; another user is not affected.
                self.assertLimited(attempt(self.server.client(source="127.0.0.16"), user.token, 9), what)
                self.assertAllowed(attempt(c, self.new_user(limit).token, 0))

    def test_refused_comment_is_not_written(self):
        author = self.new_user("author")
        video = self.publish_get_id(author)
        c = self.server.client(source="127.0.0.17")
        for i in range(3):
            c.comment_add(author.token, video, f"ok {i}")
        r = self.post(c, "/douyin/comment/action/", author.token, video_id=video, action_type=1, comment_text="over")
        self.assertLimited(r, "Too many comments")
        texts = [x["content"] for x in c.comment_list(video)]
        self.assertNotIn("over", texts)
        self.assertEqual(len(texts), 3)

    def test_publish_by_user(self):
        c = self.server.client(source="127.0.0.18")
        user = self.new_user("pub")
        data = h.read_bytes(h.tiny_video())

        def attempt(i):
            return c.request("POST", "/douyin/publish/action/", bearer=user.token,
                             multipart=({"title": f"v{i}"}, [("data", "v.mp4", "video/mp4", data)]))
        for i in range(2):
            self.assertAllowed(attempt(i))
        self.assertLimited(attempt(2), "Too many uploads")
        # The Douyin app puts its token in the multipart body, known only once the body is read:
        # still limited, before any probing or writing.
        r = c.request("POST", "/douyin/publish/action/",
                      multipart=({"token": user.token, "title": "in body"}, [("data", "v.mp4", "video/mp4", data)]))
        self.assertLimited(r, "Too many uploads")
        titles = [v["title"] for v in c.publish_list(user.id, token=user.token)]
        self.assertEqual(sorted(titles), ["v0", "v1"])

    def test_upload_over_the_limit_is_refused_before_its_body(self):
        c = self.server.client(source="127.0.0.19")
        user = self.new_user("pub")
        data = h.read_bytes(h.tiny_video())
        for i in range(2):
            self.assertAllowed(c.request("POST", "/douyin/publish/action/", bearer=user.token,
                                         multipart=({"title": f"v{i}"}, [("data", "v.mp4", "video/mp4", data)])))
        # Announce 150 MB and send none of it: the answer comes at once, and the connection closes.
        head = (f"POST /douyin/publish/action/ HTTP/1.1\r\nHost: {self.server.host}\r\n"
                f"Authorization: Bearer {user.token}\r\n"
                "Content-Type: multipart/form-data; boundary=XyZ\r\n"
                f"Content-Length: {150 << 20}\r\n\r\n").encode()
        started = time.monotonic()
        answer = h.raw_request(self.server.host, self.server.port, head, timeout=5)
        self.assertLess(time.monotonic() - started, 3.0)
        status, headers, body = h.parse_raw(answer)
        self.assertEqual(status, 429, answer[:300])
        self.assertEqual(headers.get("connection"), "close")  # the unread body is not taken for a request
        self.assertEqual(json.loads(body)["status_code"], EXHAUSTED)


    def test_a_client_still_sending_its_upload_gets_the_refusal(self):
        """A browser sends the whole body without waiting for an answer: the server reads and drops
        the rest for a moment before it closes, so the client is not reset before it reads the 429."""
        user = self.new_user("pub")
        data = h.read_bytes(h.tiny_video())
        c = self.server.client()
        for i in range(2):
            self.assertAllowed(c.request("POST", "/douyin/publish/action/", bearer=user.token,
                                         multipart=({"title": f"v{i}"}, [("data", "v.mp4", "video/mp4", data)])))
        body = b"x" * (8 << 20)
        head = (f"POST /douyin/publish/action/ HTTP/1.1\r\nHost: {self.server.host}\r\n"
                f"Authorization: Bearer {user.token}\r\n"
                "Content-Type: multipart/form-data; boundary=XyZ\r\n"
                f"Content-Length: {len(body)}\r\n\r\n").encode()
        for attempt in range(5):
            s = socket.create_connection((self.server.host, self.server.port), timeout=10)
            sender = threading.Thread(target=lambda: self._send_quietly(s, head + body), daemon=True)
            sender.start()
            time.sleep(0.2)  # the body is on its way when the answer comes
            answer = b""
            try:
                while True:
                    chunk = s.recv(65536)
                    if not chunk:
                        break
                    answer += chunk
            except ConnectionResetError as error:
                self.fail(f"attempt {attempt}: the connection was reset after {len(answer)} bytes: {error}")
            finally:
                s.close()
                sender.join(10)
            status, headers, reply = h.parse_raw(answer)
            self.assertEqual(status, 429, answer[:200])
            self.assertEqual(json.loads(reply)["status_code"], EXHAUSTED)

    @staticmethod
    def _send_quietly(sock, data):
        try:
            sock.sendall(data)
        except OSError:
            pass  # the server stopped reading: expected


class ReadsWhenConfigured(LimitCase):
    server_kwargs = {"rate_limits": "default", "config": {"rate_limits": limits(reads=(5, 1500))}}

    def test_reads_by_address(self):
        c = self.server.client(source="127.0.0.20")
        self.exhaust_then_refill(lambda i: c.request("GET", "/douyin/feed/"), 5, "Too many requests")
        # The browser client's files are not API reads.
        for _ in range(8):
            self.assertEqual(c.request("GET", "/").status, 200)
        # Another address has its own bucket.
        self.assertAllowed(self.server.client(source="127.0.0.21").request("GET", "/douyin/feed/"))


class AddressesAndProxies(LimitCase):
    server_kwargs = {"rate_limits": "default",
                     "config": {**FAST_HASH, "rate_limits": limits(login=(2, 60_000)),
                                "trusted_proxies": ["127.0.0.50/32"]}}

    def login(self, source, forwarded_for=None) -> h.Response:
        headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else None
        return self.server.client(source=source).request(
            "POST", "/douyin/user/login/", form={"username": "nobody_" + h.rand_suffix(6), "password": "x"},
            headers=headers)

    def test_two_addresses_are_independent(self):
        for _ in range(2):
            self.assertAllowed(self.login("127.0.0.31"))
        self.assertLimited(self.login("127.0.0.31"), "Too many sign-in attempts")
        self.assertAllowed(self.login("127.0.0.32"))

    def test_forwarded_for_from_an_untrusted_peer_is_ignored(self):
        for i in range(2):
            self.assertAllowed(self.login("127.0.0.33", forwarded_for=f"198.51.100.{i}"))
        # A fresh X-Forwarded-For does not buy a fresh bucket.
        self.assertLimited(self.login("127.0.0.33", forwarded_for="198.51.100.99"), "Too many sign-in attempts")

    def test_trusted_proxy_forwards_each_clients_address(self):
        proxy = "127.0.0.50"
        for _ in range(2):
            self.assertAllowed(self.login(proxy, forwarded_for="6.6.6.6, 203.0.113.1"))
        # What the client wrote on the left is not believed: the right-most untrusted hop is the client.
        self.assertLimited(self.login(proxy, forwarded_for="7.7.7.7, 203.0.113.1"), "Too many sign-in attempts")
        self.assertAllowed(self.login(proxy, forwarded_for="203.0.113.2"))


    def test_refusals_in_a_row_on_one_connection_are_slowed(self):
        source = fresh_source()
        for _ in range(2):
            self.assertAllowed(self.login(source))
        conn = http.client.HTTPConnection(self.server.host, self.server.port, timeout=10, source_address=(source, 0))
        try:
            timings = []
            for _ in range(3):
                started = time.monotonic()
                conn.request("POST", "/douyin/user/login/", body="username=x&password=y",
                             headers={"Content-Type": "application/x-www-form-urlencoded"})
                r = conn.getresponse()
                r.read()
                timings.append(time.monotonic() - started)
                self.assertEqual(r.status, 429)
        finally:
            conn.close()
        # The first refusal is answered at once; each next one on the same connection after a pause,
        # so a client hammering a limit through keep-alive costs the server little.
        self.assertLess(timings[0], 0.5, timings)
        self.assertGreaterEqual(timings[1], 0.9, timings)
        self.assertGreaterEqual(timings[2], 0.9, timings)
        # A new connection's first refusal is answered at once again.
        started = time.monotonic()
        self.assertLimited(self.login(source), "Too many sign-in attempts")
        self.assertLess(time.monotonic() - started, 0.5)


class LoginBruteForce(LimitCase):
    server_kwargs = {"rate_limits": "default",
                     "config": {**FAST_HASH, "rate_limits": limits(login=(100, 1000), login_failures=(3, 60_000))}}

    def test_guessing_one_account_is_stopped_and_its_owner_still_signs_in(self):
        owner_client = self.server.client(source="127.0.0.41")
        owner = self.new_user("victim")
        attacker = self.server.client(source="127.0.0.42")
        for i in range(3):
            d = attacker.api("POST", "/douyin/user/login/", form={"username": owner.name, "password": f"guess{i}"})
            self.assertEqual(d["status_code"], 10002, d)
        # Refused now, even with the right password: the pair waits for its refill.
        r = attacker.request("POST", "/douyin/user/login/", form={"username": owner.name, "password": owner.password})
        self.assertIn(self.assertLimited(r, "Too many failed sign-ins"), (59, 60))
        self.assertEqual(r.json()["token"], "")
        # The owner, from another address, is not locked out.
        d = owner_client.login(owner.name, owner.password)
        self.assertEqual(d["user_id"], owner.id)
        # The attacker's address can still sign in to its own account.
        mine = attacker.new_user("attacker")
        self.assertEqual(attacker.login(mine.name, mine.password)["user_id"], mine.id)

    def test_successful_sign_ins_do_not_count_as_failures(self):
        c = self.server.client(source="127.0.0.43")
        user = self.new_user("regular")
        for _ in range(6):
            self.assertEqual(c.login(user.name, user.password)["user_id"], user.id)


class DefaultLimits(LimitCase):
    """The binary's own defaults (README table) are in force when the config says nothing."""
    server_kwargs = {"rate_limits": "default", "config": FAST_HASH}

    def test_comments_default_to_60_then_one_per_second(self):
        author = self.new_user("author")
        video = self.publish_get_id(author)
        c = self.server.client(source=fresh_source())
        self.exhaust_then_refill(
            lambda i: self.post(c, "/douyin/comment/action/", author.token, video_id=video, action_type=1,
                                comment_text=f"c{i}"), 60, "Too many comments", refill_ms=1000)

    def test_reads_are_not_limited_by_default(self):
        c = self.server.client(source="127.0.0.62")
        for _ in range(400):
            self.assertEqual(c.request("GET", "/douyin/feed/").status, 200)


class Redis:
    """A real redis-server (Debian's) on a loopback port, in a temporary folder."""

    def __init__(self):
        self.binary = shutil.which("redis-server") or "/usr/bin/redis-server"
        self.dir = tempfile.mkdtemp(prefix="minitok-redis-")
        self.port = h.free_port()
        self.proc = None

    def start(self):
        self.proc = subprocess.Popen([self.binary, "--bind", "127.0.0.1", "--port", str(self.port), "--dir", self.dir,
                                      "--save", "", "--appendonly", "no", "--logfile",
                                      os.path.join(self.dir, "redis.log")],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as s:
                    s.sendall(b"PING\r\n")
                    if s.recv(64).startswith(b"+PONG"):
                        return
            except OSError:
                time.sleep(0.05)
        raise AssertionError("redis-server did not start")

    def stop(self):
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait()
            self.proc = None

    def cleanup(self):
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


class SharedThroughRedis(LimitCase):
    """Two gateways (two processes, each with its own data folder) on one Redis."""

    @classmethod
    def setUpClass(cls):
        if not os.path.exists(shutil.which("redis-server") or "/usr/bin/redis-server"):
            raise AssertionError("redis-server is missing: run scripts/setup.sh")
        cls.redis = Redis()
        cls.addClassCleanup(cls.redis.cleanup)
        cls.redis.start()
        config = {**FAST_HASH, "jwt_secret": "s" * 40, "rate_limits": limits(register=(3, 60_000))}
        cls.gateways = []
        for _ in range(2):
            server = h.Server(config=config, rate_limits="default",
                              extra_args=["--redis", f"redis://127.0.0.1:{cls.redis.port}"])
            cls.addClassCleanup(server.cleanup)
            server.start()
            cls.gateways.append(server)

    @classmethod
    def tearDownClass(cls):
        for server in cls.gateways:
            server.stop()

    def register(self, gateway, source) -> h.Response:
        return gateway.client(source=source).request(
            "POST", "/douyin/user/register/", form={"username": "r_" + h.rand_suffix(10), "password": "pw123456"})

    def wait_for_log(self, server, text, timeout=10.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if text in server.stderr_text():
                return
            time.sleep(0.05)
        self.fail(f"{text!r} not logged within {timeout}s:\n{server.stderr_text()[-2000:]}")

    def test_1_a_limit_holds_across_both_gateways(self):
        a, b = self.gateways
        for server in (a, b):
            self.wait_for_log(server, "buckets shared through Redis")
        self.assertAllowed(self.register(a, "127.0.0.71"))
        self.assertAllowed(self.register(b, "127.0.0.71"))
        self.assertAllowed(self.register(a, "127.0.0.71"))
        self.assertLimited(self.register(b, "127.0.0.71"), "Too many sign-ups")
        self.assertLimited(self.register(a, "127.0.0.71"), "Too many sign-ups")
        self.assertAllowed(self.register(b, "127.0.0.72"))

    def test_2_redis_down_each_gateway_limits_on_its_own_then_shares_again(self):
        a, b = self.gateways
        self.redis.stop()
        # Neither refusing everything nor allowing everything: each gateway's own buckets decide.
        for _ in range(3):
            self.assertAllowed(self.register(a, "127.0.0.73"))
        self.assertLimited(self.register(a, "127.0.0.73"), "Too many sign-ups")
        self.assertAllowed(self.register(b, "127.0.0.73"))
        self.wait_for_log(a, "this gateway's own buckets decide")
        # Reads never depended on Redis.
        self.assertEqual(a.client().request("GET", "/douyin/feed/").status, 200)

        self.redis.start()
        for server in (a, b):
            deadline = time.monotonic() + 10
            while server.stderr_text().count("buckets shared through Redis") < 2 and time.monotonic() < deadline:
                time.sleep(0.05)
            self.assertGreaterEqual(server.stderr_text().count("buckets shared through Redis"), 2,
                                    server.stderr_text()[-2000:])
        # The outage is counted: a's four checks were decided by its own buckets.
        self.assertRegex(a.stderr_text(), r"\(\d+ checks decided locally while it was unreachable\)")
        # Shared again: a fresh Redis, so a fresh bucket, drawn on by both.
        for gateway in (a, b, a):
            self.assertAllowed(self.register(gateway, "127.0.0.74"))
        self.assertLimited(self.register(b, "127.0.0.74"), "Too many sign-ups")


if __name__ == "__main__":
    h.main()
