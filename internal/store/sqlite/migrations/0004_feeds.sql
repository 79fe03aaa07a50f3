-- The notification feeds (the feed issue): replies, @s, likes and system notifications.

-- One row per feed item. Likes of the same thing share one row (agg), which each new
-- like replaces with a new id, so that it moves to the top of the (time, id) order. stamp (µs, strictly increasing) orders "what is new": an item is unread
-- when its stamp is after the owner's last view of the feed.
CREATE TABLE feed_items (
    id    INTEGER PRIMARY KEY AUTOINCREMENT,
    owner INTEGER NOT NULL,
    feed  INTEGER NOT NULL,
    time  INTEGER NOT NULL,
    stamp INTEGER NOT NULL,
    agg   TEXT    NOT NULL DEFAULT '',
    body  TEXT    NOT NULL
);
-- Pages are read newest first by (time, id) with a cursor.
CREATE INDEX feed_items_by_time ON feed_items (owner, feed, time, id);
CREATE UNIQUE INDEX feed_items_by_agg ON feed_items (owner, feed, agg) WHERE agg != '';
-- Item ids look like bilibili's (about 8e14) and are never reused.
INSERT INTO sqlite_sequence (name, seq) VALUES ('feed_items', 800000000000000);

-- Who liked each aggregated item, so that counts is the number of different likers.
CREATE TABLE feed_likers (
    owner INTEGER NOT NULL,
    agg   TEXT    NOT NULL,
    mid   INTEGER NOT NULL,
    PRIMARY KEY (owner, agg, mid)
) WITHOUT ROWID;

-- Per user and feed: the unread count, kept incrementally, and the last view.
CREATE TABLE feed_state (
    owner        INTEGER NOT NULL,
    feed         INTEGER NOT NULL,
    unread       INTEGER NOT NULL DEFAULT 0,
    seen_stamp   INTEGER NOT NULL DEFAULT 0,
    last_view_at INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (owner, feed)
) WITHOUT ROWID;
