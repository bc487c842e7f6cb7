"""message/action, message/chat and message/conversations (the inbox): no friendship needed, both directions oldest first, pre_msg_time
(ms and seconds, strictly newer), unique increasing create_time, 500-message cap."""

import threading
import time

import harness as h
from harness import OK, INVALID, UNAUTH, NOT_FOUND


class MessageTests(h.ServerCase):
    def test_send_and_chat_both_directions(self):
        a, b, c = self.c.new_user("ma"), self.c.new_user("mb"), self.c.new_user("mc")
        t0 = int(time.time() * 1000)
        self.c.send(a.token, b.id, "m1 from A")  # no friendship, no follow at all
        self.c.send(b.token, a.id, "m2 from B 你好")
        self.c.send(a.token, b.id, "m3 from A")
        self.c.send(a.token, c.id, "to C only")
        t1 = int(time.time() * 1000)
        la = self.c.chat(a.token, b.id)
        lb = self.c.chat(b.token, a.id)
        self.assertEqual([m["content"] for m in la], ["m1 from A", "m2 from B 你好", "m3 from A"])
        self.assertEqual([m["id"] for m in la], [m["id"] for m in lb])
        self.assertEqual([(m["from_user_id"], m["to_user_id"]) for m in la],
                         [(a.id, b.id), (b.id, a.id), (a.id, b.id)])
        times = [m["create_time"] for m in la]
        self.assertEqual(times, sorted(set(times)), "create_time must be unique and increasing")
        for t in times:
            self.assertTrue(t0 - 2000 <= t <= t1 + 2000, f"create_time {t} is not epoch ms near [{t0}, {t1}]")
        self.assertEqual([m["content"] for m in self.c.chat(c.token, a.id)], ["to C only"])
        self.assertEqual(self.c.chat(c.token, b.id), [])
        # 0 means "no pre_msg_time"
        self.assertEqual([m["id"] for m in self.c.chat(a.token, b.id, 0)], [m["id"] for m in la])

    def conversations(self, token, expect=OK, **query):
        return self.c.api("GET", "/douyin/message/conversations/", query={"token": token, **query}, expect=expect)

    def test_conversations_list_everyone_in_either_direction_newest_first(self):
        # The inbox (a minitok extension): every peer with at least one message either way, friend or
        # not, with the last message, ordered by it; the user as seen by the viewer (is_follow).
        me, friend, stranger, other = (self.c.new_user(n) for n in ("cv_me", "cv_friend", "cv_stranger", "cv_other"))
        self.c.follow(me.token, friend.id, 1)
        self.c.follow(friend.token, me.id, 1)
        self.c.send(me.token, friend.id, "hello friend")
        self.c.send(stranger.token, me.id, "you do not follow me back")
        self.c.send(friend.token, me.id, "hi back")
        self.c.send(stranger.token, other.id, "not about me")
        d = self.conversations(me.token)
        listed = [(e["user"]["id"], e["last_message"]["content"], e["user"]["is_follow"])
                  for e in d["conversation_list"]]
        self.assertEqual(listed, [(friend.id, "hi back", True), (stranger.id, "you do not follow me back", False)])
        for entry in d["conversation_list"]:
            h.check_user(entry["user"], "conversation user")
            h.check_message(entry["last_message"], "last_message")
        self.assertEqual(d["conversation_list"][1]["last_message"]["to_user_id"], me.id)
        # the stranger sees both of theirs; a new message moves a conversation to the top
        self.assertEqual([e["user"]["id"] for e in self.conversations(stranger.token)["conversation_list"]],
                         [other.id, me.id])
        self.c.send(me.token, stranger.id, "now I answer")
        self.assertEqual([e["user"]["id"] for e in self.conversations(me.token)["conversation_list"]],
                         [stranger.id, friend.id])
        # paging, and bad input: no token, an invalid one, a bad limit (each with its list empty)
        self.assertEqual([e["user"]["id"] for e in self.conversations(me.token, limit=1, offset=1)["conversation_list"]],
                         [friend.id])
        for token, query, code in ((None, {}, UNAUTH), ("garbage", {}, UNAUTH), (me.token, {"limit": 0}, INVALID),
                                   (me.token, {"offset": -1}, INVALID)):
            params = dict(query, **({"token": token} if token else {}))
            d = self.c.api("GET", "/douyin/message/conversations/", query=params, expect=code)
            self.assertEqual(d["conversation_list"], [], d)
        self.assertEqual(self.conversations(self.c.new_user("cv_nobody").token)["conversation_list"], [])

    def test_pre_msg_time(self):
        a, b = self.c.new_user("pa"), self.c.new_user("pb")
        for i in range(6):
            sender, to = (a, b) if i % 2 == 0 else (b, a)
            self.c.send(sender.token, to.id, f"p{i}")
        full = self.c.chat(a.token, b.id)
        self.assertEqual(len(full), 6)
        times = [m["create_time"] for m in full]
        # milliseconds: strictly newer, both directions, oldest first
        for i, t in enumerate(times):
            for viewer, other in ((a, b), (b, a)):
                got = self.c.chat(viewer.token, other.id, t)
                self.assertEqual([m["id"] for m in got], [m["id"] for m in full[i + 1:]],
                                 f"pre_msg_time={t} (ms) viewer={viewer}")
        self.assertEqual(self.c.chat(a.token, b.id, times[-1]), [])
        self.assertEqual(len(self.c.chat(a.token, b.id, times[0] - 1)), 6)
        # seconds
        sec = times[0] // 1000
        want = [m["id"] for m in full if m["create_time"] > sec * 1000]
        self.assertEqual([m["id"] for m in self.c.chat(a.token, b.id, sec)], want, f"pre_msg_time={sec} (s)")
        self.assertEqual(len(self.c.chat(a.token, b.id, sec - 1)), 6)
        self.assertEqual(self.c.chat(a.token, b.id, times[-1] // 1000 + 1), [])
        # exponent form
        self.assertEqual([m["id"] for m in self.c.chat(a.token, b.id, h.go_fmt(times[2]))],
                         [m["id"] for m in full[3:]])
        for bad in ("abc", "1.5", ""):
            self.c.chat(a.token, b.id, bad, expect=INVALID)

    def test_create_time_unique_under_bursts(self):
        a, b = self.c.new_user("ba"), self.c.new_user("bb")
        for i in range(20):
            self.c.send(a.token, b.id, f"seq{i}")
        errors = []

        def worker(sender, to, n):
            try:
                for i in range(n):
                    self.c.send(sender.token, to.id, f"par-{sender.id}-{i}")
            except Exception as e:  # noqa: BLE001
                errors.append(e)

        ts = [threading.Thread(target=worker, args=(x, y, 10)) for x, y in ((a, b), (b, a), (a, b), (b, a))]
        for t in ts:
            t.start()
        for t in ts:
            t.join()
        self.assertEqual(errors, [])
        lst = self.c.chat(a.token, b.id)
        self.assertEqual(len(lst), 60)
        times = [m["create_time"] for m in lst]
        self.assertEqual(len(set(times)), 60, "create_time must be unique")
        self.assertEqual(times, sorted(times))
        self.assertEqual([m["content"] for m in lst[:20]], [f"seq{i}" for i in range(20)])
        ids = [m["id"] for m in lst]
        self.assertEqual(len(set(ids)), 60)
        # polling with each create_time yields exactly the rest
        for i in (0, 19, 40, 59):
            self.assertEqual(len(self.c.chat(b.token, a.id, times[i])), 59 - i)

    def test_errors(self):
        a, b = self.c.new_user("ea"), self.c.new_user("eb")
        self.c.send(a.token, a.id, "me", expect=INVALID)
        self.c.send(a.token, 999999, "ghost", expect=NOT_FOUND)
        for at in (2, 0, "x", ""):
            self.c.send(a.token, b.id, "bad type", action_type=at, expect=INVALID)
        self.c.send(a.token, b.id, "", expect=INVALID)
        self.c.send(a.token, b.id, "x" * 1001, expect=INVALID)
        self.c.send(a.token, b.id, "信" * 1001, expect=INVALID)
        self.c.api("POST", "/douyin/message/action/", query={"token": a.token, "to_user_id": b.id,
                                                              "action_type": 1}, expect=INVALID)
        self.c.send("garbage", b.id, "x", expect=UNAUTH)
        self.c.send(None, b.id, "x", expect=UNAUTH)
        self.c.api("POST", "/douyin/message/action/",
                   query="token=" + a.token + f"&to_user_id={b.id}&action_type=1&content=%FF%FE", expect=INVALID)
        self.assertEqual(self.c.chat(a.token, b.id), [])
        self.c.send(a.token, b.id, "信" * 1000)
        self.c.send(a.token, b.id, "😀" * 1000)
        self.assertEqual([m["content"] for m in self.c.chat(b.token, a.id)], ["信" * 1000, "😀" * 1000])
        self.c.chat("garbage", b.id, expect=UNAUTH)
        self.c.chat(None, b.id, expect=UNAUTH)
        d = self.c.api("GET", "/douyin/message/chat/", query={"token": a.token, "to_user_id": 999999},
                       expect=(OK, NOT_FOUND))
        if d["status_code"] == OK:
            self.assertEqual(d["message_list"], [])
        self.c.api("GET", "/douyin/message/chat/", query={"token": a.token}, expect=INVALID)

    def test_chat_cap_500(self):
        a, b = self.c.new_user("ca"), self.c.new_user("cb")
        n = 505
        for i in range(n):
            self.c.send(a.token, b.id, f"n{i}")
        lst = self.c.chat(b.token, a.id)
        self.assertEqual(len(lst), 500)
        self.assertEqual([m["content"] for m in lst], [f"n{i}" for i in range(n - 500, n)],
                         "chat must return the newest 500, oldest first")


if __name__ == "__main__":
    h.main()
