"""Black-box test harness for the minitok HTTP server (Python 3.11 standard library only).

The binary is taken from $MINITOK_BIN, else ../../build/minitok relative to this file.
It is started as
    minitok serve --listen 127.0.0.1:0 --data-dir DIR [--config FILE] [--public-url URL] [--no-demo]
and must print `minitok listening on http://HOST:PORT` as its first stdout line.

Every API answer read through Client.api() is checked against docs/api.md (formerly docs/api.md):
HTTP 200, JSON object, numeric status_code, string status_msg, lists are arrays, ids and counts are
JSON numbers (never bool/string), every User has all 11 fields, Video / Comment / Message fields.
"""

from __future__ import annotations

import atexit
import base64
import hashlib
import hmac
import http.client
import itertools
import json
import os
import random
import re
import secrets
import shutil
import signal
import socket
import string
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_BIN = os.path.normpath(os.path.join(HERE, "..", "..", "build", "minitok"))
START_TIMEOUT = 15.0
STOP_TIMEOUT = 10.0
LISTEN_RE = re.compile(r"^minitok listening on http://(\S+):(\d+)\s*$")
GRPC_RE = re.compile(r"^minitok (\w+) serving gRPC on (\S+):(\d+)\s*$")
MEDIA_LINE = "minitok media transcoding for the video service"
# MINITOK_TOPOLOGY=split starts every Server the suites make as a split topology: one process per
# service and one of media workers, each service serving gRPC and registered in a Debian etcd (one per
# test process, a cluster name per Server), and two HTTP gateways finding them there; a client's
# requests alternate between the two gateways.
TOPOLOGY = os.environ.get("MINITOK_TOPOLOGY", "embedded")
SERVICES = ("user", "video", "favorite", "comment", "relation", "message")


def embedded_only(reason: str):
    """Skips a test in the split run: for what only the one-process shape has (demo content, the
    start and stop of that one process). Say why."""
    return unittest.skipIf(TOPOLOGY == "split", "embedded shape only: " + reason)

# Error codes (docs/api.md)
OK = 0
INVALID = 10001
UNAUTH = 10002
DENIED = 10003
NOT_FOUND = 10004
EXISTS = 10005
EXHAUSTED = 10006
INTERNAL = 10500

USER_FIELDS = ("id", "name", "follow_count", "follower_count", "is_follow", "avatar",
               "background_image", "signature", "total_favorited", "work_count", "favorite_count")
VIDEO_FIELDS = ("id", "author", "play_url", "cover_url", "favorite_count", "comment_count",
                "is_favorite", "title")
COMMENT_FIELDS = ("id", "user", "content", "create_date")
MESSAGE_FIELDS = ("id", "to_user_id", "from_user_id", "content", "create_time")
INT_KEYS = {"id", "user_id", "video_id", "to_user_id", "from_user_id", "follow_count", "follower_count",
            "total_favorited", "work_count", "favorite_count", "comment_count", "create_time",
            "next_time", "status_code", "msgType", "msg_type"}
BOOL_KEYS = {"is_follow", "is_favorite"}
LIST_KEYS = {"video_list", "comment_list", "user_list", "message_list"}

ROUTE_KEYS = {
    "/douyin/feed": "video_list", "/douyin/publish/list": "video_list", "/douyin/favorite/list": "video_list",
    "/douyin/comment/list": "comment_list", "/douyin/relation/follow/list": "user_list",
    "/douyin/relation/follower/list": "user_list", "/douyin/relation/friend/list": "user_list",
    "/douyin/message/chat": "message_list", "/douyin/user": "user",
}

# Words that must never leak into an error message
LEAK_WORDS = ("sql", "sqlite", "/tmp", "select ", "insert ", "constraint", "exception", "std::")


def minitok_bin() -> str:
    return os.environ.get("MINITOK_BIN") or DEFAULT_BIN


def run_cli(*args) -> subprocess.CompletedProcess:
    """Runs a minitok command (seed, verify, ...) to its end; its output is captured as text."""
    return subprocess.run([minitok_bin(), *args], capture_output=True, text=True, timeout=300)


def rand_suffix(n: int = 8) -> str:
    return "".join(random.choice(string.ascii_lowercase + string.digits) for _ in range(n))


def is_int(v) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def go_fmt(v) -> str:
    """Format a number the way Go's fmt.Sprint formats a float64 (what httpexpect's WithQuery /
    WithFormField do with ids the demo tests read via .Number()): strconv 'g' with shortest precision,
    which switches to exponent form when the decimal exponent is < -4 or >= 6.
    1234567 -> "1.234567e+06", 1000000 -> "1e+06", 999999 -> "999999", 42 -> "42"."""
    from decimal import Decimal
    f = float(v)
    if f == 0:
        return "0"
    sign = "-" if f < 0 else ""
    _, digits, exp = Decimal(repr(abs(f))).normalize().as_tuple()
    ds = "".join(map(str, digits))
    e10 = len(ds) - 1 + exp
    if e10 < -4 or e10 >= 6:
        mant = ds[0] + ("." + ds[1:] if len(ds) > 1 else "")
        return f"{sign}{mant}e{'+' if e10 >= 0 else '-'}{abs(e10):02d}"
    return sign + format(Decimal(repr(abs(f))).normalize(), "f")


# ---------------------------------------------------------------------------------------------
# media helpers

_media_lock = threading.Lock()
_media_cache: dict[str, str] = {}
_media_dir: str | None = None


def _media_root() -> str:
    global _media_dir
    env = os.environ.get("MINITOK_MEDIA_CACHE")
    if env:
        os.makedirs(env, exist_ok=True)
        return env
    if _media_dir is None:
        _media_dir = tempfile.mkdtemp(prefix="minitok-media-")
        atexit.register(shutil.rmtree, _media_dir, True)
    return _media_dir


def _ffmpeg(name: str, args: list[str]) -> str:
    with _media_lock:
        if name in _media_cache:
            return _media_cache[name]
        path = os.path.join(_media_root(), name)
        if not os.path.exists(path) or os.path.getsize(path) == 0:
            tmp = path + f".{os.getpid()}.tmp{os.path.splitext(name)[1]}"
            cmd = ["ffmpeg", "-hide_banner", "-loglevel", "error", "-nostdin", "-y"] + args + [tmp]
            res = subprocess.run(cmd, capture_output=True, timeout=120)
            if res.returncode != 0:
                raise RuntimeError(f"ffmpeg failed: {' '.join(cmd)}\n{res.stderr.decode(errors='replace')}")
            os.replace(tmp, path)
        _media_cache[name] = path
        return path


