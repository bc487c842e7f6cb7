CREATE TABLE follows (
  id          INTEGER PRIMARY KEY AUTOINCREMENT, -- insertion order: lists show newest first
  follower_id INTEGER NOT NULL,
  followee_id INTEGER NOT NULL,
  created_ms  INTEGER NOT NULL,
  UNIQUE (follower_id, followee_id)
);
CREATE INDEX follows_by_follower ON follows (follower_id, id DESC);
CREATE INDEX follows_by_followee ON follows (followee_id, id DESC);

CREATE TABLE user_stats (
  user_id        INTEGER PRIMARY KEY,
  follow_count   INTEGER NOT NULL DEFAULT 0,
  follower_count INTEGER NOT NULL DEFAULT 0
);
