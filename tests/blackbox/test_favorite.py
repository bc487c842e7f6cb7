"""favorite/action and favorite/list: idempotent like/unlike, exact counters, is_favorite per viewer."""

import harness as h
from harness import OK, INVALID, UNAUTH, NOT_FOUND


class FavoriteTests(h.ServerCase):
    server_kwargs = {"config": {"transcode_max_short_side": 64}}  # small transcodes: faster "ready"

    def setUp(self):
        self.author = self.c.new_user("author")
        self.v1 = self.publish_get_id(self.author, "v1")
        self.v2 = self.publish_get_id(self.author, "v2")

    def counts(self, vid, viewer=None):
        v = self.video_in_publish_list(self.author.id, vid, token=viewer.token if viewer else None)
        return v["favorite_count"], v["is_favorite"]

    def test_like_unlike_counts(self):
        l1 = self.c.new_user("liker1")
        l2 = self.c.new_user("liker2")
        for _ in range(3):  # idempotent
            self.c.favorite(l1.token, self.v1, 1)
        self.assertEqual(self.counts(self.v1, l1), (1, True))
        self.assertEqual(self.counts(self.v1, l2), (1, False))
        self.assertEqual(self.counts(self.v1), (1, False))
        self.assertEqual(self.c.user(self.author.id)["total_favorited"], 1)
        self.assertEqual(self.c.user(l1.id)["favorite_count"], 1)
        self.assertEqual(self.c.user(l2.id)["favorite_count"], 0)
        # feed: is_favorite true for the liker, false anonymously and for others
        self.assertTrue(self.video_in_feed(self.v1, l1.token)["is_favorite"])
        self.assertFalse(self.video_in_feed(self.v1)["is_favorite"])
        self.assertFalse(self.video_in_feed(self.v1, l2.token)["is_favorite"])
        self.assertFalse(self.video_in_feed(self.v2, l1.token)["is_favorite"])
        self.assertEqual(self.video_in_feed(self.v1)["favorite_count"], 1)
        # second liker, second video
        self.c.favorite(l2.token, self.v1, 1)
        self.c.favorite(l2.token, self.v2, 1)
        self.c.favorite(l2.token, self.v2, 1)
        self.assertEqual(self.counts(self.v1)[0], 2)
        self.assertEqual(self.counts(self.v2)[0], 1)
        au = self.c.user(self.author.id)
        self.assertEqual(au["total_favorited"], 3)
        self.assertEqual(au["favorite_count"], 0)
        self.assertEqual(self.c.user(l2.id)["favorite_count"], 2)
        # the author object inside a video carries the same counters
        self.assertEqual(self.video_in_feed(self.v1)["author"]["total_favorited"], 3)
        # unlike (idempotent)
        for _ in range(2):
            self.c.favorite(l1.token, self.v1, 2)
        self.assertEqual(self.counts(self.v1, l1), (1, False))
        self.assertEqual(self.c.user(self.author.id)["total_favorited"], 2)
        self.assertEqual(self.c.user(l1.id)["favorite_count"], 0)
        # unlike something never liked: ok, nothing changes
        self.c.favorite(l1.token, self.v2, 2)
        self.assertEqual(self.counts(self.v2)[0], 1)
        self.assertEqual(self.c.user(self.author.id)["total_favorited"], 2)
        # like again after unlike
        self.c.favorite(l1.token, self.v1, 1)
        self.assertEqual(self.counts(self.v1, l1), (2, True))

    def test_favorite_list(self):
        l1 = self.c.new_user("fl")
        self.assertEqual(self.c.favorite_list(l1.id, token=l1.token), [])
        self.assertEqual(self.c.favorite_list(l1.id), [])
        self.c.favorite(l1.token, self.v1, 1)
        self.c.favorite(l1.token, self.v2, 1)
        lst = self.c.favorite_list(l1.id, token=l1.token)
        self.assertEqual(sorted(v["id"] for v in lst), sorted([self.v1, self.v2]))
        self.assertTrue(all(v["is_favorite"] for v in lst))
        self.assertTrue(all(v["author"]["id"] == self.author.id for v in lst))
        # seen by somebody else / anonymously
        other = self.c.new_user("other")
        self.assertFalse(any(v["is_favorite"] for v in self.c.favorite_list(l1.id, token=other.token)))
        self.assertFalse(any(v["is_favorite"] for v in self.c.favorite_list(l1.id)))
        self.c.favorite(l1.token, self.v1, 2)
        self.assertEqual([v["id"] for v in self.c.favorite_list(l1.id, token=l1.token)], [self.v2])
        # limit / offset extension
        self.assertEqual(len(self.c.favorite_list(l1.id, limit=1)), 1)
        self.assertEqual(self.c.favorite_list(l1.id, offset=1), [])
        self.c.favorite_list(l1.id, limit=0, expect=INVALID)

    def test_errors(self):
        u = self.c.new_user("err")
        self.c.favorite(u.token, 999999, 1, expect=NOT_FOUND)
        self.c.favorite(u.token, 999999, 2, expect=NOT_FOUND)
        for at in (0, 3, -1, "x", "", "1.5"):
            self.c.favorite(u.token, self.v1, at, expect=INVALID)
        self.c.api("POST", "/douyin/favorite/action/", query={"token": u.token, "video_id": self.v1}, expect=INVALID)
        self.c.api("POST", "/douyin/favorite/action/", query={"token": u.token, "action_type": 1}, expect=INVALID)
        self.c.api("POST", "/douyin/favorite/action/", query={"video_id": self.v1, "action_type": 1}, expect=UNAUTH)
        self.c.favorite("garbage", self.v1, 1, expect=UNAUTH)
        self.assertEqual(self.counts(self.v1)[0], 0)
        self.assertEqual(self.c.user(u.id)["favorite_count"], 0)

    def test_exponent_and_body_ids(self):
        u = self.c.new_user("exp")
        self.c.favorite(u.token, f"{self.v1:.6e}", 1)
        self.c.api("POST", "/douyin/favorite/action/", form={"token": u.token, "video_id": f"{self.v2}e0",
                                                              "action_type": "1e0"}, expect=OK)
        self.assertEqual(self.counts(self.v1, u), (1, True))
        self.assertEqual(self.counts(self.v2, u), (1, True))
        lst = self.c.favorite_list(f"{u.id:.6e}", token=u.token)
        self.assertEqual(len(lst), 2)


if __name__ == "__main__":
    h.main()
