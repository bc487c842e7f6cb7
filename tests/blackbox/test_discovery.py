"""The split topology found through etcd (Debian's etcd on loopback): services register under a
lease, the gateway follows them with a watch. A service that stops leaves etcd before it drains, a
new instance gets traffic within seconds, and traffic goes on while etcd is away."""

import time
import unittest

import harness as h
from harness import OK

UNAVAILABLE = 10503


@unittest.skipIf(h.TOPOLOGY == "split", "starts its own split topology; run once, in the embedded run")
class DiscoveryTests(unittest.TestCase):
    def setUp(self):
        self.etcd = h.Etcd().start()
        self.addCleanup(self.etcd.cleanup)
        self.server = h.Server(topology="split", etcd=self.etcd.url)
        self.addCleanup(self.server.cleanup)
        self.server.start()
        self.c = self.server.client()

    def instances(self, service: str) -> list[str]:
        return self.etcd.keys(f"minitok/services/{service}/")

    def wait_for(self, check, seconds: float, what: str):
        deadline = time.monotonic() + seconds
        while not check():
            if time.monotonic() > deadline:
                self.fail(f"{what} within {seconds} s")
            time.sleep(0.05)
        return time.monotonic()

    def test_every_service_registers_and_the_gateway_finds_them(self):
        for service in h.SERVICES:
            self.assertEqual(len(self.instances(service)), 1, service)
        author, fan = self.c.new_user("author"), self.c.new_user("fan")
        video = self.c.publish_ready(author.token, "found through etcd", path=h.tiny_video())
        self.c.favorite(fan.token, video["id"])
        self.c.comment_add(fan.token, video["id"], "hello")
        self.c.follow(fan.token, author.id)
        self.c.send(fan.token, author.id, "hi")
        seen = next(v for v in self.c.feed(token=fan.token)["video_list"] if v["id"] == video["id"])
        self.assertEqual((seen["favorite_count"], seen["comment_count"], seen["is_favorite"]), (1, 1, True))
        self.assertTrue(seen["author"]["is_follow"])

    def test_a_stopping_service_leaves_etcd_first_and_a_new_one_gets_traffic_within_seconds(self):
        user = self.c.new_user("liker")
        author = self.c.new_user("author")
        video = self.c.publish_ready(author.token, "liked", path=h.tiny_video())
        self.server.stop_service("favorite")
        self.assertEqual(self.instances("favorite"), [], "the key goes with SIGTERM, not after the lease")
        started = time.monotonic()
        self.c.favorite(user.token, video["id"], expect=UNAVAILABLE)
        self.assertLess(time.monotonic() - started, 2.0, "no instance: a clean failure at once, never a hang")

        self.server.start_service("favorite")
        registered = self.wait_for(lambda: len(self.instances("favorite")) == 1, 10, "the new instance registered")
        served = self.wait_for(
            lambda: self.c.api("POST", "/douyin/favorite/action/",
                               query={"token": user.token, "video_id": video["id"], "action_type": 1})["status_code"] == OK,
            5, "the new instance got traffic")
        self.assertLess(served - registered, 2.0)

    def test_live_settings_from_etcd_apply_while_serving_and_go_when_deleted(self):
        """<cluster>/config/<role>: the gateway's rate limits and log level change without a restart;
        a value that is not valid, or names a setting that cannot change live, is logged and left out."""
        user = self.c.new_user("talker")
        video = self.c.publish_ready(user.token, "live limits", path=h.tiny_video())

        def comment_codes(n):
            return [self.c.post("/douyin/comment/action/", form={
                "token": user.token, "video_id": video["id"], "action_type": 1, "comment_text": f"c{i}"}
            ).json()["status_code"] for i in range(n)]

        self.assertEqual(comment_codes(3), [OK] * 3)  # the suite's servers run without limits
        put = self.etcd.ctl("put", "minitok/config/gateway",
                            '{"rate_limits":{"comment":{"burst":2,"refill_every_ms":600000}}}')
        self.assertEqual(put.returncode, 0, put.stderr)
        self.wait_for(lambda: comment_codes(1) == [h.EXHAUSTED], 5, "the comment limit from etcd applied")
        self.assertIn("live settings applied", self.server.stderr_text())
        # A value that cannot apply is left out whole (the limit it would have changed stays).
        self.etcd.ctl("put", "minitok/config/gateway", '{"rate_limits":{"comment":{"burst":100}},"listen":"0.0.0.0:1"}')
        self.wait_for(lambda: "cannot change while serving" in self.server.stderr_text(), 5, "the refusal logged")
        self.assertEqual(comment_codes(1), [OK], "the refused value's limit is left out: back to the file's")
        # The log level: at "warn" a request writes no access line; deleting the key restores "info".
        self.etcd.ctl("put", "minitok/config/gateway", '{"log_level":"warn"}')
        self.wait_for(lambda: self.server.stderr_text().count("live settings applied") >= 2 or
                      "log_level warn" in self.server.stderr_text(), 5, "the log level applied")
        time.sleep(0.3)  # the log's writer flushes every 100 ms
        before = self.server.stderr_text()
        self.c.feed()
        self.c.feed()
        time.sleep(0.5)
        self.assertNotIn("/douyin/feed", self.server.stderr_text()[len(before):])
        self.assertEqual(self.etcd.ctl("del", "minitok/config/gateway").returncode, 0)
        self.wait_for(lambda: (self.c.feed() is not None and "/douyin/feed" in self.server.stderr_text()[len(before):]),
                      5, "access lines back at the file's level")

    def test_traffic_goes_on_while_etcd_is_away_and_registration_resumes(self):
        user = self.c.new_user("steady")
        self.etcd.stop()
        for _ in range(20):
            self.assertEqual(self.c.user_info(token=user.token, user_id=user.id)["user"]["id"], user.id)
        self.etcd.start()
        # Each service registers again by itself once etcd is back (its old lease may still be there).
        self.wait_for(lambda: all(self.instances(s) for s in h.SERVICES), 15, "every service registered again")
        self.assertEqual(self.c.user_info(token=user.token, user_id=user.id)["user"]["id"], user.id)


if __name__ == "__main__":
    h.main()
