CREATE TABLE likes (
  user_id    INTEGER NOT NULL,
  video_id   INTEGER NOT NULL,
  author_id  INTEGER NOT NULL, -- the video's author, which never changes: drives total_favorited
  created_ms INTEGER NOT NULL,
  PRIMARY KEY (user_id, video_id)
) WITHOUT ROWID;
CREATE INDEX likes_by_user_time ON likes (user_id, created_ms DESC, video_id DESC);

CREATE TABLE video_stats (
  video_id       INTEGER PRIMARY KEY,
  favorite_count INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE user_stats (
  user_id         INTEGER PRIMARY KEY,
  favorite_count  INTEGER NOT NULL DEFAULT 0,
  total_favorited INTEGER NOT NULL DEFAULT 0
);
