-- Message settings, block words, auto-replies and works (the settings issue).

-- One row per user who changed a setting; absent users have the defaults.
CREATE TABLE settings (
    owner                    INTEGER PRIMARY KEY,
    show_unfollowed_msg      INTEGER NOT NULL,
    msg_notify               INTEGER NOT NULL,
    set_like                 INTEGER NOT NULL,
    set_comment              INTEGER NOT NULL,
    set_at                   INTEGER NOT NULL,
    is_group_fold            INTEGER NOT NULL,
    should_receive_group     INTEGER NOT NULL,
    receive_unfollow_msg     INTEGER NOT NULL,
    followed_reply           INTEGER NOT NULL,
    keys_reply               INTEGER NOT NULL,
    recv_reply               INTEGER NOT NULL,
    voyage_reply             INTEGER NOT NULL,
    recommend_followed_reply INTEGER NOT NULL,
    ai_intercept             INTEGER NOT NULL,
    set_recv_reply           INTEGER NOT NULL,
    set_recv_like            INTEGER NOT NULL,
    set_new_follow           INTEGER NOT NULL
);

-- id keeps the order words were added in.
CREATE TABLE block_words (
    id      INTEGER PRIMARY KEY,
    owner   INTEGER NOT NULL,
    content TEXT    NOT NULL,
    ctime   INTEGER NOT NULL,
    UNIQUE (owner, content)
);

-- AUTOINCREMENT: a deleted rule's id is never handed out again, so a client holding an
-- old id cannot overwrite someone's new rule with it.
CREATE TABLE auto_replies (
    id    INTEGER PRIMARY KEY AUTOINCREMENT,
    owner INTEGER NOT NULL,
    type  INTEGER NOT NULL,
    title TEXT    NOT NULL DEFAULT '',
    key1  TEXT    NOT NULL DEFAULT '',
    key2  TEXT    NOT NULL DEFAULT '',
    reply TEXT    NOT NULL,
    ctime INTEGER NOT NULL
);
CREATE INDEX auto_replies_by_owner ON auto_replies (owner, type, id);

-- Each user's block words (kind 1) and keyword rules (kind 2), folded into one text by
-- the domain, so that matching a received message reads one row whatever the number of
-- words, rules and keywords.
CREATE TABLE match_index (
    owner INTEGER NOT NULL,
    kind  INTEGER NOT NULL,
    text  TEXT    NOT NULL,
    PRIMARY KEY (owner, kind)
) WITHOUT ROWID;

CREATE TABLE works (
    owner     INTEGER NOT NULL,
    aid       INTEGER NOT NULL,
    bvid      TEXT    NOT NULL DEFAULT '',
    title     TEXT    NOT NULL,
    cover     TEXT    NOT NULL DEFAULT '',
    pub_date  INTEGER NOT NULL,
    plays     INTEGER NOT NULL DEFAULT 0,
    danmaku   INTEGER NOT NULL DEFAULT 0,
    favorites INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (owner, aid)
) WITHOUT ROWID;
CREATE INDEX works_by_date ON works (owner, pub_date, aid);

-- When the owner last sent the received-message auto-reply in this session.
ALTER TABLE sessions ADD COLUMN auto_reply_at INTEGER NOT NULL DEFAULT 0;
