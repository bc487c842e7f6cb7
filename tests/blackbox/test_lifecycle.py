"""Process lifecycle: restart on the same data folder keeps everything (tokens too), schema newer than the
binary refuses to start, SIGTERM/SIGINT exit 0 after finishing in-flight requests, config errors,
log hygiene (one JSON object per request line, never a token or password)."""

import json
import os
import shutil
import signal
import sqlite3
import tempfile
import time
import unittest

import harness as h
from harness import OK

SERVICES = ("user", "video", "favorite", "comment", "relation", "message")


def snapshot(c: h.Client, a: h.TestUser, b: h.TestUser, vid: int) -> dict:
    """Everything a client can see about A, B and the video, minus URLs (they carry the port)."""
    def strip(o):
        if isinstance(o, dict):
            return {k: strip(v) for k, v in o.items() if k not in ("_desc", "avatar", "background_image",
                                                                    "play_url", "cover_url", "status_msg")}
        if isinstance(o, list):
            return [strip(x) for x in o]
        return o
    return strip({
        "ua": c.user_info(token=a.token)["user"],
        "ub": c.user_info(token=b.token, user_id=a.id)["user"],
        "feed_a": c.feed(token=a.token)["video_list"],
        "feed_b": c.feed(token=b.token)["video_list"],
        "pub": c.publish_list(a.id, token=b.token),
        "fav": c.favorite_list(b.id, token=b.token),
        "comments": c.comment_list(vid, token=a.token),
        "follow": c.rel_list("follow", a.id, token=a.token),
        "follower": c.rel_list("follower", a.id, token=b.token),
        "friends_a": c.rel_list("friend", a.id, token=a.token),
        "friends_b": c.rel_list("friend", b.id, token=b.token),
        "chat": c.chat(a.token, b.id),
    })


