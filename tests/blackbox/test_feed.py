"""feed: newest first, <= 30 per page, paging by next_time without duplicates or gaps, latest_time
in seconds and milliseconds, empty pages; publish list limit/offset extension."""

import time

import harness as h
from harness import OK, INVALID

N_FIRST = 5      # published before the second boundary S
N_TOTAL = 35


class FeedTests(h.ServerCase):
    # tiny clips, transcoded small: the feed only holds ready videos, in the order they became ready
    server_kwargs = {"config": {"transcode_max_short_side": 64}}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        c = cls.c
        t0 = int(time.time() * 1000)
        cls.empty = c.feed()
        t1 = int(time.time() * 1000)
        cls.empty_window = (t0, t1)
        cls.author = c.new_user("feeder")
        cls.titles = [f"feed-{i:02d}" for i in range(N_TOTAL)]
        data = h.read_bytes(h.tiny_video())
        # each video is waited for, so "became ready" follows the publish order
        for i in range(N_FIRST):
            c.publish_ready(cls.author.token, cls.titles[i], data=data)
        # a second boundary S: the first 5 videos are strictly older than S seconds
        cls.S = int(time.time()) + 1
        while time.time() < cls.S + 0.05:
            time.sleep(0.02)
        for i in range(N_FIRST, N_TOTAL):
            c.publish_ready(cls.author.token, cls.titles[i], data=data)
        by_title = {v["title"]: v["id"] for v in c.publish_list(cls.author.id)}
        assert len(by_title) == N_TOTAL, by_title
        cls.ids = [by_title[t] for t in cls.titles]  # oldest first

    def page(self, latest_time=None, token=None):
        d = self.c.feed(latest_time=latest_time, token=token)
        return d["video_list"], d.get("next_time")

    def test_empty_feed(self):
        d = self.empty
        self.assertEqual(d["video_list"], [])
        self.assertIn("next_time", d)
        t0, t1 = self.empty_window
        self.assertTrue(t0 - 2000 <= d["next_time"] <= t1 + 2000,
                        f"empty page next_time should be now in ms: {d['next_time']} not in [{t0}, {t1}]")
        # latest_time long before any video -> empty page, next_time = effective latest_time (ms)
        lst, nt = self.page(1000)  # seconds
        self.assertEqual(lst, [])
        self.assertEqual(nt, 1_000_000)
        lst, nt = self.page(100_000_000_005)  # >= 1e11 -> milliseconds
        self.assertEqual(lst, [])
        self.assertEqual(nt, 100_000_000_005)

    def test_first_page_newest_first(self):
        for lt in (None, 0):
            lst, nt = self.page(lt)
            self.assertEqual(len(lst), 30)
            self.assertEqual([v["id"] for v in lst], list(reversed(self.ids))[:30])
            self.assertEqual([v["title"] for v in lst], list(reversed(self.titles))[:30])
            self.assertTrue(h.is_int(nt))
        a = lst[0]["author"]
        self.assertEqual((a["id"], a["name"], a["work_count"]), (self.author.id, self.author.name, N_TOTAL))

    def test_paging_no_duplicates_no_gaps(self):
        seen = []
        lt = None
        pages = 0
        while True:
            lst, nt = self.page(lt)
            pages += 1
            self.assertLessEqual(len(lst), 30)
            if not lst:
                self.assertEqual(nt, lt, "empty page: next_time must be the effective latest_time")
                break
            seen += [v["id"] for v in lst]
            self.assertTrue(h.is_int(nt))
            if lt is not None:
                self.assertLess(nt, lt)
            lt = nt
            self.assertLess(pages, 10)
        self.assertEqual(len(seen), len(set(seen)), "duplicates across pages")
        self.assertEqual(seen, list(reversed(self.ids)), "gap or wrong order across pages")
        self.assertEqual(pages, 3)

    def test_next_time_is_time_of_oldest_video(self):
        lst, nt = self.page()
        oldest = lst[-1]["id"]
        after, _ = self.page(nt + 1)
        self.assertEqual(after[0]["id"], oldest, "latest_time=next_time+1 must start with the page's oldest video")
        strict, _ = self.page(nt)
        self.assertNotIn(oldest, [v["id"] for v in strict], "latest_time is exclusive")
        self.assertEqual(strict[0]["id"], self.ids[N_TOTAL - 31])

    def test_go_formatted_latest_time(self):
        _, nt = self.page()
        ref, ref_nt = self.page(nt)
        for form in (h.go_fmt(nt), f"{nt}e0", f"{nt:.12e}" if float(f"{nt:.12e}") == nt else h.go_fmt(nt)):
            lst, nt2 = self.page(form)
            self.assertEqual([v["id"] for v in lst], [v["id"] for v in ref], f"latest_time={form}")
            self.assertEqual(nt2, ref_nt)

    def test_latest_time_seconds_and_ms(self):
        expected = list(reversed(self.ids[:N_FIRST]))
        lst, nt = self.page(self.S)
        self.assertEqual([v["id"] for v in lst], expected, f"latest_time={self.S} (seconds)")
        lst, nt2 = self.page(self.S * 1000)
        self.assertEqual([v["id"] for v in lst], expected, f"latest_time={self.S * 1000} (ms)")
        self.assertEqual(nt, nt2)
        self.assertLess(nt, self.S * 1000)
        # future latest_time behaves like now
        now = int(time.time())
        for lt in (now + 3600, (now + 3600) * 1000):
            lst, _ = self.page(lt)
            self.assertEqual([v["id"] for v in lst], list(reversed(self.ids))[:30], f"latest_time={lt}")

    def test_invalid_latest_time(self):
        for bad in ("abc", "1.5", "", "99999999999999999999", "1e400"):
            with self.subTest(latest_time=bad):
                d = self.c.api("GET", "/douyin/feed/", query={"latest_time": bad})
                self.assertEqual(d["status_code"], INVALID,
                                 f"latest_time={bad!r}: status_code {d['status_code']} {d['status_msg']!r}")
                h.check_error_msg(d, d["_desc"])

    def test_feed_with_token_and_invalid_token(self):
        viewer = self.c.new_user("viewer")
        for tok in (viewer.token, "garbage", viewer.token + "x"):
            lst, _ = self.page(token=tok)
            self.assertEqual([v["id"] for v in lst], list(reversed(self.ids))[:30])
            self.assertFalse(any(v["is_favorite"] for v in lst))
            self.assertFalse(any(v["author"]["is_follow"] for v in lst))

    def test_publish_list_limit_offset(self):
        full = self.c.publish_list(self.author.id)
        self.assertEqual(sorted(v["id"] for v in full), sorted(self.ids))
        got = []
        for off in (0, 10, 20, 30):
            part = self.c.publish_list(self.author.id, limit=10, offset=off)
            self.assertEqual(len(part), 10 if off < 30 else 5, f"offset={off}")
            self.assertEqual([v["id"] for v in part], [v["id"] for v in full[off:off + 10]])
            got += [v["id"] for v in part]
        self.assertEqual(len(set(got)), N_TOTAL)
        self.assertEqual(self.c.publish_list(self.author.id, offset=35), [])
        self.assertEqual(len(self.c.publish_list(self.author.id, limit=100)), N_TOTAL)
        for bad in ({"limit": 0}, {"limit": 101}, {"offset": -1}, {"limit": "x"}, {"limit": "1.5"}):
            self.c.publish_list(self.author.id, expect=INVALID, **bad)
        # empty list is an array
        other = self.c.new_user("nobody")
        self.assertEqual(self.c.publish_list(other.id), [])


if __name__ == "__main__":
    h.main()
