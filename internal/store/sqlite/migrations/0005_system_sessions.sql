-- System accounts' sessions (the feed issue): UP主小助手 and the others push messages into
-- a user's session with them; system_type is the session's system_msg_type (0 for users).
ALTER TABLE sessions ADD COLUMN system_type INTEGER NOT NULL DEFAULT 0;
-- A user has at most one session per system account: category 7 and the system_msg map
-- read them through this index.
CREATE INDEX sessions_by_system ON sessions (owner, system_type) WHERE system_type > 0;
-- Unread pushes count apart from messages: single_unread's biz_msg_follow_unread, and
-- custom_unread for 客服消息.
ALTER TABLE counters ADD COLUMN biz INTEGER NOT NULL DEFAULT 0;
ALTER TABLE counters ADD COLUMN custom INTEGER NOT NULL DEFAULT 0;
