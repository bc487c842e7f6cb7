CREATE TABLE messages (
  id           INTEGER PRIMARY KEY AUTOINCREMENT,
  low_user_id  INTEGER NOT NULL, -- the pair, smaller id first, so both directions share an index
  high_user_id INTEGER NOT NULL,
  from_user_id INTEGER NOT NULL,
  to_user_id   INTEGER NOT NULL,
  content      TEXT    NOT NULL,
  created_ms   INTEGER NOT NULL UNIQUE -- clients page by it with a strict ">"
);
CREATE INDEX messages_by_pair ON messages (low_user_id, high_user_id, created_ms);
