-- Fan groups (the groups issue). Read diffusion: a group message is one row whatever the
-- number of members; a member row holds only that member's read position and settings.

CREATE TABLE groups (
    id           INTEGER PRIMARY KEY,
    owner        INTEGER NOT NULL,
    name         TEXT    NOT NULL,
    cover        TEXT    NOT NULL DEFAULT '',
    type         INTEGER NOT NULL DEFAULT 0,
    state        INTEGER NOT NULL DEFAULT 0,
    members      INTEGER NOT NULL DEFAULT 0,
    max_seqno    INTEGER NOT NULL DEFAULT 0,
    counted      INTEGER NOT NULL DEFAULT 0,
    last_msg_key INTEGER NOT NULL DEFAULT 0,
    session_ts   INTEGER NOT NULL DEFAULT 0,
    created_at   INTEGER NOT NULL
);

CREATE TABLE group_members (
    group_id     INTEGER NOT NULL,
    mid          INTEGER NOT NULL,
    joined_at    INTEGER NOT NULL,
    join_seqno   INTEGER NOT NULL,
    ack_seqno    INTEGER NOT NULL DEFAULT 0,
    ack_ts       INTEGER NOT NULL DEFAULT 0,
    ack_counted  INTEGER NOT NULL DEFAULT 0,
    at_seqno     INTEGER NOT NULL DEFAULT 0,
    top_ts       INTEGER NOT NULL DEFAULT 0,
    is_dnd       INTEGER NOT NULL DEFAULT 0,
    hidden_seqno INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (group_id, mid)
) WITHOUT ROWID;
-- A user's groups, for their session lists and my_group_unread.
CREATE INDEX group_members_by_mid ON group_members (mid, group_id);

CREATE TABLE group_messages (
    group_id         INTEGER NOT NULL,
    seqno            INTEGER NOT NULL,
    msg_key          INTEGER NOT NULL,
    sender_uid       INTEGER NOT NULL,
    msg_type         INTEGER NOT NULL,
    content          TEXT    NOT NULL,
    timestamp        INTEGER NOT NULL,
    status           INTEGER NOT NULL DEFAULT 0,
    new_face_version INTEGER NOT NULL DEFAULT 0,
    source           INTEGER NOT NULL DEFAULT 0,
    notify_code      TEXT    NOT NULL DEFAULT '',
    counts_unread    INTEGER NOT NULL DEFAULT 1,
    mentions         TEXT    NOT NULL DEFAULT '',
    counted          INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (group_id, seqno)
) WITHOUT ROWID;
-- Recalls and last messages find a group message by its key.
CREATE UNIQUE INDEX group_messages_by_key ON group_messages (msg_key);

-- @-mentions look members up by name.
CREATE INDEX users_by_name ON users (name);
