-- Initial schema. Unsigned 64-bit ids are stored bit-for-bit in SQLite's signed INTEGER.
CREATE TABLE users (
    mid           INTEGER PRIMARY KEY,
    name          TEXT    NOT NULL,
    face          TEXT    NOT NULL DEFAULT '',
    fans          INTEGER NOT NULL DEFAULT 0,
    password_hash TEXT    NOT NULL DEFAULT '',
    created_at    INTEGER NOT NULL
);

CREATE TABLE logins (
    token_hash BLOB    PRIMARY KEY,
    mid        INTEGER NOT NULL,
    bili_jct   TEXT    NOT NULL,
    created_at INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE relations (
    mid       INTEGER NOT NULL,
    target    INTEGER NOT NULL,
    following INTEGER NOT NULL DEFAULT 0,
    blocking  INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (mid, target)
) WITHOUT ROWID;

CREATE TABLE sessions (
    owner         INTEGER NOT NULL,
    type          INTEGER NOT NULL,
    talker        INTEGER NOT NULL,
    ack_seqno     INTEGER NOT NULL DEFAULT 0,
    ack_ts        INTEGER NOT NULL DEFAULT 0,
    max_seqno     INTEGER NOT NULL DEFAULT 0,
    session_ts    INTEGER NOT NULL DEFAULT 0,
    top_ts        INTEGER NOT NULL DEFAULT 0,
    unread        INTEGER NOT NULL DEFAULT 0,
    last_msg_key  INTEGER NOT NULL DEFAULT 0,
    is_follow     INTEGER NOT NULL DEFAULT 0,
    is_dnd        INTEGER NOT NULL DEFAULT 0,
    push_setting  INTEGER NOT NULL DEFAULT 0,
    intercept     INTEGER NOT NULL DEFAULT 0,
    trust         INTEGER NOT NULL DEFAULT 0,
    hidden        INTEGER NOT NULL DEFAULT 0,
    my_sent       INTEGER NOT NULL DEFAULT 0,
    talker_active INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (owner, type, talker)
) WITHOUT ROWID;

-- Session lists read one owner's sessions newest first, filtered by bucket.
CREATE INDEX sessions_by_ts     ON sessions (owner, intercept, session_ts);
CREATE INDEX sessions_by_follow ON sessions (owner, intercept, is_follow, session_ts);
CREATE INDEX sessions_by_ack    ON sessions (owner, ack_ts);

CREATE TABLE counters (
    owner    INTEGER PRIMARY KEY,
    follow   INTEGER NOT NULL DEFAULT 0,
    unfollow INTEGER NOT NULL DEFAULT 0,
    dustbin  INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE messages (
    msg_key          INTEGER PRIMARY KEY,
    seqno            INTEGER NOT NULL,
    conv_lo          INTEGER NOT NULL,
    conv_hi          INTEGER NOT NULL,
    sender_uid       INTEGER NOT NULL,
    receiver_type    INTEGER NOT NULL,
    receiver_id      INTEGER NOT NULL,
    msg_type         INTEGER NOT NULL,
    content          TEXT    NOT NULL,
    timestamp        INTEGER NOT NULL,
    status           INTEGER NOT NULL DEFAULT 0,
    new_face_version INTEGER NOT NULL DEFAULT 0,
    source           INTEGER NOT NULL DEFAULT 0,
    notify_code      TEXT    NOT NULL DEFAULT '',
    visible_to       INTEGER NOT NULL DEFAULT 0,
    counts_unread    INTEGER NOT NULL DEFAULT 1
);

-- History windows and unread counts scan one conversation by seqno.
CREATE UNIQUE INDEX messages_by_conv ON messages (conv_lo, conv_hi, seqno);