def sample_video() -> str:
    """A 2 s 320x240 H.264/AAC mp4 (the command from the test brief)."""
    return _ffmpeg("sample.mp4", ["-f", "lavfi", "-i", "testsrc=size=320x240:rate=25", "-f", "lavfi",
                                  "-i", "sine", "-t", "2", "-c:v", "libx264", "-pix_fmt", "yuv420p",
                                  "-c:a", "aac"])


def tiny_video() -> str:
    """A 1 s 160x120 mp4 for bulk uploads."""
    return _ffmpeg("tiny.mp4", ["-f", "lavfi", "-i", "testsrc=size=160x120:rate=10", "-f", "lavfi",
                                "-i", "sine", "-t", "1", "-c:v", "libx264", "-pix_fmt", "yuv420p",
                                "-c:a", "aac"])


def audio_only() -> str:
    """An mp4 container with an AAC track and no video stream."""
    return _ffmpeg("audio-only.mp4", ["-f", "lavfi", "-i", "sine", "-t", "1", "-c:a", "aac"])


def make_media(name: str, args: list[str]) -> str:
    """Generate (once, cached like the samples) an ffmpeg output named `name` from ffmpeg arguments."""
    return _ffmpeg(name, args)


def read_bytes(path: str) -> bytes:
    with open(path, "rb") as f:
        return f.read()


def ffprobe(path_or_bytes) -> dict:
    """ffprobe -show_streams -show_format as a dict; bytes are written to a temporary file first."""
    tmp = None
    path = path_or_bytes
    if isinstance(path_or_bytes, (bytes, bytearray)):
        fd, tmp = tempfile.mkstemp(prefix="minitok-probe-", suffix=".bin")
        with os.fdopen(fd, "wb") as f:
            f.write(path_or_bytes)
        path = tmp
    try:
        res = subprocess.run(["ffprobe", "-v", "error", "-show_streams", "-show_format", "-of", "json", path],
                             capture_output=True, timeout=60)
        if res.returncode != 0:
            raise AssertionError(f"ffprobe cannot read the file: {res.stderr.decode(errors='replace')[:500]}")
        return json.loads(res.stdout)
    finally:
        if tmp:
            os.unlink(tmp)


def stream_rotation(stream: dict) -> int:
    """Display rotation of a video stream in degrees (0 when none): rotate tag or display matrix side data."""
    rot = stream.get("tags", {}).get("rotate")
    if rot is not None:
        return int(float(rot)) % 360
    for sd in stream.get("side_data_list", []) or []:
        if "rotation" in sd:
            return int(float(sd["rotation"])) % 360
    return 0


def mp4_top_atoms(data: bytes) -> list[tuple[str, int, int]]:
    """Top-level ISO BMFF boxes of `data` as (type, offset, size), stopping at the first broken header."""
    out = []
    off = 0
    while off + 8 <= len(data):
        size = int.from_bytes(data[off:off + 4], "big")
        typ = data[off + 4:off + 8].decode("latin-1")
        hdr = 8
        if size == 1:
            if off + 16 > len(data):
                break
            size = int.from_bytes(data[off + 8:off + 16], "big")
            hdr = 16
        elif size == 0:
            size = len(data) - off
        if size < hdr:
            break
        out.append((typ, off, size))
        off += size
    return out


def tree_files(*dirs: str) -> set[str]:
    """All regular files below the given folders (paths as given + relative)."""
    out = set()
    for d in dirs:
        for root, _, files in os.walk(d):
            for f in files:
                out.add(os.path.join(root, f))
    return out


def processes_mentioning(marker: str, names=("ffmpeg", "ffprobe")) -> list[tuple[int, str]]:
    """(pid, cmdline) of live processes whose program is one of `names` and whose argv mentions `marker`."""
    found = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                argv = [a.decode("utf-8", "replace") for a in f.read().split(b"\0") if a]
            with open(f"/proc/{pid}/stat", "rb") as f:
                state = f.read().rsplit(b")", 1)[1].split()[0]
        except OSError:
            continue
        if not argv or state == b"Z":
            continue
        if os.path.basename(argv[0]) in names and any(marker in a for a in argv[1:]):
            found.append((int(pid), " ".join(argv)[:300]))
    return found


# ---------------------------------------------------------------------------------------------
# multipart / urlencoding

def encode_pairs(params) -> list[tuple[str, str]]:
    if params is None:
        return []
    items = params.items() if isinstance(params, dict) else params
    out = []
    for k, v in items:
        if isinstance(v, bool):
            v = "true" if v else "false"
        out.append((str(k), v if isinstance(v, (str, bytes)) else str(v)))
    return out


def urlencode(params) -> str:
    return urllib.parse.urlencode(encode_pairs(params))