class LifecycleTests(unittest.TestCase):
    def setUp(self):
        self.servers = []

    def tearDown(self):
        for s in self.servers:
            s.cleanup()

    def new_server(self, **kw) -> h.Server:
        s = h.Server(**kw)
        self.servers.append(s)
        return s

    def populate(self, c: h.Client):
        a, b = c.new_user("life_a"), c.new_user("life_b")
        vid = c.publish_ready(a.token, "persisted", path=h.sample_video())["id"]
        c.favorite(b.token, vid, 1)
        c.comment_add(b.token, vid, "持久化 comment")
        c.comment_add(a.token, vid, "reply")
        c.follow(a.token, b.id, 1)
        c.follow(b.token, a.id, 1)
        c.send(a.token, b.id, "before restart 1")
        c.send(b.token, a.id, "before restart 2")
        return a, b, vid

    def test_restart_keeps_everything(self):
        s = self.new_server()
        s.start()
        c = s.client()
        a, b, vid = self.populate(c)
        before = snapshot(c, a, b, vid)
        self.assertEqual(before["ua"]["work_count"], 1)
        self.assertEqual(before["ua"]["total_favorited"], 1)
        self.assertEqual(len(before["comments"]), 2)
        self.assertEqual(len(before["chat"]), 2)
        s.stop()
        # data folder layout
        for svc in SERVICES:
            p = os.path.join(s.data_dir, "db", f"{svc}.db")
            self.assertTrue(os.path.isfile(p), p)
            with sqlite3.connect(p) as db:
                self.assertGreaterEqual(db.execute("PRAGMA user_version").fetchone()[0], 1, p)
                self.assertEqual(db.execute("PRAGMA journal_mode").fetchone()[0].lower(), "wal", p)
        self.assertTrue(os.path.isfile(os.path.join(s.data_dir, "jwt-secret")))
        self.assertTrue(os.path.isdir(os.path.join(s.data_dir, "media")))
        s.start()
        c = s.client()
        after = snapshot(c, a, b, vid)  # old tokens still work
        self.assertEqual(after, before)
        # media URLs still served
        v = c.publish_list(a.id)[0]
        self.assertEqual(c.fetch_url(v["play_url"]).status, 200)
        self.assertEqual(c.fetch_url(v["cover_url"]).status, 200)
        # login still works and ids continue
        self.assertEqual(c.login(a.name, a.password)["user_id"], a.id)
        d = c.new_user("life_c")
        self.assertEqual(d.id, b.id + 1)
        self.assertEqual(c.publish_ready(d.token, "after restart")["id"], vid + 1)
        self.assertEqual(c.publish_list(d.id)[0]["id"], vid + 1)
        # chat times keep increasing across the restart
        c.send(a.token, b.id, "after restart")
        chat = c.chat(b.token, a.id)
        self.assertEqual([m["content"] for m in chat], ["before restart 1", "before restart 2", "after restart"])
        self.assertLess(chat[1]["create_time"], chat[2]["create_time"])
        self.assertEqual(chat[2]["id"], chat[1]["id"] + 1)
        # feed: newest first across the restart
        self.assertEqual([x["title"] for x in c.feed()["video_list"]], ["after restart", "persisted"])
        s.stop()
        self.check_logs(s, [a, b, d])

    def check_logs(self, s: h.Server, users):
        log = s.all_stderr_text()
        problems = []
        for u in users:
            if u.token in log or u.token.split(".")[-1] in log:
                problems.append(f"a token of {u.name} appears in the server log")
            if u.password in log:
                problems.append(f"the password of {u.name} appears in the server log")
        ids = []
        missing = {}
        for line in log.splitlines():
            if "/douyin/" not in line and "healthz" not in line:
                continue
            try:
                obj = json.loads(line)
            except ValueError:
                problems.append(f"request log line is not one JSON object: {line[:200]!r}")
                continue
            if not isinstance(obj, dict):
                problems.append(f"request log line is not a JSON object: {line[:200]!r}")
                continue
            for k in ("request_id", "method", "route", "status", "latency_ms"):
                if k not in obj:
                    missing.setdefault(k, line[:200])
            ids.append(obj.get("request_id"))
        for k, line in missing.items():
            problems.append(f"request log lines lack {k!r}, e.g. {line}")
        if len(ids) <= 20:
            problems.append(f"expected one log line per API request, found {len(ids)}")
        if len(ids) != len(set(map(str, ids))):
            problems.append("request ids are not unique")
        self.assertEqual(problems, [])

    @h.embedded_only("a refused start of the one process")
    def test_schema_newer_refuses_to_start(self):
        s = self.new_server()
        s.start()
        s.client().new_user("schema")
        s.stop()
        for svc in ("user", "message"):
            p = os.path.join(s.data_dir, "db", f"{svc}.db")
            with sqlite3.connect(p) as db:
                old = db.execute("PRAGMA user_version").fetchone()[0]
                db.execute("PRAGMA user_version=9999")
            rc, err = s.start_expect_failure()
            self.assertNotEqual(rc, 0, f"{svc}.db user_version=9999: server must refuse to start")
            self.assertIn("newer", err.lower(), f"stderr must say the schema is newer: {err[-500:]!r}")
            with sqlite3.connect(p) as db:
                self.assertEqual(db.execute("PRAGMA user_version").fetchone()[0], 9999, "db must not be touched")
                db.execute(f"PRAGMA user_version={old}")
        # restored: starts again, data intact
        s.start()
        s.stop()

    @h.embedded_only("a failed start of the one process")
    def test_failed_start_leaves_no_new_data_folder(self):
        # A port in use: exit 1 with a message, and the disk as it was: an absent folder (and the
        # absent folders above it) stays absent, an empty one stays empty, one with data keeps it.
        with h.socket.socket() as taken:
            taken.bind(("127.0.0.1", 0))
            taken.listen()
            busy = ["--listen", f"127.0.0.1:{taken.getsockname()[1]}"]
            parent = tempfile.mkdtemp(prefix="minitok-bb-undo-")
            try:
                absent = os.path.join(parent, "new", "deeper", "data")
                empty = os.path.join(parent, "empty")
                os.mkdir(empty)
                for folder in (absent, empty):
                    rc, err = self.new_server(data_dir=folder, extra_args=busy).start_expect_failure()
                    self.assertNotEqual(rc, 0, folder)
                    self.assertIn("127.0.0.1", err, f"the refusal must name the address: {err[-500:]!r}")
                self.assertEqual(sorted(os.listdir(parent)), ["empty"], "a failed start left folders behind")
                self.assertEqual(os.listdir(empty), [], "a failed start left files in an empty folder")
                used = self.new_server(data_dir=os.path.join(parent, "used"))
                used.start()
                kept = used.client().new_user("kept")
                used.stop()
                before = sorted(os.listdir(os.path.join(parent, "used", "db")))
                rc, _ = self.new_server(data_dir=os.path.join(parent, "used"), extra_args=busy).start_expect_failure()
                self.assertNotEqual(rc, 0)
                self.assertEqual(sorted(os.listdir(os.path.join(parent, "used", "db"))), before)
                used.start()
                used.client().login(kept.name, kept.password)
                used.stop()
            finally:
                shutil.rmtree(parent, ignore_errors=True)

    @h.embedded_only("split processes share a folder, one per database (test_split.py)")
    def test_one_data_folder_belongs_to_one_process(self):
        # While a server works on a folder, a second server, seed and verify on it are refused with a
        # message and change nothing; the first server goes on serving, and the folder is free after it.
        s = self.new_server()
        s.start()
        c = s.client()
        u = c.new_user("owner")
        before = sorted(os.listdir(os.path.join(s.data_dir, "db")))
        rc, err = self.new_server(data_dir=s.data_dir).start_expect_failure()
        self.assertNotEqual(rc, 0)
        self.assertIn("in use by another minitok process", err)
        for command in (["seed", "--data-dir", s.data_dir, "--users", "2", "--videos", "1"],
                        ["verify", "--data-dir", s.data_dir]):
            res = h.run_cli(*command)
            self.assertNotEqual(res.returncode, 0, command)
            self.assertIn("in use by another minitok process", res.stderr, command)
        self.assertEqual(sorted(os.listdir(os.path.join(s.data_dir, "db"))), before)
        c.login(u.name, u.password)
        s.stop()
        self.assertEqual(h.run_cli("verify", "--data-dir", s.data_dir).returncode, 0)

    def test_sigint_exits_zero(self):
        s = self.new_server()
        s.start()
        self.assertEqual(s.client().feed()["status_code"], OK)
        s.stop(sig=signal.SIGINT)

    def test_sigterm_finishes_in_flight_request(self):
        s = self.new_server()
        s.start()
        c = s.client()
        u = c.new_user("inflight")
        body = h.urlencode({"username": u.name, "password": u.password}).encode()
        head = (f"POST /douyin/user/login/ HTTP/1.1\r\nHost: {c.host}:{c.port}\r\n"
                f"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {len(body)}\r\n"
                f"Connection: close\r\n\r\n").encode()
        sock = h.socket.create_connection((c.host, c.port), timeout=10)
        try:
            sock.sendall(head + body[:5])
            time.sleep(0.3)
            s.proc.send_signal(signal.SIGTERM)
            time.sleep(0.3)
            sock.sendall(body[5:])
            buf = b""
            while not h._complete_response(buf):
                chunk = sock.recv(65536)
                if not chunk:
                    break
                buf += chunk
        finally:
            sock.close()
        d = h.raw_json(buf)
        self.assertEqual(d["status_code"], OK, d)
        self.assertEqual(d["user_id"], u.id)
        self.assertEqual(s.wait_exit(), 0, "exit code after SIGTERM")

    def test_gateways_with_one_secret_accept_each_others_tokens(self):
        secret = "s3cr3t-" + "x" * 40
        secret_file = os.path.join(tempfile.mkdtemp(prefix="minitok-secret-"), "jwt")
        self.addCleanup(shutil.rmtree, os.path.dirname(secret_file), True)
        with open(secret_file, "w") as f:
            f.write(secret + "\n")
        # Different data folders, the same secret: from the environment, and from a file.
        by_env = self.new_server(env={"MINITOK_JWT_SECRET": secret}).start()
        by_file = self.new_server(config={"jwt_secret_file": secret_file}).start()
        for signer, checker in ((by_env, by_file), (by_file, by_env)):
            u = signer.client().new_user("shared")
            d = checker.client().api("GET", "/douyin/user/", query={"token": u.token, "user_id": 1})
            self.assertNotEqual(d["status_code"], h.UNAUTH, "a token of the same secret is good on both")
        generated = self.new_server().start()
        stranger = generated.client().new_user("own")
        d = by_env.client().api("GET", "/douyin/user/", query={"token": stranger.token, "user_id": 1})
        self.assertEqual(d["status_code"], h.UNAUTH, "a token of another secret is not")
        self.assertEqual(os.stat(os.path.join(generated.data_dir, "jwt-secret")).st_mode & 0o777, 0o600)
        for s in (by_env, by_file, generated):
            s.stop()
        rc, err = self.new_server(env={"MINITOK_JWT_SECRET": "short"}).start_expect_failure()
        self.assertEqual(rc, 1)
        self.assertIn("MINITOK_JWT_SECRET must be at least 32 characters", err)

    @h.embedded_only("config errors stop the one process before it serves")
    def test_config_errors(self):
        for cfg in ('{"no_such_key": 1}', '{"token_ttl_seconds": "long"}', '{"max_body_bytes": true}',
                    '{not json', '[]'):
            s = self.new_server(config=cfg)
            rc, err = s.start_expect_failure()
            self.assertNotEqual(rc, 0, f"config {cfg} must be refused")
            self.assertTrue(err.strip(), f"config {cfg}: refusal needs a message on stderr")
        # a valid config with every documented key type is accepted
        s = self.new_server(config={"time_zone": "UTC", "token_ttl_seconds": 60, "max_body_bytes": 1 << 20,
                                    "max_upload_bytes": 1 << 24, "max_header_bytes": 16384, "demo_content": False})
        s.start()
        self.assertEqual(s.client().feed()["status_code"], OK)
        s.stop()

    def test_default_demo_content_is_valid(self):
        s = self.new_server(no_demo=False)
        s.start()
        c = s.client()
        d = c.feed()  # validated structurally by the harness
        for v in d["video_list"][:3]:
            self.assertEqual(c.fetch_url(v["play_url"]).status, 200, v["play_url"])
            self.assertEqual(c.fetch_url(v["cover_url"]).status, 200, v["cover_url"])
        s.stop()


if __name__ == "__main__":
    h.main()
