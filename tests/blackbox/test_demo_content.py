"""Demo content: a brand-new data folder fills itself with demo users and videos that go
through the real pipeline, so a first run shows a living feed; --no-demo and the config key turn
it off, and a second start never seeds twice."""
import os
import time
import unittest

import harness as h


@h.embedded_only("demo content fills a new folder of the one-process shape")
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

    def test_a_start_stopped_half_way_resumes_and_never_doubles_anything(self):
        # SIGTERM while demo clips are being made: the stop does not wait for ffmpeg, the log says
        # why seeding paused, and the next start finishes exactly what is missing.
        server = h.Server(no_demo=False)
        server.start()
        journal = os.path.join(server.data_dir, ".demo-content.progress")
        try:
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline:
                published = 0
                if os.path.exists(journal):
                    with open(journal) as f:
                        published = sum(1 for line in f if line.startswith("video:"))
                if published >= 2:
                    break
                time.sleep(0.05)
            self.assertGreaterEqual(published, 2, "demo seeding never got going")
            started = time.monotonic()
            server.stop()
            self.assertLess(time.monotonic() - started, 3.0, "the stop waited for a demo ffmpeg")
            log = server.stderr_text()
            self.assertIn("demo content paused because the server is stopping", log)
            self.assertNotIn("demo content incomplete", log)
            self.assertFalse(os.path.exists(os.path.join(server.data_dir, ".demo-content")))
            self.assertEqual([f for f in os.listdir(os.path.join(server.data_dir, "tmp"))], [],
                             "a cancelled clip was left behind")

            server.start()
            self.wait_for_demo(server)
            self.assertIn("resuming the demo users and videos", server.stderr_text())
            self.assertFalse(os.path.exists(journal), "the journal stays after seeding finished")
            c = server.client()
            videos = c.feed()["video_list"]
            self.assertEqual(len(videos), 6, [v["title"] for v in videos])
            self.assertEqual(len({v["title"] for v in videos}), 6, "a clip was published twice")
            self.assertEqual([v["comment_count"] for v in videos], [1] * 6, "comments doubled or missing")
            authors = {v["author"]["id"] for v in videos}
            self.assertEqual(len(authors), 3)
            for author in authors:
                user = c.user(author)
                self.assertEqual((user["follow_count"], user["follower_count"], user["work_count"]), (2, 2, 2), user)
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
