"""`minitok seed` and `minitok verify`: a benchmark data folder is filled, served, and its
counters audited; a tampered counter is caught; a non-empty folder is refused."""
import os
import re
import shutil
import sqlite3
import tempfile
import unittest

import harness as h


class CommandLineDocsTests(unittest.TestCase):
    def test_readme_usage_and_help_name_the_same_options(self):
        # The README's usage block and each command's --help list the same options, both with
        # --data-dir optional (default ./data).
        readme = open(os.path.join(os.path.dirname(__file__), "..", "..", "README.md"), encoding="utf-8").read()
        usage = readme.split("```\nminitok serve", 1)[1].split("```", 1)[0]
        for command in ("serve", "seed", "verify"):
            with self.subTest(command):
                lines = ("minitok serve" + usage).split("\nminitok ")
                line = next(l for l in lines if l.removeprefix("minitok ").startswith(command + " "))
                help_text = h.run_cli(command, "--help").stdout
                self.assertEqual(set(re.findall(r"--[a-z][a-z-]+", line)) | {"--help"},
                                 set(re.findall(r"--[a-z][a-z-]+", help_text)))
                self.assertIn("[--data-dir DIR]", line)
                self.assertIn("default ./data", help_text)


class SeedTests(unittest.TestCase):
    def setUp(self):
        self.root = tempfile.mkdtemp(prefix="minitok-bb-seed-")
        self.addCleanup(shutil.rmtree, self.root, True)
        self.data = os.path.join(self.root, "data")
        self.tokens = os.path.join(self.root, "tokens.tsv")

    def seed(self):
        result = h.run_cli("seed", "--data-dir", self.data, "--users", "50", "--videos", "40", "--likes", "400",
                     "--comments", "100", "--follows", "200", "--messages", "60", "--tokens", "5",
                     "--tokens-out", self.tokens)
        self.assertEqual(result.returncode, 0, result.stderr + result.stdout)
        return result

    def test_seeded_folder_serves_with_exact_counters(self):
        out = self.seed().stdout
        self.assertEqual(out.count(": exact (0 wrong)"), 4, out)
        with open(self.tokens) as f:
            rows = [line.rstrip("\n").split("\t") for line in f]
        self.assertEqual([int(r[0]) for r in rows], [1, 2, 3, 4, 5])
        server = h.Server(data_dir=self.data).start()
        try:
            c = server.client()
            token = rows[0][1]
            me = c.user_info(token=token)["user"]
            self.assertEqual(me["id"], 1)
            self.assertEqual(me["name"], "seed1")
            feed = c.feed(token=token)["video_list"]
            self.assertEqual(len(feed), 30)
            self.assertEqual(feed[0]["id"], 40, "newest seeded video first")
            db = sqlite3.connect(os.path.join(self.data, "db", "favorite.db"))
            for v in feed[:5]:
                likes = db.execute("SELECT COUNT(*) FROM likes WHERE video_id = ?", (v["id"],)).fetchone()[0]
                self.assertEqual(v["favorite_count"], likes)
                liked = db.execute("SELECT COUNT(*) FROM likes WHERE video_id = ? AND user_id = 1",
                                   (v["id"],)).fetchone()[0]
                self.assertEqual(v["is_favorite"], liked == 1)
            db.close()
            self.assertEqual(c.fetch_url(feed[0]["play_url"]).status, 200)
            self.assertEqual(c.login("seed7", "seed-password")["user_id"], 7)
            self.assertTrue(c.chat(token, 2), "seeded conversations exist between token holders")
        finally:
            server.stop()
            server.cleanup()

    def test_verify_catches_a_drifted_counter(self):
        self.seed()
        db = sqlite3.connect(os.path.join(self.data, "db", "favorite.db"))
        db.execute("UPDATE video_stats SET favorite_count = favorite_count + 1 WHERE video_id = 1")
        db.commit()
        db.close()
        result = h.run_cli("verify", "--data-dir", self.data)
        self.assertEqual(result.returncode, 1, result.stdout)
        self.assertIn("favorite favorite_count/total_favorited: MISMATCHED", result.stdout)
        self.assertEqual(result.stdout.count(": exact (0 wrong)"), 3, result.stdout)

    def test_verify_refuses_a_folder_without_minitok_data_and_creates_nothing(self):
        missing = os.path.join(self.root, "does", "not", "exist")
        result = h.run_cli("verify", "--data-dir", missing)
        self.assertEqual(result.returncode, 1, result.stdout)
        self.assertIn("holds no minitok data", result.stderr)
        self.assertNotIn("exact", result.stdout)
        self.assertFalse(os.path.exists(os.path.join(self.root, "does")))
        empty = os.path.join(self.root, "empty")
        os.mkdir(empty)
        result = h.run_cli("verify", "--data-dir", empty)
        self.assertEqual(result.returncode, 1, result.stdout)
        self.assertIn("user.db is missing", result.stderr)
        self.assertEqual(os.listdir(empty), [])

    def test_refuses_a_folder_with_data(self):
        self.seed()
        again = h.run_cli("seed", "--data-dir", self.data)
        self.assertNotEqual(again.returncode, 0)
        self.assertIn("empty data folder", again.stderr)
        bad = h.run_cli("seed", "--data-dir", os.path.join(self.root, "other"), "--users", "many")
        self.assertEqual(bad.returncode, 2)


if __name__ == "__main__":
    h.main()
