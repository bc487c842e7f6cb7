CREATE TABLE comments (
  id         INTEGER PRIMARY KEY AUTOINCREMENT,
  video_id   INTEGER NOT NULL,
  user_id    INTEGER NOT NULL,
  content    TEXT    NOT NULL,
  created_ms INTEGER NOT NULL
);
CREATE INDEX comments_by_video ON comments (video_id, id DESC);

CREATE TABLE video_stats (
  video_id      INTEGER PRIMARY KEY,
  comment_count INTEGER NOT NULL DEFAULT 0
);
