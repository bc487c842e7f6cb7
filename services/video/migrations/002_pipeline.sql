-- The publishing pipeline: uploads are accepted as "processing" and transcoded by durable jobs.
ALTER TABLE videos ADD COLUMN media_key TEXT NOT NULL DEFAULT '';
ALTER TABLE videos ADD COLUMN original_path TEXT NOT NULL DEFAULT '';
ALTER TABLE videos ADD COLUMN width INTEGER NOT NULL DEFAULT 0;
ALTER TABLE videos ADD COLUMN height INTEGER NOT NULL DEFAULT 0;
ALTER TABLE videos ADD COLUMN duration_ms INTEGER NOT NULL DEFAULT 0;
ALTER TABLE videos ADD COLUMN has_audio INTEGER NOT NULL DEFAULT 1;

-- One transcode job per processing video, written in the transaction that creates the video.
CREATE TABLE jobs (
  video_id        INTEGER PRIMARY KEY,
  attempts        INTEGER NOT NULL DEFAULT 0,
  next_attempt_ms INTEGER NOT NULL DEFAULT 0,
  running         INTEGER NOT NULL DEFAULT 0,
  last_error      TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX jobs_due ON jobs (running, next_attempt_ms);

-- Media folders being filled for a video row that is not committed yet: removed at start if the
-- row never came (a crash between writing the files and the commit).
CREATE TABLE staged_folders (
  media_key  TEXT PRIMARY KEY,
  created_ms INTEGER NOT NULL
) WITHOUT ROWID;

-- Files a committed change made obsolete (a replaced original): deleted after the commit, and at
-- start if the process died in between.
CREATE TABLE trash (
  path TEXT PRIMARY KEY
) WITHOUT ROWID;
