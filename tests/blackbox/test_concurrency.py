"""Counters stay exact under concurrency (likes, follows, comments, repeated toggles, same-name register)."""

import random
import threading

import harness as h
from harness import OK, EXISTS, EXHAUSTED

N = 30


def run_parallel(fns):
    """Run callables at the same moment (barrier); return (results, exceptions)."""
    barrier = threading.Barrier(len(fns))
    results = [None] * len(fns)
    errors = []

    def wrap(i, fn):
        try:
            barrier.wait(timeout=30)
            results[i] = fn()
        except Exception as e:  # noqa: BLE001
            errors.append(e)

    ts = [threading.Thread(target=wrap, args=(i, f)) for i, f in enumerate(fns)]
    for t in ts:
        t.start()
    for t in ts:
        t.join(120)
    return results, errors


class ConcurrencyTests(h.ServerCase):
    server_kwargs = {"config": {"transcode_max_short_side": 64}}  # small transcodes: faster "ready"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # registration is serial: password hashing has a bounded queue
        cls.users = [cls.c.new_user(f"cc{i}") for i in range(N)]

    def test_concurrent_likes_distinct_users(self):
        author = self.c.new_user("cauthor")
        vid = self.publish_get_id(author, "popular")
        res, errs = run_parallel([lambda u=u: self.c.favorite(u.token, vid, 1) for u in self.users])
        self.assertEqual(errs, [])
        self.assertTrue(all(r["status_code"] == OK for r in res))
        v = self.video_in_publish_list(author.id, vid)
        self.assertEqual(v["favorite_count"], N)
        self.assertEqual(self.c.user(author.id)["total_favorited"], N)
        for u in self.users[:5]:
            self.assertTrue(self.video_in_feed(vid, u.token)["is_favorite"])
        # and all of them unlike concurrently, twice each
        res, errs = run_parallel([lambda u=u: self.c.favorite(u.token, vid, 2) for u in self.users * 2])
        self.assertEqual(errs, [])
        self.assertTrue(all(r["status_code"] == OK for r in res))
        self.assertEqual(self.video_in_publish_list(author.id, vid)["favorite_count"], 0)
        self.assertEqual(self.c.user(author.id)["total_favorited"], 0)

    def test_concurrent_follows_distinct_users(self):
        target = self.c.new_user("star")
        res, errs = run_parallel([lambda u=u: self.c.follow(u.token, target.id, 1) for u in self.users])
        self.assertEqual(errs, [])
        self.assertTrue(all(r["status_code"] == OK for r in res))
        self.assertEqual(self.c.user(target.id)["follower_count"], N)
        followers = self.c.rel_list("follower", target.id, token=target.token)
        self.assertEqual(sorted(u["id"] for u in followers), sorted(u.id for u in self.users))
        for u in self.users[:3]:
            self.assertEqual(self.c.user(u.id)["follow_count"] >= 1, True)
            self.assertTrue(self.c.user(target.id, token=u.token)["is_follow"])
        # target follows everybody back concurrently -> N friends
        res, errs = run_parallel([lambda u=u: self.c.follow(target.token, u.id, 1) for u in self.users])
        self.assertEqual(errs, [])
        self.assertEqual(self.c.user(target.id)["follow_count"], N)
        self.assertEqual(len(self.c.rel_list("friend", target.id, token=target.token)), N)

    def test_same_user_toggle_like(self):
        author = self.c.new_user("tauthor")
        vid = self.publish_get_id(author, "toggled")
        u = self.c.new_user("toggler")
        actions = [1, 2] * 15
        random.shuffle(actions)
        res, errs = run_parallel([lambda a=a: self.c.favorite(u.token, vid, a) for a in actions])
        self.assertEqual(errs, [])
        self.assertTrue(all(r["status_code"] == OK for r in res), [r["status_code"] for r in res])
        v = self.video_in_publish_list(author.id, vid, token=u.token)
        liked = v["is_favorite"]
        self.assertEqual(v["favorite_count"], 1 if liked else 0)
        self.assertEqual(self.c.user(u.id)["favorite_count"], 1 if liked else 0)
        self.assertEqual(self.c.user(author.id)["total_favorited"], 1 if liked else 0)
        self.assertEqual(len(self.c.favorite_list(u.id)), 1 if liked else 0)
        # settle: like -> exactly 1, unlike -> exactly 0
        self.c.favorite(u.token, vid, 1)
        self.assertEqual(self.video_in_publish_list(author.id, vid)["favorite_count"], 1)
        self.c.favorite(u.token, vid, 2)
        self.assertEqual(self.video_in_publish_list(author.id, vid)["favorite_count"], 0)
        self.assertEqual(self.c.user(author.id)["total_favorited"], 0)

    def test_same_user_toggle_follow(self):
        a, b = self.c.new_user("tfa"), self.c.new_user("tfb")
        actions = [1, 2] * 15
        random.shuffle(actions)
        res, errs = run_parallel([lambda x=x: self.c.follow(a.token, b.id, x) for x in actions])
        self.assertEqual(errs, [])
        self.assertTrue(all(r["status_code"] == OK for r in res))
        following = self.c.user(b.id, token=a.token)["is_follow"]
        n = 1 if following else 0
        self.assertEqual(self.c.user(a.id)["follow_count"], n)
        self.assertEqual(self.c.user(b.id)["follower_count"], n)
        self.assertEqual(len(self.c.rel_list("follow", a.id)), n)
        self.assertEqual(len(self.c.rel_list("follower", b.id)), n)

    def test_concurrent_comments(self):
        author = self.c.new_user("cmauthor")
        vid = self.publish_get_id(author, "discussed")
        res, errs = run_parallel([lambda u=u: self.c.comment_add(u.token, vid, f"hi from {u.id}")
                                  for u in self.users])
        self.assertEqual(errs, [])
        ids = [r["comment"]["id"] for r in res]
        self.assertEqual(len(set(ids)), N)
        self.assertEqual(self.video_in_publish_list(author.id, vid)["comment_count"], N)
        lst = self.c.comment_list(vid)
        self.assertEqual(sorted(c["id"] for c in lst), sorted(ids))
        # concurrent deletes by the video author, each twice
        res, errs = run_parallel([lambda i=i: self.c.comment_delete(author.token, vid, i, expect=None)
                                  for i in ids[:10] * 2])
        self.assertEqual(errs, [])
        codes = sorted(r["status_code"] for r in res)
        self.assertEqual(codes, [OK] * 10 + [h.NOT_FOUND] * 10)
        self.assertEqual(self.video_in_publish_list(author.id, vid)["comment_count"], N - 10)

    def test_concurrent_publishes_same_user(self):
        u = self.c.new_user("cpub")
        data = h.read_bytes(h.tiny_video())
        n = 8
        res, errs = run_parallel([lambda i=i: self.c.publish(u.token, f"par-{i}", data=data, expect=None)
                                  for i in range(n)])
        self.assertEqual(errs, [])
        codes = [r["status_code"] for r in res]
        self.assertTrue(all(c in (OK, EXHAUSTED) for c in codes), codes)
        ok = codes.count(OK)
        self.assertGreaterEqual(ok, 1)
        # the author sees every accepted video at once, each once
        lst = self.c.publish_list(u.id, token=u.token)
        self.assertEqual(len(lst), ok)
        self.assertEqual(sorted(v["id"] for v in lst),
                         sorted(r["video_id"] for r in res if r["status_code"] == OK))
        for r in res:
            if r["status_code"] == OK:
                self.c.wait_ready(u.token, r["video_id"])
        lst = self.c.publish_list(u.id)
        self.assertEqual(len(lst), ok)
        self.assertEqual(len({v["id"] for v in lst}), ok)
        self.assertEqual(self.c.user(u.id)["work_count"], ok)

    def test_concurrent_register_same_name(self):
        name = "same_" + h.rand_suffix(8)
        res, errs = run_parallel([lambda: self.c.register(name, "pw", expect=None) for _ in range(10)])
        self.assertEqual(errs, [])
        codes = [r["status_code"] for r in res]
        self.assertEqual(codes.count(OK), 1, codes)
        self.assertTrue(all(c in (OK, EXISTS, EXHAUSTED) for c in codes), codes)
        self.assertEqual(self.c.login(name, "pw")["user_id"], [r for r in res if r["status_code"] == OK][0]["user_id"])

    def test_parallel_readers(self):
        res, errs = run_parallel([lambda: self.c.feed() for _ in range(40)])
        self.assertEqual(errs, [])
        self.assertTrue(all(r["status_code"] == OK for r in res))


if __name__ == "__main__":
    h.main()
