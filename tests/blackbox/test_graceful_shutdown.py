"""Graceful shutdown: a request already running on a worker pool when SIGTERM arrives still gets
its answer, and the server then exits 0."""
import signal
import threading
import time
import unittest

import harness as h


class GracefulShutdownTests(unittest.TestCase):
    def test_in_flight_request_is_answered(self):
        # Registration hashes the password on its own pool and takes a noticeable time.
        server = h.Server(config={"password_ops_limit": 4, "password_mem_limit_kib": 131072}).start()
        try:
            c = server.client()
            answers = []
            worker = threading.Thread(target=lambda: answers.append(
                c.register("late_" + h.rand_suffix(), "secret")))
            worker.start()
            time.sleep(0.1)  # the request is on the hashing pool now
            server.proc.send_signal(signal.SIGTERM)
            worker.join(20)
            self.assertEqual(len(answers), 1, "the in-flight request got no answer")
            self.assertEqual(answers[0]["status_code"], 0)
            self.assertTrue(answers[0]["token"])
            self.assertEqual(server.wait_exit(), 0)
        finally:
            server.stop(expect_code=None)
            server.cleanup()


if __name__ == "__main__":
    h.main()
