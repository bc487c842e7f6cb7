"""The split topology's own promises: each service in its own process over gRPC, two gateways on
the same services and data folder, one process per database, and a service that dies fails its
calls cleanly (never a hang, never a fake success) and is found again when it comes back."""

import subprocess
import time
import unittest

import harness as h
from harness import OK

UNAVAILABLE = 10503


@unittest.skipIf(h.TOPOLOGY == "split", "starts its own split topology; run once, in the embedded run")
class SplitTopologyTests(unittest.TestCase):
    def setUp(self):
        self.server = h.Server(topology="split")
        self.addCleanup(self.server.cleanup)
        self.server.start()
        self.c = self.server.client()

    def second_gateway(self) -> h.Server:
        other = h.Server(data_dir=self.server.data_dir, topology="embedded",
                         extra_args=["--role", "gateway", "--peers", self.server.peers],
                         config=self.server.config)
        self.addCleanup(other.cleanup)
        return other.start()

    def test_two_gateways_serve_the_same_data_and_accept_each_others_tokens(self):
        other = self.second_gateway().client()
        u = self.c.new_user("gw1")
        # Signed up through one gateway, signed in through the other, token good on both.
        self.assertEqual(other.login(u.name, u.password)["user_id"], u.id)
        self.assertEqual(other.user_info(token=u.token, user_id=u.id)["user"]["name"], u.name)
        author = other.new_user("gw2")
        video = self.c.publish_ready(author.token, "split clip", path=h.tiny_video())
        other.favorite(u.token, video["id"])
        seen = next(v for v in self.c.feed(token=u.token)["video_list"] if v["id"] == video["id"])
        self.assertTrue(seen["is_favorite"])
        self.assertEqual(seen["favorite_count"], 1)
        self.assertEqual(self.c.user_info(user_id=author.id)["user"]["total_favorited"], 1)

    def test_a_second_process_for_one_database_is_refused(self):
        args = [h.minitok_bin(), "serve", "--role", "favorite", "--grpc-listen", "127.0.0.1:0",
                "--data-dir", self.server.data_dir, "--peers", self.server.peers]
        result = subprocess.run(args, capture_output=True, text=True, timeout=30)
        self.assertEqual(result.returncode, 1, result.stderr)
        self.assertIn("in use by another minitok process", result.stderr)
        self.assertIn("favorite database", result.stderr)

    def readiness(self) -> tuple[int, dict]:
        r = self.c.request("GET", "/readyz")
        return r.status, r.json()

    def wait_readiness(self, status: int, seconds: float = 5.0) -> dict:
        deadline = time.monotonic() + seconds
        while True:
            got, body = self.readiness()
            if got == status or time.monotonic() > deadline:
                self.assertEqual(got, status, body)
                return body
            time.sleep(0.05)

    def test_a_dead_service_fails_its_calls_cleanly_and_serves_again_when_it_returns(self):
        author, fan = self.c.new_user("author"), self.c.new_user("fan")
        video = self.c.publish_ready(author.token, "liked", path=h.tiny_video())
        self.c.favorite(fan.token, video["id"])
        self.c.send(fan.token, author.id, "still here")
        self.assertEqual(self.wait_readiness(200), {"status": "ready", "unreachable": []})
        address = dict(p.split("=") for p in self.server.peers.split(","))["favorite"]
        self.server.kill_service("favorite")
        self.assertEqual(self.readiness(), (503, {"status": "unavailable", "unreachable": ["favorite"]}))
        self.assertEqual(self.c.request("GET", "/healthz").status, 200, "alive all the same")

        started = time.monotonic()
        d = self.c.favorite(fan.token, video["id"], action_type=2, expect=UNAVAILABLE)
        self.assertLess(time.monotonic() - started, 5.0, "a call to a dead service must fail fast")
        self.assertTrue(d["status_msg"])
        # What does not need the favorite service still works.
        self.assertEqual([m["content"] for m in self.c.chat(author.token, fan.id)], ["still here"])

        self.server.start_service("favorite", grpc_listen=address)
        deadline = time.monotonic() + 10
        while True:
            d = self.c.api("POST", "/douyin/favorite/action/",
                           query={"token": author.token, "video_id": video["id"], "action_type": 1})
            if d["status_code"] == OK or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        self.assertEqual(d["status_code"], OK, d)
        self.wait_readiness(200)
        seen = next(v for v in self.c.feed(token=fan.token)["video_list"] if v["id"] == video["id"])
        self.assertEqual(seen["favorite_count"], 2, "the like acknowledged before the kill is kept")
        self.assertTrue(seen["is_favorite"])
        self.server.stop()
        result = h.run_cli("verify", "--data-dir", self.server.data_dir)
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)


@unittest.skipIf(h.TOPOLOGY == "split", "starts its own split topology; run once, in the embedded run")
class SeparateMediaWorkersTests(unittest.TestCase):
    """`--role media` on its own: its workers take the video service's jobs over gRPC; one killed
    mid-transcode leaves its job to the next worker once its lease runs out, and the video becomes
    ready once."""

    def setUp(self):
        self.server = h.Server(topology="split",
                               config={"media_lease_ms": 3000, "transcode_preset": "veryslow"})
        self.addCleanup(self.server.cleanup)
        self.server.start()
        self.c = self.server.client()

    def publish_and_wait_for_the_transcode(self, author) -> int:
        clip = h.make_media("worker-kill-4s.mp4", [
            "-f", "lavfi", "-i", "testsrc=size=640x360:rate=30", "-f", "lavfi", "-i", "sine", "-t", "4",
            "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac"])
        video_id = self.c.publish(author.token, "a worker goes", path=clip)["video_id"]
        deadline = time.monotonic() + 30
        while not self.c.own_video(author.token, video_id)["state_reason"].startswith("transcoding"):
            self.assertLess(time.monotonic(), deadline, "the media process never started the transcode")
            time.sleep(0.05)
        return video_id

    def test_a_worker_stopped_mid_transcode_gives_its_job_back_at_once(self):
        author = self.c.new_user("stopped")
        video_id = self.publish_and_wait_for_the_transcode(author)
        self.server.stop_service("media")  # SIGTERM
        # Given back before the process exited, not left to the lease.
        self.assertEqual(self.c.own_video(author.token, video_id)["state_reason"],
                         "waiting to retry: the media worker stopped")
        self.server.start_service("media")
        self.assertEqual(self.c.wait_ready(author.token, video_id, timeout=120)["state"], "ready")
        self.assertEqual(self.c.user(author.id)["work_count"], 1)

    def test_a_worker_killed_mid_transcode_leaves_its_job_to_the_next(self):
        author = self.c.new_user("worker")
        video_id = self.publish_and_wait_for_the_transcode(author)
        self.server.kill_service("media")
        time.sleep(0.5)
        self.assertEqual(self.c.own_video(author.token, video_id)["state"], "processing")
        self.server.start_service("media")
        ready = self.c.wait_ready(author.token, video_id, timeout=120)
        self.assertEqual(ready["state"], "ready")
        self.assertEqual(self.c.user(author.id)["work_count"], 1, "counted once")
        self.assertIn("was not heard of for 3000 ms", self.server.stderr_text())
        played = self.c.fetch_url(ready["play_url"])
        self.assertEqual(played.status, 200)
        self.assertEqual(h.ffprobe(played.body)["streams"][0]["codec_name"], "h264")



if __name__ == "__main__":
    h.main()