def multipart_encode(fields=None, files=None, boundary: str | None = None) -> tuple[bytes, str]:
    """fields: dict or pairs of name -> str/bytes; files: list of (name, filename, content_type, bytes).
    Returns (body, content_type_header)."""
    boundary = boundary or "----minitokBoundary" + secrets.token_hex(12)
    parts: list[bytes] = []
    for name, value in encode_pairs(fields):
        data = value.encode("utf-8") if isinstance(value, str) else value
        parts.append(f"--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n".encode("utf-8")
                     + data + b"\r\n")
    for name, filename, ctype, data in files or []:
        parts.append(
            (f"--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{filename}\"\r\n"
             f"Content-Type: {ctype}\r\n\r\n").encode("utf-8") + data + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


# ---------------------------------------------------------------------------------------------
# HTTP client

class Response:
    def __init__(self, status: int, reason: str, headers: list[tuple[str, str]], body: bytes, desc: str):
        self.status = status
        self.reason = reason
        self.headers = headers
        self.body = body
        self.desc = desc
        self._json = None

    def header(self, name: str, default=None):
        for k, v in self.headers:
            if k.lower() == name.lower():
                return v
        return default

    def json(self):
        if self._json is None:
            try:
                self._json = json.loads(self.body.decode("utf-8"))
            except Exception as e:  # noqa: BLE001
                raise AssertionError(f"{self.desc}: body is not JSON ({e}): {self.body[:300]!r}") from None
        return self._json

    def __repr__(self):
        return f"<Response {self.status} {self.body[:200]!r}>"


class ApiError(AssertionError):
    pass


def describe(method, path, query, form, headers) -> str:
    s = f"{method} {path}"
    if query:
        s += "?" + (query if isinstance(query, str) else urlencode(query))
    if form is not None:
        s += f" body={form if isinstance(form, (str, bytes)) else urlencode(form)!s:.300}"
    if headers:
        s += f" headers={ {k: (v[:40] + '...' if len(v) > 40 else v) for k, v in headers.items()} }"
    return s


class Client:
    def __init__(self, host: str, port: int, timeout: float = 30.0, source: str | None = None,
                 ports: list[int] | None = None):
        """source: the local address to connect from (any of 127.0.0.0/8 on loopback). ports: the
        gateways to take turns on, one request each (default: `port` only)."""
        self.host = host
        self.port = port
        self.timeout = timeout
        self.source = source
        self.ports = list(ports or [port])
        self._turns = itertools.cycle(self.ports)
        self._uid_by_token: dict[str, int] = {}

    @property
    def base(self) -> str:
        return f"http://{self.host}:{self.port}"

    # -- low level ---------------------------------------------------------------------------
    def request(self, method: str, path: str, query=None, form=None, multipart=None, body: bytes | None = None,
                content_type: str | None = None, headers: dict | None = None, bearer: str | None = None,
                timeout: float | None = None) -> Response:
        """query: dict/pairs or a raw (already encoded) string; form: dict/pairs/raw str -> urlencoded body;
        multipart: (fields, files) tuple."""
        hdrs = dict(headers or {})
        url = path
        if query:
            url += ("&" if "?" in url else "?") + (query if isinstance(query, str) else urlencode(query))
        if form is not None:
            body = (form if isinstance(form, str) else urlencode(form)).encode("utf-8") \
                if not isinstance(form, bytes) else form
            content_type = content_type or "application/x-www-form-urlencoded"
        elif multipart is not None:
            fields, files = multipart
            body, content_type = multipart_encode(fields, files)
        if content_type:
            hdrs["Content-Type"] = content_type
        if bearer is not None:
            hdrs["Authorization"] = f"Bearer {bearer}"
        desc = describe(method, path, query, form if form is not None else
                        (f"<multipart {[k for k, _ in encode_pairs(multipart[0])]}>" if multipart else None), hdrs)
        conn = http.client.HTTPConnection(self.host, next(self._turns), timeout=timeout or self.timeout,
                                          source_address=(self.source, 0) if self.source else None)
        try:
            skip_host = any(k.lower() == "host" for k in hdrs)
            conn.putrequest(method, url, skip_host=skip_host, skip_accept_encoding=True)
            for k, v in hdrs.items():
                conn.putheader(k, v)
            if body is not None:
                conn.putheader("Content-Length", str(len(body)))
            conn.endheaders(body)
            r = conn.getresponse()
            data = r.read()
            return Response(r.status, r.reason, r.getheaders(), data, desc)
        finally:
            conn.close()

    def get(self, path, query=None, **kw) -> Response:
        return self.request("GET", path, query=query, **kw)

    def post(self, path, query=None, **kw) -> Response:
        return self.request("POST", path, query=query, **kw)

    def raw(self, data: bytes, timeout: float = 10.0, send_delay: float = 0.0) -> bytes:
        """Send raw bytes on a new TCP connection and return everything read until EOF/timeout."""
        return raw_request(self.host, self.port, data, timeout=timeout)

    def fetch_url(self, url: str, headers=None) -> Response:
        """GET an absolute URL produced by the server, against this server (host/port of the URL ignored)."""
        u = urllib.parse.urlsplit(url)
        path = u.path + (("?" + u.query) if u.query else "")
        return self.request("GET", path, headers=headers)

    # -- API level -----------------------------------------------------------------------------
    def api(self, method: str, path: str, query=None, form=None, multipart=None, bearer=None, headers=None,
            expect=None, body=None, content_type=None) -> dict:
        r = self.request(method, path, query=query, form=form, multipart=multipart, bearer=bearer, headers=headers,
                         body=body, content_type=content_type)
        if r.status != 200:
            raise ApiError(f"{r.desc}: expected HTTP 200, got {r.status}: {r.body[:300]!r}")
        d = r.json()
        validate_envelope(d, r.desc)
        if expect is not None:
            codes = expect if isinstance(expect, (tuple, list, set)) else (expect,)
            if d["status_code"] not in codes:
                raise ApiError(f"{r.desc}: expected status_code {expect}, got {d['status_code']} "
                               f"({d.get('status_msg')!r}); body={json.dumps(d, ensure_ascii=False)[:600]}")
            if d["status_code"] != 0:
                check_error_msg(d, r.desc)
        d["_desc"] = r.desc
        return d

    # Demo style: every parameter twice, in the query string and in an urlencoded body (GET too).
    def demo(self, method: str, path: str, params, expect=None) -> dict:
        return self.api(method, path, query=params, form=params, expect=expect)

    # -- domain helpers ------------------------------------------------------------------------
    def register(self, username, password, expect=OK) -> dict:
        d = self.api("POST", "/douyin/user/register/", query={"username": username, "password": password},
                     expect=expect)
        check_auth_reply(d)
        return d

    def login(self, username, password, expect=OK) -> dict:
        d = self.api("POST", "/douyin/user/login/", query={"username": username, "password": password},
                     expect=expect)
        check_auth_reply(d)
        return d

    def new_user(self, prefix: str = "u") -> "TestUser":
        name = f"{prefix}_{rand_suffix(10)}"[:32]
        pw = "pw_" + rand_suffix(8)
        for attempt in range(20):
            d = self.api("POST", "/douyin/user/register/", query={"username": name, "password": pw})
            check_auth_reply(d)
            if d["status_code"] == EXHAUSTED:  # hashing pool busy: retry
                time.sleep(0.1 * (attempt + 1))
                continue
            if d["status_code"] != OK:
                raise ApiError(f"register {name}: {d}")
            assert d["user_id"] > 0 and d["token"], d
            return TestUser(d["user_id"], name, pw, d["token"])
        raise ApiError(f"register {name}: server stayed busy")

    def user_info(self, token=None, user_id=None, expect=OK, **kw) -> dict:
        q = {}
        if user_id is not None:
            q["user_id"] = user_id
        if token is not None:
            q["token"] = token
        return self.api("GET", "/douyin/user/", query=q, expect=expect, **kw)

    def user(self, user_id, token=None) -> dict:
        return self.user_info(token=token, user_id=user_id)["user"]

    def publish(self, token, title, path=None, data=None, filename="video.mp4", ctype="video/mp4", expect=OK,
                query=None, extra_fields=None, bearer=None) -> dict:
        if data is None:
            data = read_bytes(path or tiny_video())
        fields = []
        if token is not None:
            fields.append(("token", token))
        if title is not None:
            fields.append(("title", title))
        fields += list(encode_pairs(extra_fields))
        files = [("data", filename, ctype, data)] if data is not False else []
        return self.api("POST", "/douyin/publish/action/", query=query, multipart=(fields, files), expect=expect,
                        bearer=bearer)

    # -- publishing pipeline: a published video is "processing" until the media worker made it "ready"
    def user_id_of(self, token) -> int:
        if token not in self._uid_by_token:
            self._uid_by_token[token] = self.user_info(token=token)["user"]["id"]
        return self._uid_by_token[token]

    def own_video(self, token, video_id, user_id=None) -> dict | None:
        """The video as its author sees it in their own publish list (with state, state_reason), or None."""
        uid = user_id or self.user_id_of(token)
        off = 0
        while True:
            page = self.publish_list(uid, token=token, limit=100, offset=off)
            for v in page:
                if v["id"] == video_id:
                    return v
            if len(page) < 100:
                return None
            off += 100

    def wait_ready(self, token, video_id, timeout: float = 60.0, user_id=None) -> dict:
        """Poll the author's publish list until the video is ready; fails clearly on failed, absence, timeout."""
        deadline = time.monotonic() + timeout
        delay = 0.02
        while True:
            v = self.own_video(token, video_id, user_id)
            if v is None:
                raise AssertionError(f"video {video_id} is not in its author's own publish list")
            state = v.get("state")
            if state == "ready":
                return v
            if state == "failed":
                raise AssertionError(f"video {video_id} ended 'failed': state_reason={v.get('state_reason')!r}")
            if state != "processing":
                raise AssertionError(f"video {video_id}: unexpected state {state!r} in the author's list: {v}")
            if time.monotonic() > deadline:
                raise AssertionError(f"video {video_id} still processing after {timeout}s "
                                     f"(state_reason={v.get('state_reason')!r})")
            time.sleep(delay)
            delay = min(delay * 1.5, 0.25)

    def publish_ready(self, token, title, timeout: float = 60.0, **kw) -> dict:
        """Publish (same arguments as publish) and wait until the video is ready; returns the author's view."""
        d = self.publish(token, title, **kw)
        vid = d.get("video_id")
        assert is_int(vid) and vid > 0, f"publish must answer a numeric video_id: {d}"
        return self.wait_ready(token, vid, timeout=timeout)

    def feed(self, token=None, latest_time=None, expect=OK) -> dict:
        q = {}
        if latest_time is not None:
            q["latest_time"] = latest_time
        if token is not None:
            q["token"] = token
        return self.api("GET", "/douyin/feed/", query=q, expect=expect)

    def publish_list(self, user_id, token=None, expect=OK, **extra) -> list:
        q = {"user_id": user_id, **extra}
        if token is not None:
            q["token"] = token
        return self.api("GET", "/douyin/publish/list/", query=q, expect=expect).get("video_list")

    def favorite(self, token, video_id, action_type=1, expect=OK) -> dict:
        return self.api("POST", "/douyin/favorite/action/",
                        query={"token": token, "video_id": video_id, "action_type": action_type}, expect=expect)

    def favorite_list(self, user_id, token=None, expect=OK, **extra) -> list:
        q = {"user_id": user_id, **extra}
        if token is not None:
            q["token"] = token
        return self.api("GET", "/douyin/favorite/list/", query=q, expect=expect).get("video_list")

    def comment_add(self, token, video_id, text, expect=OK) -> dict:
        return self.api("POST", "/douyin/comment/action/",
                        query={"token": token, "video_id": video_id, "action_type": 1, "comment_text": text},
                        expect=expect)

    def comment_delete(self, token, video_id, comment_id, expect=OK) -> dict:
        return self.api("POST", "/douyin/comment/action/",
                        query={"token": token, "video_id": video_id, "action_type": 2, "comment_id": comment_id},
                        expect=expect)

    def comment_list(self, video_id, token=None, expect=OK, **extra) -> list:
        q = {"video_id": video_id, **extra}
        if token is not None:
            q["token"] = token
        return self.api("GET", "/douyin/comment/list/", query=q, expect=expect).get("comment_list")

    def follow(self, token, to_user_id, action_type=1, expect=OK) -> dict:
        return self.api("POST", "/douyin/relation/action/",
                        query={"token": token, "to_user_id": to_user_id, "action_type": action_type}, expect=expect)

    def rel_list(self, kind, user_id, token=None, expect=OK, **extra) -> list:
        q = {"user_id": user_id, **extra}
        if token is not None:
            q["token"] = token
        return self.api("GET", f"/douyin/relation/{kind}/list/", query=q, expect=expect).get("user_list")

    def send(self, token, to_user_id, content, action_type=1, expect=OK) -> dict:
        return self.api("POST", "/douyin/message/action/",
                        query={"token": token, "to_user_id": to_user_id, "action_type": action_type,
                               "content": content}, expect=expect)

    def chat(self, token, to_user_id, pre_msg_time=None, expect=OK) -> list:
        q = {"token": token, "to_user_id": to_user_id}
        if pre_msg_time is not None:
            q["pre_msg_time"] = pre_msg_time
        return self.api("GET", "/douyin/message/chat/", query=q, expect=expect).get("message_list")


class TestUser:
    def __init__(self, id: int, name: str, password: str, token: str):
        self.id = id
        self.name = name
        self.password = password
        self.token = token

    def __repr__(self):
        return f"TestUser({self.id}, {self.name!r})"


def raw_request(host: str, port: int, data: bytes, timeout: float = 10.0, chunks: list[bytes] | None = None) -> bytes:
    """Send bytes on a new connection (from a helper thread, tolerating an early close or a server that stops
    reading) while reading the answer; returns what was read until one complete response, EOF or timeout."""
    s = socket.create_connection((host, port), timeout=timeout)
    out = b""

    def sender():
        try:
            s.sendall(data)
            for c in chunks or []:
                s.sendall(c)
        except OSError:
            pass

    t = threading.Thread(target=sender, daemon=True)
    t.start()
    try:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                b = s.recv(65536)
            except (socket.timeout, OSError):
                break
            if not b:
                break
            out += b
            if _complete_response(out):
                break
    finally:
        try:
            s.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        s.close()
        t.join(5)
    return out


def _dechunk(data: bytes) -> bytes | None:
    out = b""
    while True:
        i = data.find(b"\r\n")
        if i < 0:
            return None
        try:
            n = int(data[:i].split(b";")[0], 16)
        except ValueError:
            return None
        if n == 0:
            return out
        if len(data) < i + 2 + n + 2:
            return None
        out += data[i + 2:i + 2 + n]
        data = data[i + 2 + n + 2:]


def parse_raw(buf: bytes) -> tuple[int | None, dict, bytes | None]:
    """Parse the first HTTP response in buf -> (status, lower-cased headers, body or None if incomplete)."""
    i = buf.find(b"\r\n\r\n")
    if i < 0:
        return parse_raw_status(buf), {}, None
    lines = buf[:i].decode("latin-1").split("\r\n")
    hdrs = {}
    for ln in lines[1:]:
        if ":" in ln:
            k, v = ln.split(":", 1)
            hdrs[k.strip().lower()] = v.strip()
    rest = buf[i + 4:]
    if "chunked" in hdrs.get("transfer-encoding", "").lower():
        body = _dechunk(rest)
    elif "content-length" in hdrs:
        n = int(hdrs["content-length"])
        body = rest[:n] if len(rest) >= n else None
    else:
        body = rest
    return parse_raw_status(buf), hdrs, body


def _complete_response(buf: bytes) -> bool:
    i = buf.find(b"\r\n\r\n")
    if i < 0:
        return False
    status, hdrs, body = parse_raw(buf)
    if "content-length" in hdrs or "chunked" in hdrs.get("transfer-encoding", "").lower():
        return body is not None
    return False


def parse_raw_status(buf: bytes) -> int | None:
    m = re.match(rb"HTTP/1\.[01] (\d{3})", buf)
    return int(m.group(1)) if m else None


def raw_json(buf: bytes) -> dict:
    status, hdrs, body = parse_raw(buf)
    assert status == 200, f"expected HTTP 200, got {status}: {buf[:300]!r}"
    assert body is not None, f"incomplete response: {buf[:300]!r}"
    d = json.loads(body)
    validate_envelope(d, "raw request")
    return d


# ---------------------------------------------------------------------------------------------
# structural validation

def check_error_msg(d: dict, desc: str = ""):
    msg = d.get("status_msg")
    if not isinstance(msg, str) or not msg.strip():
        raise ApiError(f"{desc}: error status_code {d.get('status_code')} with empty status_msg: {d}")
    low = msg.lower()
    for w in LEAK_WORDS:
        if w in low:
            raise ApiError(f"{desc}: status_msg leaks internals ({w!r}): {msg!r}")


def validate_envelope(d, desc: str = ""):
    if not isinstance(d, dict):
        raise ApiError(f"{desc}: response is not a JSON object: {d!r}")
    if not is_int(d.get("status_code")):
        raise ApiError(f"{desc}: status_code missing or not a number: {d!r}")
    if not isinstance(d.get("status_msg"), str):
        raise ApiError(f"{desc}: status_msg missing or not a string: {d!r}")
    if d["status_code"] != 0:
        return
    try:
        validate_value(d, "$")
        route = desc.split(" ")[1].split("?")[0].rstrip("/") if " " in desc else ""
        key = ROUTE_KEYS.get(route)
        if key:
            assert key in d, f"success response lacks {key!r}"
            if key.endswith("_list"):
                assert isinstance(d[key], list), f"{key} must be an array"
        if route == "/douyin/relation/friend/list":
            for i, u in enumerate(d["user_list"]):
                assert isinstance(u.get("message"), str), f"user_list[{i}].message must be a string"
                for k in ("msgType", "msg_type"):
                    assert u.get(k) in (0, 1) and is_int(u.get(k)), f"user_list[{i}].{k} must be 0 or 1"
        if route == "/douyin/feed":
            assert is_int(d.get("next_time")), "feed must carry a numeric next_time"
    except AssertionError as e:
        raise ApiError(f"{desc}: {e}; body={json.dumps(d, ensure_ascii=False)[:800]}") from None


def validate_value(v, where: str):
    if isinstance(v, dict):
        for k, x in v.items():
            w = f"{where}.{k}"
            if k in INT_KEYS:
                assert is_int(x), f"{w} must be a JSON number, got {x!r}"
            if k in BOOL_KEYS:
                assert isinstance(x, bool), f"{w} must be a bool, got {x!r}"
            if k in LIST_KEYS:
                assert isinstance(x, list), f"{w} must be an array, got {x!r}"
            if k in ("user", "author") and x is not None:
                check_user(x, w)
            validate_value(x, w)
        if "video_list" in v:
            for i, x in enumerate(v["video_list"]):
                check_video(x, f"{where}.video_list[{i}]")
        if "comment_list" in v:
            for i, x in enumerate(v["comment_list"]):
                check_comment(x, f"{where}.comment_list[{i}]")
        if "comment" in v and isinstance(v["comment"], dict):
            check_comment(v["comment"], f"{where}.comment")
        if "message_list" in v:
            for i, x in enumerate(v["message_list"]):
                check_message(x, f"{where}.message_list[{i}]")
        if "user_list" in v:
            for i, x in enumerate(v["user_list"]):
                check_user(x, f"{where}.user_list[{i}]")
    elif isinstance(v, list):
        for i, x in enumerate(v):
            validate_value(x, f"{where}[{i}]")


def _abs_url(u) -> bool:
    return isinstance(u, str) and re.match(r"^https?://[^/\s]+", u) is not None


def check_user(u, where="user"):
    assert isinstance(u, dict), f"{where} must be an object, got {u!r}"
    missing = [k for k in USER_FIELDS if k not in u]
    assert not missing, f"{where} lacks fields {missing}"
    for k in ("id", "follow_count", "follower_count", "total_favorited", "work_count", "favorite_count"):
        assert is_int(u[k]), f"{where}.{k} must be a number, got {u[k]!r}"
        assert u[k] >= 0, f"{where}.{k} negative: {u[k]}"
    assert u["id"] > 0, f"{where}.id must be > 0"
    assert isinstance(u["is_follow"], bool), f"{where}.is_follow must be bool"
    assert isinstance(u["name"], str) and u["name"], f"{where}.name must be a non-empty string"
    assert isinstance(u["signature"], str), f"{where}.signature must be a string"
    assert _abs_url(u["avatar"]), f"{where}.avatar must be an absolute URL, got {u['avatar']!r}"
    assert _abs_url(u["background_image"]), f"{where}.background_image must be an absolute URL"


def check_video(v, where="video"):
    assert isinstance(v, dict), f"{where} must be an object"
    missing = [k for k in VIDEO_FIELDS if k not in v]
    assert not missing, f"{where} lacks fields {missing}"
    assert is_int(v["id"]) and v["id"] > 0, f"{where}.id"
    check_user(v["author"], f"{where}.author")
    assert _abs_url(v["play_url"]), f"{where}.play_url must be an absolute URL, got {v['play_url']!r}"
    assert _abs_url(v["cover_url"]), f"{where}.cover_url must be an absolute URL, got {v['cover_url']!r}"
    assert is_int(v["favorite_count"]) and v["favorite_count"] >= 0, f"{where}.favorite_count"
    assert is_int(v["comment_count"]) and v["comment_count"] >= 0, f"{where}.comment_count"
    assert isinstance(v["is_favorite"], bool), f"{where}.is_favorite"
    assert isinstance(v["title"], str), f"{where}.title"
    if "state" in v:
        assert v["state"] in ("processing", "ready", "failed"), f"{where}.state unknown: {v['state']!r}"
        assert isinstance(v.get("state_reason"), str), f"{where}.state_reason must be a string"


def check_comment(c, where="comment"):
    assert isinstance(c, dict), f"{where} must be an object"
    missing = [k for k in COMMENT_FIELDS if k not in c]
    assert not missing, f"{where} lacks fields {missing}"
    assert is_int(c["id"]) and c["id"] > 0, f"{where}.id"
    check_user(c["user"], f"{where}.user")
    assert isinstance(c["content"], str) and c["content"], f"{where}.content"
    assert isinstance(c["create_date"], str) and re.match(r"^\d\d-\d\d$", c["create_date"]), \
        f"{where}.create_date must be MM-DD, got {c['create_date']!r}"


def check_message(m, where="message"):
    assert isinstance(m, dict), f"{where} must be an object"
    missing = [k for k in MESSAGE_FIELDS if k not in m]
    assert not missing, f"{where} lacks fields {missing}"
    for k in ("id", "to_user_id", "from_user_id", "create_time"):
        assert is_int(m[k]) and m[k] > 0, f"{where}.{k} must be a positive number, got {m[k]!r}"
    assert isinstance(m["content"], str), f"{where}.content"


def check_auth_reply(d: dict):
    assert "token" in d and isinstance(d["token"], str), f"register/login must always carry a string token: {d}"
    assert "user_id" in d and is_int(d["user_id"]), f"register/login must always carry a numeric user_id: {d}"
    if d["status_code"] != 0:
        assert d["token"] == "" and d["user_id"] == 0, f"failed register/login must give token '' and user_id 0: {d}"


# ---------------------------------------------------------------------------------------------
# JWT helpers (hand-crafted tokens)

def b64url(b: bytes) -> str:
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


def b64url_dec(s: str) -> bytes:
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


def jwt_parts(token: str) -> tuple[dict, dict, str]:
    h, p, s = token.split(".")
    return json.loads(b64url_dec(h)), json.loads(b64url_dec(p)), s


def jwt_make(header: dict, payload: dict, key: bytes | None, alg: str = "HS256") -> str:
    h = b64url(json.dumps(header, separators=(",", ":")).encode())
    p = b64url(json.dumps(payload, separators=(",", ":")).encode())
    signing = f"{h}.{p}".encode()
    if key is None:
        return f"{h}.{p}."
    digest = {"HS256": hashlib.sha256, "HS384": hashlib.sha384, "HS512": hashlib.sha512}[alg]
    return f"{h}.{p}.{b64url(hmac.new(key, signing, digest).digest())}"


def jwt_find_key(token: str, secret_file: str) -> bytes | None:
    """Guess how the server turns DIR/jwt-secret into an HMAC key by reproducing a real token's signature."""
    try:
        raw = read_bytes(secret_file)
    except OSError:
        return None
    cands = [raw, raw.strip()]
    for dec in (bytes.fromhex, lambda s: base64.b64decode(s, validate=False), b64url_dec):
        try:
            cands.append(dec(raw.strip().decode()))
        except Exception:  # noqa: BLE001
            pass
    h, p, s = token.split(".")
    for k in cands:
        if b64url(hmac.new(k, f"{h}.{p}".encode(), hashlib.sha256).digest()) == s:
            return k
    return None


# ---------------------------------------------------------------------------------------------
# server process

RATE_LIMIT_NAMES = ("register", "login", "login_failures", "publish", "comment", "message", "like", "follow",
                    "reads")


class ServerStartError(AssertionError):
    pass


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Etcd:
    """Debian's etcd on loopback in a temporary folder, for the split topology's discovery."""

    def __init__(self):
        self.root = tempfile.mkdtemp(prefix="minitok-etcd-")
        atexit.register(self.cleanup)
        self.client_port, self.peer_port = free_port(), free_port()
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.client_port}"

    def start(self) -> "Etcd":
        peer = f"http://127.0.0.1:{self.peer_port}"
        self.log = open(os.path.join(self.root, "etcd.log"), "ab")
        self.proc = subprocess.Popen(
            ["etcd", "--name", "minitok-test", "--data-dir", os.path.join(self.root, "data"),
             "--listen-client-urls", self.url, "--advertise-client-urls", self.url,
             "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer,
             "--initial-cluster", f"minitok-test={peer}"],
            stdin=subprocess.DEVNULL, stdout=self.log, stderr=self.log, start_new_session=True)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if self.ctl("endpoint", "health").returncode == 0:
                return self
            time.sleep(0.1)
        raise ServerStartError("etcd did not become healthy within 15 s")

    def ctl(self, *args) -> subprocess.CompletedProcess:
        return subprocess.run(["etcdctl", "--endpoints", self.url, "--dial-timeout", "2s", *args],
                              capture_output=True, text=True, timeout=30, env={**os.environ, "ETCDCTL_API": "3"})

    def keys(self, prefix: str) -> list[str]:
        return [k for k in self.ctl("get", "--prefix", "--keys-only", prefix).stdout.split() if k]

    def stop(self):
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(10)
            self.proc = None
            self.log.close()

    def cleanup(self):
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait(5)
            self.proc = None
        shutil.rmtree(self.root, ignore_errors=True)


