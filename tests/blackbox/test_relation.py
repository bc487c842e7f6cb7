"""relation/action, follow/follower/friend lists, is_follow, friend = mutual follow with latest message."""

import harness as h
from harness import OK, INVALID, UNAUTH, NOT_FOUND


class RelationTests(h.ServerCase):
    def test_follow_unfollow_counts(self):
        a, b = self.c.new_user("ra"), self.c.new_user("rb")
        for _ in range(3):
            self.c.follow(a.token, b.id, 1)
        ua, ub = self.c.user(a.id), self.c.user(b.id)
        self.assertEqual((ua["follow_count"], ua["follower_count"]), (1, 0))
        self.assertEqual((ub["follow_count"], ub["follower_count"]), (0, 1))
        self.assertTrue(self.c.user(b.id, token=a.token)["is_follow"])
        self.assertFalse(self.c.user(b.id)["is_follow"])
        self.assertFalse(self.c.user(a.id, token=b.token)["is_follow"])
        # lists
        fl = self.c.rel_list("follow", a.id, token=a.token)
        self.assertEqual([u["id"] for u in fl], [b.id])
        self.assertTrue(fl[0]["is_follow"])
        self.assertEqual(fl[0]["follower_count"], 1)
        fr = self.c.rel_list("follower", b.id, token=b.token)
        self.assertEqual([u["id"] for u in fr], [a.id])
        self.assertFalse(fr[0]["is_follow"], "B does not follow A")
        self.assertEqual(self.c.rel_list("follower", a.id, token=a.token), [])
        self.assertEqual(self.c.rel_list("follow", b.id, token=b.token), [])
        self.assertEqual(self.c.rel_list("friend", a.id, token=a.token), [])
        # unfollow (idempotent)
        for _ in range(2):
            self.c.follow(a.token, b.id, 2)
        ua, ub = self.c.user(a.id), self.c.user(b.id)
        self.assertEqual((ua["follow_count"], ub["follower_count"]), (0, 0))
        self.assertFalse(self.c.user(b.id, token=a.token)["is_follow"])
        self.assertEqual(self.c.rel_list("follow", a.id, token=a.token), [])
        self.assertEqual(self.c.rel_list("follower", b.id, token=b.token), [])
        # unfollow someone never followed
        self.c.follow(b.token, a.id, 2)
        self.assertEqual(self.c.user(a.id)["follower_count"], 0)

    def test_errors(self):
        a = self.c.new_user("re")
        self.c.follow(a.token, a.id, 1, expect=INVALID)
        self.c.follow(a.token, a.id, 2, expect=INVALID)
        self.c.follow(a.token, 999999, 1, expect=NOT_FOUND)
        b = self.c.new_user("re2")
        for at in (0, 3, "x", "", "2.5"):
            self.c.follow(a.token, b.id, at, expect=INVALID)
        self.c.api("POST", "/douyin/relation/action/", query={"token": a.token, "action_type": 1}, expect=INVALID)
        self.c.follow("garbage", b.id, 1, expect=UNAUTH)
        self.c.follow(None, b.id, 1, expect=UNAUTH)
        self.assertEqual(self.c.user(a.id)["follow_count"], 0)
        self.assertEqual(self.c.user(b.id)["follower_count"], 0)

    def test_lists_newest_relation_first(self):
        a = self.c.new_user("lo")
        others = [self.c.new_user(f"lo{i}") for i in range(4)]
        for o in others:
            self.c.follow(a.token, o.id, 1)
        fl = self.c.rel_list("follow", a.id, token=a.token)
        self.assertEqual([u["id"] for u in fl], [o.id for o in reversed(others)])
        self.assertTrue(all(u["is_follow"] for u in fl))
        # anonymous view of the same list: is_follow false
        fl_anon = self.c.rel_list("follow", a.id)
        self.assertEqual([u["id"] for u in fl_anon], [o.id for o in reversed(others)])
        self.assertFalse(any(u["is_follow"] for u in fl_anon))
        # follower list, newest first
        for o in others:
            self.c.follow(o.token, a.id, 1)
        fr = self.c.rel_list("follower", a.id, token=a.token)
        self.assertEqual([u["id"] for u in fr], [o.id for o in reversed(others)])
        self.assertTrue(all(u["is_follow"] for u in fr), "A follows all of its followers back")
        # limit / offset extension
        part = self.c.rel_list("follow", a.id, token=a.token, limit=2, offset=1)
        self.assertEqual([u["id"] for u in part], [others[2].id, others[1].id])
        self.c.rel_list("follow", a.id, token=a.token, limit=0, expect=INVALID)
        self.c.rel_list("follower", a.id, token=a.token, offset=-1, expect=INVALID)
        # re-following after unfollow moves the relation to the front
        self.c.follow(a.token, others[0].id, 2)
        self.c.follow(a.token, others[0].id, 1)
        self.assertEqual(self.c.rel_list("follow", a.id, token=a.token)[0]["id"], others[0].id)

    def test_is_follow_in_feed_author(self):
        a, author = self.c.new_user("fa"), self.c.new_user("fauthor")
        vid = self.publish_get_id(author, "follow me")
        self.assertFalse(self.video_in_feed(vid, a.token)["author"]["is_follow"])
        self.c.follow(a.token, author.id, 1)
        v = self.video_in_feed(vid, a.token)
        self.assertTrue(v["author"]["is_follow"])
        self.assertEqual(v["author"]["follower_count"], 1)
        self.assertFalse(self.video_in_feed(vid)["author"]["is_follow"])

    def test_friends(self):
        a, b, c = self.c.new_user("fra"), self.c.new_user("frb"), self.c.new_user("frc")
        self.c.follow(a.token, b.id, 1)
        self.c.follow(b.token, a.id, 1)
        self.c.follow(a.token, c.id, 1)  # one-way: not a friend
        fa = self.c.rel_list("friend", a.id, token=a.token)
        self.assertEqual([u["id"] for u in fa], [b.id])
        f = fa[0]
        for k in ("message", "msgType", "msg_type"):
            self.assertIn(k, f)
        self.assertEqual(f["message"], "")
        self.assertTrue(f["is_follow"])
        self.assertEqual([u["id"] for u in self.c.rel_list("friend", b.id, token=b.token)], [a.id])
        self.assertEqual(self.c.rel_list("friend", c.id, token=c.token), [])
        # A -> B
        self.c.send(a.token, b.id, "hello B")
        f = self.c.rel_list("friend", a.id, token=a.token)[0]
        self.assertEqual((f["message"], f["msgType"], f["msg_type"]), ("hello B", 1, 1))
        f = self.c.rel_list("friend", b.id, token=b.token)[0]
        self.assertEqual((f["message"], f["msgType"], f["msg_type"]), ("hello B", 0, 0))
        # B -> A
        self.c.send(b.token, a.id, "hi A 你好")
        f = self.c.rel_list("friend", a.id, token=a.token)[0]
        self.assertEqual((f["message"], f["msgType"], f["msg_type"]), ("hi A 你好", 0, 0))
        f = self.c.rel_list("friend", b.id, token=b.token)[0]
        self.assertEqual((f["message"], f["msgType"], f["msg_type"]), ("hi A 你好", 1, 1))
        # messages with a third user do not leak into this pair
        self.c.follow(c.token, a.id, 1)
        self.c.send(c.token, a.id, "from C")
        fa = {u["id"]: u for u in self.c.rel_list("friend", a.id, token=a.token)}
        self.assertEqual(set(fa), {b.id, c.id})
        self.assertEqual(fa[b.id]["message"], "hi A 你好")
        self.assertEqual((fa[c.id]["message"], fa[c.id]["msgType"]), ("from C", 0))
        # unfollow breaks the friendship
        self.c.follow(b.token, a.id, 2)
        self.assertEqual([u["id"] for u in self.c.rel_list("friend", a.id, token=a.token)], [c.id])
        self.assertEqual(self.c.rel_list("friend", b.id, token=b.token), [])


if __name__ == "__main__":
    h.main()
