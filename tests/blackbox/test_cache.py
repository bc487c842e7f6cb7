"""The answer cache: anonymous public reads are shared, yet every committed write shows in the
very next read, and personal (token) answers are never shared."""
import unittest

import harness as h


class CacheTests(h.ServerCase):
    server_kwargs = {"config": {"transcode_max_short_side": 64}}

    def test_anonymous_reads_see_every_write_at_once(self):
        author = self.c.new_user("ca")
        fan = self.c.new_user("cf")
        vid = self.publish_get_id(author)
        for _ in range(3):  # warm the cache with identical anonymous reads
            before = self.video_in_feed(vid)
        self.assertEqual(before["favorite_count"], 0)
        self.c.favorite(fan.token, vid)
        self.assertEqual(self.video_in_feed(vid)["favorite_count"], 1, "a like shows in the next anonymous feed")
        self.c.comment_add(fan.token, vid, "first!")
        self.assertEqual(self.video_in_feed(vid)["comment_count"], 1)
        self.assertEqual([c["content"] for c in self.c.comment_list(vid)], ["first!"])
        self.c.comment_add(fan.token, vid, "second")
        self.assertEqual([c["content"] for c in self.c.comment_list(vid)], ["second", "first!"])
        self.assertEqual(len(self.c.rel_list("follower", author.id)), 0)
        self.c.follow(fan.token, author.id)
        self.assertEqual([u["id"] for u in self.c.rel_list("follower", author.id)], [fan.id])
        self.assertEqual(self.c.user(author.id)["follower_count"], 1)
        self.c.favorite(fan.token, vid, action_type=2)
        self.assertEqual(self.video_in_feed(vid)["favorite_count"], 0, "an unlike shows too")

    def test_personal_reads_see_every_write_at_once(self):
        # Personal reads are answered from the services' object caches (often on the event loop):
        # every write must show in the writer's very next read and in everyone else's.
        author = self.c.new_user("pra")
        fan = self.c.new_user("prf")
        other = self.c.new_user("pro")
        vid = self.publish_get_id(author)
        for _ in range(3):  # warm every cache
            mine = self.video_in_feed(vid, token=fan.token)
            self.video_in_feed(vid, token=other.token)
        self.assertFalse(mine["is_favorite"])
        self.assertFalse(mine["author"]["is_follow"])
        self.c.favorite(fan.token, vid)
        mine = self.video_in_feed(vid, token=fan.token)
        self.assertTrue(mine["is_favorite"])
        self.assertEqual(mine["favorite_count"], 1)
        self.assertEqual(mine["author"]["total_favorited"], 1)
        theirs = self.video_in_feed(vid, token=other.token)
        self.assertFalse(theirs["is_favorite"])
        self.assertEqual(theirs["favorite_count"], 1)
        self.assertEqual(self.c.user(fan.id, token=fan.token)["favorite_count"], 1)
        self.c.follow(fan.token, author.id)
        mine = self.video_in_feed(vid, token=fan.token)
        self.assertTrue(mine["author"]["is_follow"])
        self.assertEqual(mine["author"]["follower_count"], 1)
        self.assertFalse(self.video_in_feed(vid, token=other.token)["author"]["is_follow"])
        self.c.comment_add(other.token, vid, "hello")
        self.assertEqual(self.video_in_feed(vid, token=fan.token)["comment_count"], 1)
        self.assertEqual([c["content"] for c in self.c.comment_list(vid, token=fan.token)], ["hello"])
        self.c.favorite(fan.token, vid, action_type=2)
        self.c.follow(fan.token, author.id, action_type=2)
        mine = self.video_in_feed(vid, token=fan.token)
        self.assertFalse(mine["is_favorite"])
        self.assertEqual(mine["favorite_count"], 0)
        self.assertFalse(mine["author"]["is_follow"])
        self.assertEqual(mine["author"]["follower_count"], 0)

    def test_personal_answers_are_never_shared(self):
        author = self.c.new_user("pa")
        fan = self.c.new_user("pf")
        vid = self.publish_get_id(author)
        self.c.favorite(fan.token, vid)
        for _ in range(2):
            self.assertFalse(self.video_in_feed(vid)["is_favorite"], "anonymous")
            self.assertTrue(self.video_in_feed(vid, token=fan.token)["is_favorite"], "the fan, by token")
            bearer = self.c.api("GET", "/douyin/feed/", bearer=fan.token)
            self.assertTrue(next(v for v in bearer["video_list"] if v["id"] == vid)["is_favorite"], "by Bearer")
        self.c.follow(fan.token, author.id)
        self.assertFalse(self.c.user(author.id)["is_follow"])
        self.assertTrue(self.c.user(author.id, token=fan.token)["is_follow"])

    def test_absolute_urls_follow_the_host_of_each_request(self):
        author = self.c.new_user("hu")
        self.publish_get_id(author)
        first = self.c.get("/douyin/feed/", headers={"Host": "phone.lan:8080"}).json()
        second = self.c.get("/douyin/feed/", headers={"Host": "other.example:9"}).json()
        self.assertTrue(first["video_list"][0]["play_url"].startswith("http://phone.lan:8080/"))
        self.assertTrue(second["video_list"][0]["play_url"].startswith("http://other.example:9/"))


class CacheOffTests(h.ServerCase):
    server_kwargs = {"config": {"cache_entries": 0, "transcode_max_short_side": 64}}

    def test_works_without_the_cache(self):
        author = self.c.new_user("co")
        fan = self.c.new_user("cg")
        vid = self.publish_get_id(author)
        self.assertEqual(self.video_in_feed(vid)["favorite_count"], 0)
        self.c.favorite(fan.token, vid)
        self.assertEqual(self.video_in_feed(vid)["favorite_count"], 1)


if __name__ == "__main__":
    h.main()