_suite_etcd: Etcd | None = None


def suite_etcd() -> Etcd:
    """The etcd this test process's split Servers register in (each under its own cluster name)."""
    global _suite_etcd
    if _suite_etcd is None:
        _suite_etcd = Etcd().start()
    return _suite_etcd


def _first_line(proc: subprocess.Popen, timeout: float) -> str:
    """The first line `proc` prints on stdout, or "" when none comes within `timeout`."""
    box: list[bytes] = []
    t = threading.Thread(target=lambda: box.append(proc.stdout.readline()), daemon=True)
    t.start()
    t.join(timeout)
    return box[0].decode("utf-8", "replace") if box else ""


class Server:
    def __init__(self, data_dir: str | None = None, config: dict | None = None, no_demo: bool = True,
                 public_url: str | None = None, extra_args: list[str] | None = None, rate_limits: str = "off",
                 topology: str | None = None, etcd: str | None = None, env: dict | None = None):
        """topology: "embedded" or "split". By default $MINITOK_TOPOLOGY, and a split then has two
        gateways finding the services through the suite's etcd (one gateway when rate limits are on:
        without Redis each gateway counts its own). etcd: in a split, the URL of an etcd where the
        services register and the gateway finds them (instead of --peers)."""
        """rate_limits: "off" (the suites that test features publish and send more than a person
        would), or "default" (the binary's own limits plus whatever `config` sets)."""
        self.own_dir = data_dir is None
        self.root = tempfile.mkdtemp(prefix="minitok-bb-")
        # A test that never calls cleanup() (one that failed half way) still leaves nothing behind.
        atexit.register(self.cleanup)
        self.data_dir = data_dir or os.path.join(self.root, "data")
        if rate_limits == "off" and not isinstance(config, str):
            config = dict(config or {})
            config.setdefault("rate_limits", {name: {"burst": 0} for name in RATE_LIMIT_NAMES})
        self.config = config
        self.no_demo = no_demo
        self.public_url = public_url
        self.extra_args = list(extra_args or [])
        self.proc: subprocess.Popen | None = None
        self.host = None
        self.port = None
        self.stderr_path = None
        self._starts = 0
        self._stderr_f = None
        self.topology = topology or TOPOLOGY
        self.etcd = etcd
        self.cluster = None
        self.gateway_count = 1
        if topology is None and TOPOLOGY == "split" and etcd is None:
            self.etcd = suite_etcd().url
            self.cluster = "bb" + rand_suffix()
            self.gateway_count = 1 if rate_limits != "off" else 2
        self.gateways: list[tuple[subprocess.Popen, str]] = []  # split: gateways after the first
        self.ports: list[int] = []
        self.env = {**os.environ, **env} if env else None
        self.services: list[tuple[str, subprocess.Popen, str]] = []  # split: (role, process, log path)
        self._service_starts = 0
        self.peers = ""

    def _config_args(self) -> list[str]:
        if self.config is None:
            return []
        cfg_path = os.path.join(self.root, "config.json")
        with open(cfg_path, "w") as f:
            if isinstance(self.config, str):
                f.write(self.config)
            else:
                json.dump(self.config, f)
        return ["--config", cfg_path]

    def _start_services(self):
        """Split topology: each service in its own process, in dependency order, each told where
        the ones before it serve; the gateway is then told where all of them are."""
        self.peers = ""
        for role in SERVICES:
            address = self.start_service(role)
            self.peers = ",".join(filter(None, [self.peers, f"{role}={address}"]))
        self.start_service("media")

    def start_service(self, role: str, grpc_listen: str = "127.0.0.1:0") -> str:
        """Starts the `role` service process (split topology) told where the services started
        before it are; returns the HOST:PORT it serves gRPC on ("" for the media workers' process,
        which serves nothing)."""
        self._service_starts += 1
        log_path = os.path.join(self.root, f"{role}.{self._service_starts}.log")
        args = [minitok_bin(), "serve", "--role", role, "--data-dir", self.data_dir] + self._config_args()
        if role != "media":
            args += ["--grpc-listen", grpc_listen]
        if self.etcd:
            args += ["--etcd", self.etcd] + (["--cluster", self.cluster] if self.cluster else [])
        elif self.peers:
            args += ["--peers", self.peers]
        with open(log_path, "wb") as log:
            proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=log,
                                    start_new_session=True)
        self.services.append((role, proc, log_path))
        line = _first_line(proc, START_TIMEOUT)
        if role == "media":
            if line.strip() != MEDIA_LINE:
                self.kill()
                raise ServerStartError(f"the media workers printed {line!r}; argv={args}")
            threading.Thread(target=self._drain, args=(proc,), daemon=True).start()
            return ""
        m = GRPC_RE.match(line)
        if not m or m.group(1) != role:
            self.kill()
            raise ServerStartError(f"the {role} service printed {line!r}, not its gRPC line; argv={args}")
        return f"{m.group(2)}:{m.group(3)}"

    def stop_service(self, role: str):
        """SIGTERMs the `role` service process (split topology) and waits for it to exit."""
        entry = next(e for e in self.services if e[0] == role)
        self.services.remove(entry)
        entry[1].terminate()
        if entry[1].wait(STOP_TIMEOUT) != 0:
            raise AssertionError(f"the {role} service exited with {entry[1].returncode} after SIGTERM")
        self._close_stdout(entry[1])

    def kill_service(self, role: str):
        """SIGKILLs the `role` service process (split topology), as a crash would."""
        entry = next(e for e in self.services if e[0] == role)
        self.services.remove(entry)
        entry[1].kill()
        entry[1].wait(5)
        self._close_stdout(entry[1])

    def argv(self) -> list[str]:
        args = [minitok_bin(), "serve", "--listen", "127.0.0.1:0", "--data-dir", self.data_dir]
        if self.topology == "split":
            args += ["--role", "gateway"] + (["--etcd", self.etcd] if self.etcd else ["--peers", self.peers])
            if self.cluster:
                args += ["--cluster", self.cluster]
        args += self._config_args()
        if self.public_url:
            args += ["--public-url", self.public_url]
        if self.no_demo:
            args.append("--no-demo")
        return args + self.extra_args

    def _spawn(self):
        b = minitok_bin()
        if not os.path.isfile(b) or not os.access(b, os.X_OK):
            raise ServerStartError(f"minitok binary not found or not executable: {b} (set MINITOK_BIN)")
        if self.topology == "split":
            self._start_services()
        self._starts += 1
        self.stderr_path = os.path.join(self.root, f"stderr.{self._starts}.log")
        self._stderr_f = open(self.stderr_path, "wb")
        self.proc = subprocess.Popen(self.argv(), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                     stderr=self._stderr_f, start_new_session=True, env=self.env)
        for n in range(1, self.gateway_count):
            log_path = os.path.join(self.root, f"gateway{n + 1}.{self._starts}.log")
            with open(log_path, "wb") as log:
                self.gateways.append((subprocess.Popen(self.argv(), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                                       stderr=log, start_new_session=True, env=self.env), log_path))

    def start(self) -> "Server":
        self._spawn()
        line = _first_line(self.proc, START_TIMEOUT)
        if not line:
            self.kill()
            raise ServerStartError(f"minitok printed no listening line within {START_TIMEOUT}s; "
                                   f"argv={self.argv()} stderr:\n{self.stderr_text()[-3000:]}")
        m = LISTEN_RE.match(line)
        if not m:
            time.sleep(0.2)
            rc = self.proc.poll()
            self.kill()
            raise ServerStartError(f"bad first stdout line {line!r} (exit code {rc}); argv={self.argv()} "
                                   f"stderr:\n{self.stderr_text()[-3000:]}")
        self.host, self.port = m.group(1), int(m.group(2))
        self.ports = [self.port]
        # keep draining stdout so the server never blocks on a full pipe
        threading.Thread(target=self._drain, args=(self.proc,), daemon=True).start()
        for proc, _ in self.gateways:
            line = _first_line(proc, START_TIMEOUT)
            m = LISTEN_RE.match(line)
            if not m:
                self.kill()
                raise ServerStartError(f"another gateway printed {line!r}; stderr:\n{self.stderr_text()[-3000:]}")
            self.ports.append(int(m.group(2)))
            threading.Thread(target=self._drain, args=(proc,), daemon=True).start()
        return self

    @staticmethod
    def _close_stdout(p):
        try:
            if p is not None and p.stdout:
                p.stdout.close()
        except Exception:  # noqa: BLE001
            pass

    @staticmethod
    def _drain(proc):
        try:
            for _ in proc.stdout:
                pass
        except Exception:  # noqa: BLE001
            pass

    def start_expect_failure(self, timeout: float = 15.0) -> tuple[int, str]:
        """Start and expect the process to exit by itself (e.g. schema too new). Returns (rc, stderr)."""
        self._spawn()
        try:
            rc = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            raise AssertionError(f"minitok was expected to exit but is still running after {timeout}s; "
                                 f"stderr:\n{self.stderr_text()[-2000:]}")
        self._stderr_f.close()
        self._close_stdout(self.proc)
        self.proc = None
        return rc, self.stderr_text()

    def client(self, source: str | None = None) -> Client:
        return Client(self.host, self.port, source=source, ports=self.ports)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def stderr_text(self) -> str:
        if self._stderr_f:
            try:
                self._stderr_f.flush()
            except Exception:  # noqa: BLE001
                pass
        paths = [self.stderr_path] + [log for _, log in self.gateways] + [log for _, _, log in self.services]
        out = []
        for path in paths:
            if path and os.path.exists(path):
                with open(path, "rb") as f:
                    out.append(f.read().decode("utf-8", "replace"))
        return "".join(out)

    def all_stderr_text(self) -> str:
        out = []
        for i in range(1, self._starts + 1):
            p = os.path.join(self.root, f"stderr.{i}.log")
            if os.path.exists(p):
                with open(p, "rb") as f:
                    out.append(f.read().decode("utf-8", "replace"))
        return "".join(out)

    def stop(self, sig=signal.SIGTERM, expect_code: int | None = 0) -> int:
        if self.proc is None:
            return 0
        p = self.proc
        if p.poll() is None:
            p.send_signal(sig)
        try:
            rc = p.wait(STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            self.kill()
            raise AssertionError(f"minitok did not exit within {STOP_TIMEOUT}s after {signal.Signals(sig).name}")
        finally:
            if self._stderr_f:
                self._stderr_f.close()
            self._close_stdout(p)
        self.proc = None
        if expect_code is not None and rc != expect_code:
            raise AssertionError(f"minitok exited with {rc} after {signal.Signals(sig).name}, expected {expect_code}; "
                                 f"stderr tail:\n{self.stderr_text()[-2000:]}")
        self._stop_gateways(sig, expect_code)
        self._stop_services(sig, expect_code)
        return rc

    def _stop_gateways(self, sig, expect_code):
        gateways, self.gateways = self.gateways, []
        self._stop_processes([("a gateway", proc) for proc, _ in gateways], sig, expect_code)

    def _stop_services(self, sig, expect_code):
        services, self.services = self.services, []
        self._stop_processes([(f"the {role} service", proc) for role, proc, _ in reversed(services)], sig, expect_code)

    def _stop_processes(self, named, sig, expect_code):
        """Signals each (what, process) in turn and waits for it to exit with `expect_code`."""
        for what, proc in named:
            if proc.poll() is None:
                proc.send_signal(sig)
            try:
                rc = proc.wait(STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                proc.kill()
                raise AssertionError(f"{what} did not exit within {STOP_TIMEOUT}s")
            finally:
                self._close_stdout(proc)
            if expect_code is not None and rc != expect_code:
                raise AssertionError(f"{what} exited with {rc}, expected {expect_code}")

    def wait_exit(self, timeout: float = STOP_TIMEOUT) -> int:
        """Wait for a process that was already signalled; returns its exit code."""
        try:
            rc = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            raise AssertionError(f"minitok did not exit within {timeout}s")
        finally:
            if self._stderr_f:
                self._stderr_f.close()
            self._close_stdout(self.proc)
        self.proc = None
        return rc

    def restart(self) -> "Server":
        self.stop()
        return self.start()

    def kill(self):
        for proc in [proc for proc, _ in self.gateways] + [proc for _, proc, _ in self.services]:
            if proc.poll() is None:
                proc.kill()
                proc.wait(5)
            self._close_stdout(proc)
        self.services = []
        self.gateways = []
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                pass
        self._close_stdout(self.proc)
        if self._stderr_f:
            self._stderr_f.close()
        self.proc = None

    def cleanup(self):
        self.kill()
        if not os.environ.get("MINITOK_KEEP"):
            shutil.rmtree(self.root, ignore_errors=True)


# ---------------------------------------------------------------------------------------------
# unittest glue

class ServerCase(unittest.TestCase):
    """One server per test class (setUpClass); fresh users per test."""
    server_kwargs: dict = {}
    server: Server
    c: Client

    @classmethod
    def setUpClass(cls):
        cls.server = Server(**cls.server_kwargs)
        # runs even when a subclass's setUpClass fails after this (tearDownClass is skipped then)
        cls.addClassCleanup(cls.server.cleanup)
        cls.server.start()
        cls.c = cls.server.client()

    @classmethod
    def tearDownClass(cls):
        try:
            cls.server.stop()
        finally:
            cls.server.cleanup()

    # assertion helpers
    def assertCode(self, d: dict, code):
        codes = code if isinstance(code, (tuple, list, set)) else (code,)
        self.assertIn(d["status_code"], codes, f"{d.get('_desc')}: expected {code}, got {d['status_code']} "
                                               f"{d.get('status_msg')!r}")

    def video_in_feed(self, vid, token=None) -> dict:
        for v in self.c.feed(token=token)["video_list"]:
            if v["id"] == vid:
                return v
        raise AssertionError(f"video {vid} not in first feed page")

    def video_in_publish_list(self, author_id, vid, token=None) -> dict:
        for v in self.c.publish_list(author_id, token=token):
            if v["id"] == vid:
                return v
        raise AssertionError(f"video {vid} not in publish list of {author_id}")

    def publish_get_id(self, user: TestUser, title=None, path=None) -> int:
        """Publish and wait until the video is ready (in the feed, likeable, commentable); returns its id."""
        title = title or "t_" + rand_suffix(6)
        v = self.c.publish_ready(user.token, title, path=path)
        self.assertEqual(v["title"], title)
        return v["id"]


def main():
    unittest.main(verbosity=2)
