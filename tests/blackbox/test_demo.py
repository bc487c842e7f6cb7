"""The official demo's black-box tests (reference §4, scenarios 1-7), reproduced the way httpexpect
sends them: every parameter in the query string AND in an urlencoded form body (GET requests too),
ids read back as JSON numbers and re-sent as Go-formatted float64 (fmt.Sprint)."""

import harness as h
from harness import OK, go_fmt

USER_A = "douyinTestUserA"
USER_B = "douyinTestUserB"


class DemoScenarios(h.ServerCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # publish a video first so the feed is non-empty (server runs with --no-demo)
        a_id, a_tok = cls.get_test_user_token(USER_A)
        d = cls.c.api("POST", "/douyin/publish/action/",
                      multipart=([("token", a_tok), ("title", "Bear")],
                                 [("data", "bear.mp4", "application/octet-stream", h.read_bytes(h.sample_video()))]),
                      expect=OK)
        cls.c.wait_ready(a_tok, d["video_id"])  # the feed shows ready videos only

    @classmethod
    def get_test_user_token(cls, name):
        """test/common.go getTestUserToken: register (query + form), fall back to login."""
        params = {"username": name, "password": name}
        reg = cls.c.demo("POST", "/douyin/user/register/", params)
        assert isinstance(reg.get("token"), str), reg
        if reg["token"] == "":
            login = cls.c.demo("POST", "/douyin/user/login/", params)
            assert isinstance(login.get("token"), str) and len(login["token"]) > 0, login
            assert h.is_int(login.get("user_id")), login
            return login["user_id"], login["token"]
        assert h.is_int(reg.get("user_id")), reg
        return reg["user_id"], reg["token"]

    def first_feed_video(self):
        d = self.c.demo("GET", "/douyin/feed/", {})
        self.assertEqual(d["status_code"], 0)
        self.assertGreater(len(d["video_list"]), 0)
        return float(d["video_list"][0]["id"])  # httpexpect reads it as float64

    def test_0_get_test_user_token_twice(self):
        # second call takes the login path (register answers token "" for an existing name)
        id1, tok1 = self.get_test_user_token(USER_B)
        id2, tok2 = self.get_test_user_token(USER_B)
        self.assertEqual(id1, id2)
        self.assertTrue(tok1 and tok2)
        dup = self.c.demo("POST", "/douyin/user/register/", {"username": USER_B, "password": USER_B})
        self.assertEqual(dup["status_code"], h.EXISTS)
        self.assertEqual((dup["token"], dup["user_id"]), ("", 0))

    def test_1_feed(self):
        r = self.c.request("GET", "/douyin/feed/")
        self.assertEqual(r.status, 200)
        d = r.json()
        self.assertIs(type(d["status_code"]), int)
        self.assertEqual(d["status_code"], 0)
        self.assertIsInstance(d["video_list"], list)
        self.assertGreaterEqual(len(d["video_list"]), 1)
        for v in d["video_list"]:
            self.assertIn("id", v)
            self.assertIn("author", v)
            self.assertIsInstance(v["play_url"], str)
            self.assertTrue(v["play_url"])
            self.assertIsInstance(v["cover_url"], str)
            self.assertTrue(v["cover_url"])
        # same with the demo's (empty) form body on a GET
        d2 = self.c.demo("GET", "/douyin/feed/", {})
        self.assertEqual(d2["status_code"], 0)

    def test_2_user_action(self):
        name = f"douyin{h.random.randrange(65536)}{h.rand_suffix(4)}"
        params = {"username": name, "password": name}
        reg = self.c.demo("POST", "/douyin/user/register/", params, expect=OK)
        self.assertGreater(reg["user_id"], 0)
        self.assertTrue(reg["token"])
        login = self.c.demo("POST", "/douyin/user/login/", params, expect=OK)
        self.assertGreater(login["user_id"], 0)
        self.assertTrue(login["token"])
        self.assertEqual(login["user_id"], reg["user_id"])
        info = self.c.demo("GET", "/douyin/user/", {"token": login["token"]}, expect=OK)
        u = info["user"]
        self.assertTrue(u)
        self.assertGreater(u["id"], 0)
        self.assertEqual(u["id"], reg["user_id"])
        self.assertEqual(u["name"], name)

    def test_3_publish(self):
        a_id, a_tok = self.get_test_user_token(USER_A)
        d = self.c.api("POST", "/douyin/publish/action/",
                       multipart=([("token", a_tok), ("title", "Bear")],
                                  [("data", "bear.mp4", "application/octet-stream",
                                    h.read_bytes(h.sample_video()))]))
        self.assertEqual(d["status_code"], 0, d)
        lst = self.c.demo("GET", "/douyin/publish/list/", {"user_id": go_fmt(a_id), "token": a_tok}, expect=OK)
        self.assertGreater(len(lst["video_list"]), 0)
        for v in lst["video_list"]:
            self.assertIn("id", v)
            self.assertIn("author", v)
            self.assertTrue(v["play_url"])
            self.assertTrue(v["cover_url"])
        self.assertTrue(all(v["title"] == "Bear" for v in lst["video_list"]))

    def test_4_favorite(self):
        vid = self.first_feed_video()
        a_id, a_tok = self.get_test_user_token(USER_A)
        self.c.demo("POST", "/douyin/favorite/action/",
                    {"token": a_tok, "video_id": go_fmt(vid), "action_type": 1}, expect=OK)
        # the demo suite runs again on persistent storage: a repeated like must still be 0
        self.c.demo("POST", "/douyin/favorite/action/",
                    {"token": a_tok, "video_id": go_fmt(vid), "action_type": 1}, expect=OK)
        lst = self.c.demo("GET", "/douyin/favorite/list/", {"token": a_tok, "user_id": go_fmt(a_id)}, expect=OK)
        self.assertIsInstance(lst["video_list"], list)
        for v in lst["video_list"]:
            self.assertIn("id", v)
            self.assertIn("author", v)
            self.assertTrue(v["play_url"])
            self.assertTrue(v["cover_url"])
        self.assertIn(int(vid), [v["id"] for v in lst["video_list"]])

    def test_4b_exponent_ids(self):
        """Ids >= 1e6 arrive as 1.234567e+06; exact exponent forms must parse, inexact ones must not."""
        vid = int(self.first_feed_video())
        a_id, a_tok = self.get_test_user_token(USER_A)
        forms = [f"{vid:.6e}", f"{vid}e0", f"{vid * 10}e-1", f"{vid:.2E}".lower()]
        for form in [f for f in forms if float(f) == vid]:
            self.c.demo("POST", "/douyin/favorite/action/",
                        {"token": a_tok, "video_id": form, "action_type": "1"}, expect=OK)
        lst = self.c.demo("GET", "/douyin/favorite/list/", {"token": a_tok, "user_id": f"{a_id:.6e}"}, expect=OK)
        self.assertIn(vid, [v["id"] for v in lst["video_list"]])
        # 1.234567e+06 == 1234567: a well-formed id of a video that does not exist -> not found
        d = self.c.demo("POST", "/douyin/favorite/action/",
                        {"token": a_tok, "video_id": go_fmt(1234567), "action_type": 1})
        self.assertEqual(go_fmt(1234567), "1.234567e+06")
        self.assertEqual(d["status_code"], h.NOT_FOUND, d)
        d = self.c.demo("POST", "/douyin/favorite/action/", {"token": a_tok, "video_id": "1e3", "action_type": 1})
        self.assertEqual(d["status_code"], h.NOT_FOUND, d)
        # inexact -> invalid argument
        for bad in ("1.2345675e+06", f"{vid}.5", "1e-1"):
            d = self.c.demo("POST", "/douyin/favorite/action/", {"token": a_tok, "video_id": bad, "action_type": 1})
            self.assertEqual(d["status_code"], h.INVALID, f"video_id={bad}: {d}")

    def test_5_comment(self):
        vid = self.first_feed_video()
        a_id, a_tok = self.get_test_user_token(USER_A)
        d = self.c.demo("POST", "/douyin/comment/action/",
                        {"token": a_tok, "video_id": go_fmt(vid), "action_type": 1, "comment_text": "测试评论"},
                        expect=OK)
        self.assertTrue(h.is_int(d["comment"]["id"]))
        self.assertGreater(d["comment"]["id"], 0)
        cid = d["comment"]["id"]
        lst = self.c.demo("GET", "/douyin/comment/list/", {"token": a_tok, "video_id": go_fmt(vid)}, expect=OK)
        found = False
        for c in lst["comment_list"]:
            self.assertIn("id", c)
            self.assertIn("user", c)
            self.assertTrue(c["content"])
            self.assertTrue(c["create_date"])
            if c["id"] == cid:
                found = True
                self.assertEqual(c["content"], "测试评论")
        self.assertTrue(found, "can't find test comment")
        self.c.demo("POST", "/douyin/comment/action/",
                    {"token": a_tok, "video_id": go_fmt(vid), "action_type": 2, "comment_id": go_fmt(cid)}, expect=OK)
        lst = self.c.demo("GET", "/douyin/comment/list/", {"token": a_tok, "video_id": go_fmt(vid)}, expect=OK)
        self.assertNotIn(cid, [c["id"] for c in lst["comment_list"]])

    def test_6_relation(self):
        a_id, a_tok = self.get_test_user_token(USER_A)
        b_id, b_tok = self.get_test_user_token(USER_B)
        for _ in range(2):  # repeat: idempotent
            self.c.demo("POST", "/douyin/relation/action/",
                        {"token": a_tok, "to_user_id": go_fmt(b_id), "action_type": 1}, expect=OK)
        lst = self.c.demo("GET", "/douyin/relation/follow/list/", {"token": a_tok, "user_id": go_fmt(a_id)},
                          expect=OK)
        self.assertIn(b_id, [u["id"] for u in lst["user_list"]])
        lst = self.c.demo("GET", "/douyin/relation/follower/list/", {"token": b_tok, "user_id": go_fmt(b_id)},
                          expect=OK)
        self.assertIn(a_id, [u["id"] for u in lst["user_list"]])

    def test_7_chat(self):
        a_id, a_tok = self.get_test_user_token(USER_A)
        b_id, b_tok = self.get_test_user_token(USER_B)
        # content only in the query string, twice; the rest in query and form
        d = self.c.api("POST", "/douyin/message/action/",
                       query=[("token", a_tok), ("to_user_id", go_fmt(b_id)), ("action_type", "1"),
                              ("content", "Send to UserB"), ("content", "Send to UserB")],
                       form=[("token", a_tok), ("to_user_id", go_fmt(b_id)), ("action_type", "1")], expect=OK)
        la = self.c.demo("GET", "/douyin/message/chat/", {"token": a_tok, "to_user_id": go_fmt(b_id)}, expect=OK)
        self.assertGreater(len(la["message_list"]), 0)
        lb = self.c.demo("GET", "/douyin/message/chat/", {"token": b_tok, "to_user_id": go_fmt(a_id)}, expect=OK)
        self.assertGreater(len(lb["message_list"]), 0)
        m = la["message_list"][-1]
        self.assertEqual(m["content"], "Send to UserB")
        self.assertEqual((m["from_user_id"], m["to_user_id"]), (a_id, b_id))
        self.assertEqual([x["id"] for x in la["message_list"]], [x["id"] for x in lb["message_list"]])


if __name__ == "__main__":
    h.main()
