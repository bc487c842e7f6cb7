CREATE TABLE users (
  id            INTEGER PRIMARY KEY AUTOINCREMENT,
  name          TEXT    NOT NULL UNIQUE,
  password_hash TEXT    NOT NULL,
  signature     TEXT    NOT NULL DEFAULT '',
  created_ms    INTEGER NOT NULL
);
