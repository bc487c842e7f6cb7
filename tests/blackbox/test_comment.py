"""comment/action and comment/list: add returns the comment, newest first, MM-DD in the configured time
zone, delete permissions, exact comment_count."""

import datetime

import harness as h
from harness import OK, INVALID, UNAUTH, DENIED, NOT_FOUND


def mmdd(offset_hours):
    now = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=offset_hours)
    return now.strftime("%m-%d")


class CommentTests(h.ServerCase):
    server_kwargs = {"config": {"time_zone": "Asia/Shanghai", "transcode_max_short_side": 64}}

    def setUp(self):
        self.author = self.c.new_user("vauthor")
        self.vid = self.publish_get_id(self.author, "commented")

    def comment_count(self):
        return self.video_in_publish_list(self.author.id, self.vid)["comment_count"]

    def test_add_list_delete(self):
        u = self.c.new_user("commenter")
        before = mmdd(8)
        d = self.c.comment_add(u.token, self.vid, "第一条评论 first")
        after = mmdd(8)
        c = d["comment"]
        self.assertGreater(c["id"], 0)
        self.assertEqual(c["content"], "第一条评论 first")
        self.assertEqual(c["user"]["id"], u.id)
        self.assertEqual(c["user"]["name"], u.name)
        self.assertIn(c["create_date"], (before, after), "create_date must be MM-DD in Asia/Shanghai")
        self.assertEqual(self.comment_count(), 1)
        self.assertEqual(self.video_in_feed(self.vid)["comment_count"], 1)
        ids = [c["id"]]
        for i in range(3):
            ids.append(self.c.comment_add(u.token, self.vid, f"more {i}")["comment"]["id"])
        self.assertEqual(ids, sorted(ids))
        lst = self.c.comment_list(self.vid, token=u.token)
        self.assertEqual([x["id"] for x in lst], list(reversed(ids)), "comment list must be newest first")
        self.assertEqual(lst[-1]["content"], "第一条评论 first")
        # anonymous list works too
        self.assertEqual([x["id"] for x in self.c.comment_list(self.vid)], list(reversed(ids)))
        self.assertEqual(self.comment_count(), 4)
        # the commenter deletes their own comment
        self.c.comment_delete(u.token, self.vid, ids[1])
        self.assertEqual(self.comment_count(), 3)
        self.assertNotIn(ids[1], [x["id"] for x in self.c.comment_list(self.vid)])
        # again -> not found, count unchanged
        self.c.comment_delete(u.token, self.vid, ids[1], expect=NOT_FOUND)
        self.assertEqual(self.comment_count(), 3)
        # the video's author deletes somebody else's comment on their video
        self.c.comment_delete(self.author.token, self.vid, ids[2])
        self.assertEqual(self.comment_count(), 2)
        # a third user may not
        third = self.c.new_user("third")
        self.c.comment_delete(third.token, self.vid, ids[3], expect=DENIED)
        self.assertIn(ids[3], [x["id"] for x in self.c.comment_list(self.vid)])
        self.assertEqual(self.comment_count(), 2)
        self.assertEqual([x["id"] for x in self.c.comment_list(self.vid)], [ids[3], ids[0]])

    def test_comment_user_is_follow_per_viewer(self):
        u, viewer = self.c.new_user("cf"), self.c.new_user("cv")
        self.c.comment_add(u.token, self.vid, "follow me")
        self.c.follow(viewer.token, u.id, 1)
        self.assertTrue(self.c.comment_list(self.vid, token=viewer.token)[0]["user"]["is_follow"])
        self.assertFalse(self.c.comment_list(self.vid)[0]["user"]["is_follow"])
        self.assertEqual(self.c.comment_list(self.vid)[0]["user"]["follower_count"], 1)

    def test_author_cannot_delete_on_other_video(self):
        # author of video A may not delete a comment on video B that is not theirs
        other_author = self.c.new_user("oa")
        other_vid = self.publish_get_id(other_author, "other")
        u = self.c.new_user("cu")
        cid = self.c.comment_add(u.token, other_vid, "on other")["comment"]["id"]
        self.c.comment_delete(self.author.token, other_vid, cid, expect=DENIED)
        # naming their own video in video_id must not bypass the check
        self.c.comment_delete(self.author.token, self.vid, cid, expect=(DENIED, NOT_FOUND))
        self.assertEqual(len(self.c.comment_list(other_vid)), 1)

    def test_validation(self):
        u = self.c.new_user("val")
        for text in ("", "   ", "\n\t "):
            self.c.comment_add(u.token, self.vid, text, expect=INVALID)
        self.c.api("POST", "/douyin/comment/action/", query={"token": u.token, "video_id": self.vid,
                                                              "action_type": 1}, expect=INVALID)
        self.c.comment_add(u.token, self.vid, "评" * 501, expect=INVALID)
        self.c.comment_add(u.token, self.vid, "x" * 501, expect=INVALID)
        self.c.api("POST", "/douyin/comment/action/",
                   query=f"token={u.token}&video_id={self.vid}&action_type=1&comment_text=bad%FF%FEtext", expect=INVALID)
        self.c.comment_add(u.token, self.vid, "评" * 500)
        self.c.comment_add(u.token, self.vid, "😀" * 500)
        self.assertEqual(self.comment_count(), 2)
        for at in (0, 3, "x", ""):
            self.c.api("POST", "/douyin/comment/action/",
                       query={"token": u.token, "video_id": self.vid, "action_type": at, "comment_text": "hi"},
                       expect=INVALID)
        # delete without comment_id
        self.c.api("POST", "/douyin/comment/action/", query={"token": u.token, "video_id": self.vid,
                                                              "action_type": 2}, expect=INVALID)
        self.c.comment_add(u.token, 999999, "hi", expect=NOT_FOUND)
        self.c.comment_delete(u.token, self.vid, 999999, expect=NOT_FOUND)
        self.c.comment_add("garbage", self.vid, "hi", expect=UNAUTH)
        self.c.comment_add(None, self.vid, "hi", expect=UNAUTH)
        self.assertEqual(self.comment_count(), 2)
        lst = self.c.comment_list(self.vid)
        self.assertEqual(sorted(x["content"] for x in lst), sorted(["评" * 500, "😀" * 500]))

    def test_empty_list_and_limit(self):
        self.assertEqual(self.c.comment_list(self.vid), [])
        u = self.c.new_user("lim")
        ids = [self.c.comment_add(u.token, self.vid, f"c{i}")["comment"]["id"] for i in range(5)]
        part = self.c.comment_list(self.vid, limit=2, offset=1)
        self.assertEqual([x["id"] for x in part], [ids[3], ids[2]])
        self.c.comment_list(self.vid, limit=101, expect=INVALID)
        # The extremes: offset is capped (offset + limit must never overflow), limit is 1..100.
        self.assertEqual(self.c.comment_list(self.vid, offset=1_000_000_000), [])
        for extreme in ({"offset": 2**63 - 1}, {"offset": 1_000_000_001}, {"offset": -1}, {"limit": 2**63 - 1},
                        {"limit": -(2**63)}, {"offset": 2**63}):
            with self.subTest(**extreme):
                d = self.c.api("GET", "/douyin/comment/list/", query={"video_id": self.vid, **extreme}, expect=INVALID)
                self.assertIn("limit" if "limit" in extreme else "offset", d["status_msg"])

    def test_list_cap_100(self):
        u = self.c.new_user("cap")
        ids = [self.c.comment_add(u.token, self.vid, f"n{i}")["comment"]["id"] for i in range(101)]
        lst = self.c.comment_list(self.vid)
        self.assertEqual([x["id"] for x in lst], list(reversed(ids))[:100], "newest 100 comments")
        self.assertEqual(self.comment_count(), 101)
        self.assertEqual([x["id"] for x in self.c.comment_list(self.vid, offset=100)], [ids[0]])

    def test_demo_style_params(self):
        u = self.c.new_user("demo")
        d = self.c.demo("POST", "/douyin/comment/action/", {"token": u.token, "video_id": h.go_fmt(self.vid),
                                                             "action_type": 1, "comment_text": "测试评论"}, expect=OK)
        cid = d["comment"]["id"]
        self.c.demo("POST", "/douyin/comment/action/", {"token": u.token, "video_id": f"{self.vid:.6e}",
                                                         "action_type": 2, "comment_id": f"{cid:.6e}"}, expect=OK)
        self.assertEqual(self.comment_count(), 0)


if __name__ == "__main__":
    h.main()
