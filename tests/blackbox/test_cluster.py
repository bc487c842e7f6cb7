"""scripts/cluster.sh and deploy/: the split topology behind nginx (Debian's etcd and nginx on
loopback). Requests through nginx reach both gateways; SIGKILL of a gateway under load leaves the
other answering every read; stopping the script stops every process and removes its folder. The
shipped nginx site, compose file and units are checked by the tools that read them."""

import os
import re
import shutil
import signal
import subprocess
import tempfile
import threading
import time
import unittest

import harness as h
from harness import OK

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
LINE_RE = re.compile(r"^(\w+) pid (\d+) ")
READY_RE = re.compile(r"^minitok cluster on (http://127\.0\.0\.1:(\d+)) \(data and logs in (\S+)\)")


@unittest.skipIf(h.TOPOLOGY == "split", "starts its own split topology; run once, in the embedded run")
class ClusterScriptTests(unittest.TestCase):
    def setUp(self):
        self.proc = subprocess.Popen(
            ["bash", os.path.join(REPO, "scripts", "cluster.sh"), "--port", str(h.free_port())],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            env={**os.environ, "MINITOK_BIN": h.minitok_bin()}, start_new_session=True)
        self.addCleanup(self.kill)
        self.pids: dict[str, int] = {}
        self.lines: list[str] = []
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            line = h._first_line(self.proc, max(0.1, deadline - time.monotonic()))
            if not line:
                break
            self.lines.append(line.rstrip())
            if m := LINE_RE.match(line):
                self.pids[m.group(1)] = int(m.group(2))
            if m := READY_RE.match(line):
                self.url, self.port, self.root = m.group(1), int(m.group(2)), m.group(3)
                threading.Thread(target=lambda: [None for _ in self.proc.stdout], daemon=True).start()
                return
        self.fail("cluster.sh did not come up:\n" + "\n".join(self.lines))

    def kill(self):
        """After a failure: the script and everything it started (one process group), and its folder."""
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(30)
        h.Server._close_stdout(self.proc)
        if hasattr(self, "root"):
            shutil.rmtree(self.root, ignore_errors=True)

    def alive(self, pid: int) -> bool:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        # a zombie of the script's own children counts as gone
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"

    def test_nginx_in_front_of_two_gateways_and_one_gateway_killed_under_load(self):
        self.assertEqual(set(self.pids), {"etcd", "user", "video", "favorite", "comment", "relation", "message",
                                          "media", "gateway1", "gateway2", "nginx"}, self.lines)
        c = h.Client("127.0.0.1", self.port)
        self.assertEqual(c.get("/readyz").json()["status"], "ready")
        author, fan = c.new_user("author"), c.new_user("fan")
        # The upload streams through nginx to a gateway; the media comes back through nginx's cache.
        video = c.publish_ready(author.token, "through nginx", path=h.tiny_video())
        c.favorite(fan.token, video["id"])
        play = video["play_url"]
        self.assertTrue(play.startswith(self.url + "/media/"), play)
        first, again = c.fetch_url(play), c.fetch_url(play)
        self.assertEqual((first.status, again.status), (200, 200))
        self.assertEqual(first.body, again.body)
        self.assertEqual(again.header("X-Cache"), "HIT")
        # Both gateways served: each logs the requests it answered.
        logs = os.path.join(self.root, "logs")
        for n in (1, 2):
            with open(os.path.join(logs, f"gateway{n}.log"), "rb") as f:
                self.assertIn(b"/douyin/", f.read(), f"gateway{n} got no request")

        # Readers through nginx; SIGKILL one gateway half way.
        results: list[tuple[int, int]] = []
        stop = threading.Event()

        def reader():
            rc = h.Client("127.0.0.1", self.port, timeout=10)
            while not stop.is_set():
                try:
                    r = rc.get("/douyin/feed/", query={"token": fan.token})
                    results.append((r.status, r.json().get("status_code", -1)))
                except Exception as e:  # noqa: BLE001 (a refused or reset connection counts as a failure)
                    results.append((0, repr(e)))

        threads = [threading.Thread(target=reader) for _ in range(4)]
        for t in threads:
            t.start()
        time.sleep(1.0)
        before = len(results)
        os.kill(self.pids["gateway1"], signal.SIGKILL)
        time.sleep(2.0)
        stop.set()
        for t in threads:
            t.join(15)
        self.assertGreater(before, 0)
        self.assertGreater(len(results) - before, 0, "no read was answered after the kill")
        failed = [r for r in results if r != (200, OK)]
        self.assertEqual(failed, [], f"{len(failed)} of {len(results)} reads failed")
        # Writes go on through the survivor; the like made before the kill is there.
        c.favorite(author.token, video["id"])
        self.assertEqual(c.user(fan.id)["favorite_count"], 1)
        self.assertEqual(c.feed(token=fan.token)["video_list"][0]["favorite_count"], 2)

        # Stopping the script stops every process it started and removes its folder.
        self.proc.terminate()
        self.assertEqual(self.proc.wait(30), 0)
        deadline = time.monotonic() + 15
        while any(self.alive(pid) for pid in self.pids.values()) and time.monotonic() < deadline:
            time.sleep(0.1)
        self.assertEqual([name for name, pid in self.pids.items() if self.alive(pid)], [])
        self.assertFalse(os.path.exists(self.root))


