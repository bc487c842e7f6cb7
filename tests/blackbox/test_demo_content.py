"""Demo content: a brand-new data folder fills itself with demo users and videos that go
through the real pipeline, so a first run shows a living feed; --no-demo and the config key turn
it off, and a second start never seeds twice."""
import os
import time
import unittest

import harness as h


class DemoContentTests(unittest.TestCase):
    def wait_for_demo(self, server, timeout=240.0):
        """The marker is written once everything (videos, likes, comments, follows) is in."""
        marker = os.path.join(server.data_dir, ".demo-content")
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if os.path.exists(marker):
                return
            time.sleep(0.5)
        self.fail(f"demo content not complete after {timeout}s; feed: {server.client().feed()['video_list']}")

    def test_new_data_folder_shows_a_living_feed_once(self):
        server = h.Server(no_demo=False).start()
        try:
            c = server.client()
            self.wait_for_demo(server)
            videos = c.feed()["video_list"]
            self.assertEqual(len(videos), 6)
            self.assertEqual(len({v["author"]["id"] for v in videos}), 3, "three demo authors")
            self.assertTrue(all(v["play_url"].endswith("/play-2.mp4") for v in videos), "all transcoded")
            self.assertTrue(any(v["favorite_count"] > 0 for v in videos), "some likes")
            self.assertTrue(any(v["comment_count"] > 0 for v in videos), "some comments")
            head = c.fetch_url(videos[0]["play_url"])
            self.assertEqual(head.status, 200)
            self.assertEqual(head.header("Content-Type"), "video/mp4")
            server.stop()
            server.start()
            time.sleep(2)
            self.assertEqual(len(server.client().feed()["video_list"]), 6, "a restart does not seed again")
        finally:
            server.stop(expect_code=None)
            server.cleanup()

    def test_flag_and_config_key_turn_it_off(self):
        for kwargs in ({"no_demo": True}, {"no_demo": False, "config": {"demo_content": False}}):
            server = h.Server(**kwargs).start()
            try:
                time.sleep(3)
                self.assertEqual(server.client().feed()["video_list"], [], kwargs)
                self.assertFalse(os.path.exists(os.path.join(server.data_dir, ".demo-content")))
            finally:
                server.stop(expect_code=None)
                server.cleanup()


if __name__ == "__main__":
    h.main()
