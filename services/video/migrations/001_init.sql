CREATE TABLE videos (
  id           INTEGER PRIMARY KEY AUTOINCREMENT,
  author_id    INTEGER NOT NULL,
  title        TEXT    NOT NULL,
  play_path    TEXT    NOT NULL,
  play_type    TEXT    NOT NULL,
  cover_path   TEXT    NOT NULL,
  state        INTEGER NOT NULL,          -- 0 processing, 1 ready, 2 failed
  state_reason TEXT    NOT NULL DEFAULT '',
  created_ms   INTEGER NOT NULL,
  ready_ms     INTEGER NOT NULL DEFAULT 0 -- feed time, unique among ready videos
);
CREATE INDEX videos_feed ON videos (ready_ms) WHERE state = 1;
CREATE INDEX videos_author ON videos (author_id, id);
CREATE INDEX videos_play_path ON videos (play_path);
CREATE INDEX videos_cover_path ON videos (cover_path);

CREATE TABLE author_stats (
  user_id    INTEGER PRIMARY KEY,
  work_count INTEGER NOT NULL DEFAULT 0
);
