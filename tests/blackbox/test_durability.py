"""Writes acknowledged to a client survive a SIGKILL of the server mid-load (WAL with
synchronous=NORMAL; commits grouped across concurrent requests): after the kill every acknowledged
like, comment and follow is in the database, nothing half-written is, `minitok verify` finds every
counter exact, and the restarted server (whose caches start empty) answers the same counts."""
import os
import shutil
import sqlite3
import tempfile
import threading
import time
import unittest

import harness as h

USERS = 60
VIDEOS = 120
WRITERS = 12


class DurabilityTests(unittest.TestCase):
    def setUp(self):
        self.root = tempfile.mkdtemp(prefix="minitok-bb-durability-")
        self.addCleanup(shutil.rmtree, self.root, True)
        self.data = os.path.join(self.root, "data")
        tokens = os.path.join(self.root, "tokens.tsv")
        seeded = h.run_cli("seed", "--data-dir", self.data, "--users", str(USERS), "--videos", str(VIDEOS),
                     "--likes", "10", "--comments", "10", "--follows", "10", "--messages", "0",
                     "--tokens", str(WRITERS), "--tokens-out", tokens)
        self.assertEqual(seeded.returncode, 0, seeded.stderr + seeded.stdout)
        with open(tokens) as f:
            self.writers = [(int(uid), token) for uid, token in (line.rstrip("\n").split("\t") for line in f)]

    def db(self, name):
        return sqlite3.connect(os.path.join(self.data, "db", f"{name}.db"))

    def test_acknowledged_writes_survive_sigkill(self):
        server = h.Server(data_dir=self.data).start()
        acked = {"like": [], "comment": [], "follow": []}
        lock = threading.Lock()
        stop = threading.Event()

        def write(user_id, token):
            c = server.client()
            c.timeout = 5
            step = 0
            while not stop.is_set():
                step += 1
                video = (user_id * 7 + step) % VIDEOS + 1
                kind = ("like", "comment", "follow")[step % 3]
                try:
                    if kind == "like":
                        d = c.favorite(token, video, expect=None)
                        key = (user_id, video)
                    elif kind == "comment":
                        d = c.comment_add(token, video, f"c{user_id}-{step}", expect=None)
                        key = d.get("comment", {}).get("id")
                    else:
                        target = (user_id + step) % USERS + 1
                        if target == user_id:
                            continue
                        d = c.follow(token, target, expect=None)
                        key = (user_id, target)
                except Exception:  # noqa: BLE001 - the server was killed under us
                    return
                if d.get("status_code") == 0:
                    with lock:
                        acked[kind].append(key)

        threads = [threading.Thread(target=write, args=w) for w in self.writers]
        for t in threads:
            t.start()
        time.sleep(2.0)
        server.kill()  # SIGKILL while requests are in flight
        stop.set()
        for t in threads:
            t.join(30)
        self.assertGreater(len(acked["like"]), 50, "the load ran")
        self.assertGreater(len(acked["comment"]), 50)
        self.assertGreater(len(acked["follow"]), 50)

        verified = h.run_cli("verify", "--data-dir", self.data)
        self.assertEqual(verified.returncode, 0, verified.stdout + verified.stderr)
        self.assertEqual(verified.stdout.count(": exact (0 wrong)"), 4, verified.stdout)

        likes = self.db("favorite")
        for user_id, video in acked["like"]:
            self.assertEqual(likes.execute("SELECT COUNT(*) FROM likes WHERE user_id = ? AND video_id = ?",
                                           (user_id, video)).fetchone()[0], 1, f"like {user_id}->{video} lost")
        likes.close()
        comments = self.db("comment")
        for comment_id in acked["comment"]:
            self.assertEqual(comments.execute("SELECT COUNT(*) FROM comments WHERE id = ?",
                                              (comment_id,)).fetchone()[0], 1, f"comment {comment_id} lost")
        comments.close()
        follows = self.db("relation")
        for follower, followee in acked["follow"]:
            self.assertEqual(follows.execute("SELECT COUNT(*) FROM follows WHERE follower_id = ? AND followee_id = ?",
                                             (follower, followee)).fetchone()[0], 1,
                             f"follow {follower}->{followee} lost")
        follows.close()

        restarted = h.Server(data_dir=self.data).start()
        try:
            c = restarted.client()
            likes = self.db("favorite")
            for v in c.feed()["video_list"][:10]:
                count = likes.execute("SELECT COUNT(*) FROM likes WHERE video_id = ?", (v["id"],)).fetchone()[0]
                self.assertEqual(v["favorite_count"], count, f"video {v['id']}")
            likes.close()
            user_id, token = self.writers[0]
            liked = {v for u, v in acked["like"] if u == user_id}
            feed = c.feed(token=token)["video_list"]
            for v in feed:
                if v["id"] in liked:
                    self.assertTrue(v["is_favorite"], f"video {v['id']} is liked by {user_id}")
        finally:
            restarted.stop()
            restarted.cleanup()


if __name__ == "__main__":
    unittest.main()
