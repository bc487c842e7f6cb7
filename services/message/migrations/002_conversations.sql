-- Every person a user has exchanged messages with, and the last message between them: the inbox,
-- newest first, without scanning a user's messages. Kept by a trigger, so that every way a
-- message row is written (send, bulk seed) keeps it true.
CREATE TABLE conversations (
  user_id         INTEGER NOT NULL,
  peer_id         INTEGER NOT NULL,
  last_message_id INTEGER NOT NULL,
  last_ms         INTEGER NOT NULL,
  PRIMARY KEY (user_id, peer_id)
) WITHOUT ROWID;
CREATE INDEX conversations_by_time ON conversations (user_id, last_ms);

-- SQLite takes the bare column `id` from the row holding MAX(created_ms).
INSERT INTO conversations (user_id, peer_id, last_message_id, last_ms)
  SELECT low_user_id, high_user_id, id, MAX(created_ms) FROM messages GROUP BY low_user_id, high_user_id;
INSERT INTO conversations (user_id, peer_id, last_message_id, last_ms)
  SELECT high_user_id, low_user_id, id, MAX(created_ms) FROM messages GROUP BY low_user_id, high_user_id;

CREATE TRIGGER messages_keep_conversations AFTER INSERT ON messages
BEGIN
  INSERT INTO conversations (user_id, peer_id, last_message_id, last_ms)
    VALUES (NEW.from_user_id, NEW.to_user_id, NEW.id, NEW.created_ms)
    ON CONFLICT (user_id, peer_id) DO UPDATE SET last_message_id = excluded.last_message_id,
                                                 last_ms = excluded.last_ms
    WHERE excluded.last_ms > conversations.last_ms;
  INSERT INTO conversations (user_id, peer_id, last_message_id, last_ms)
    VALUES (NEW.to_user_id, NEW.from_user_id, NEW.id, NEW.created_ms)
    ON CONFLICT (user_id, peer_id) DO UPDATE SET last_message_id = excluded.last_message_id,
                                                 last_ms = excluded.last_ms
    WHERE excluded.last_ms > conversations.last_ms;
END;