class DeployFilesTests(unittest.TestCase):
    """What deploy/ ships parses in the tools an operator loads it into."""

    def test_nginx_site_is_valid(self):
        nginx = shutil.which("nginx") or "/usr/sbin/nginx"
        root = tempfile.mkdtemp(prefix="minitok-nginx-t-")
        self.addCleanup(shutil.rmtree, root, True)
        with open(os.path.join(REPO, "deploy", "nginx", "minitok.conf")) as f:
            site = f.read().replace("/var/cache/nginx/minitok", os.path.join(root, "cache"))
        with open(os.path.join(root, "site.conf"), "w") as f:
            f.write(site)
        with open(os.path.join(root, "nginx.conf"), "w") as f:
            f.write(f"pid {root}/nginx.pid; error_log {root}/error.log; events {{}}\n"
                    f"http {{ client_body_temp_path {root}/body; proxy_temp_path {root}/proxy; "
                    f"include {root}/site.conf; }}\n")
        p = subprocess.run([nginx, "-t", "-p", root, "-c", os.path.join(root, "nginx.conf"), "-e",
                            os.path.join(root, "error.log")], capture_output=True, text=True)
        self.assertEqual(p.returncode, 0, p.stderr)

    def test_compose_file_is_valid(self):
        compose = shutil.which("docker-compose")
        self.assertIsNotNone(compose, "Debian's docker-compose is missing: run scripts/setup.sh")
        p = subprocess.run([compose, "-f", os.path.join(REPO, "deploy", "docker-compose.yml"), "config"],
                           capture_output=True, text=True)
        self.assertEqual(p.returncode, 0, p.stderr)
        for service in ("etcd", "media", "gateway1", "gateway2", "nginx") + h.SERVICES:
            self.assertRegex(p.stdout, rf"(?m)^  {service}:$")

    def test_systemd_units_name_roles_and_files_that_exist(self):
        units = os.path.join(REPO, "deploy", "systemd")
        with open(os.path.join(units, "minitok-service@.service")) as f:
            service = f.read()
        with open(os.path.join(units, "minitok-gateway@.service")) as f:
            gateway = f.read()
        for unit in (service, gateway):
            self.assertIn("EnvironmentFile=/etc/minitok/minitok.env", unit)
            self.assertIn("KillSignal=SIGTERM", unit)
            self.assertRegex(unit, r"(?m)^ExecStart=")
        self.assertIn("--role gateway", gateway)
        with open(os.path.join(units, "minitok.env")) as f:
            env = dict(line.split("=", 1) for line in f.read().splitlines() if line and not line.startswith("#"))
        used = set(re.findall(r"\$\{(\w+)\}", service + gateway))
        self.assertEqual(used - set(env), set(), "variables the units use but minitok.env does not set")


if __name__ == "__main__":
    h.main()
