package sqlite

import (
	"strconv"
	"strings"
)

// Every statement the store runs, prepared once per connection. They are all static
// text: values only ever travel as parameters.
const (
	qBegin = iota
	qCommit
	qRollback

	qCreateUser
	qGetUser
	qGetUsers
	qUpdateUser
	qListUsers
	qUsersNamed
	qMaxMid

	qCreateLogin
	qGetLogin
	qDeleteLogin

	qGetRelation
	qFollowed
	qPutRelation
	qGetPair

	qGetSession
	qPutSession
	qListSessionsTs
	qListSessionsFollow
	qListSessionsAck
	qHasSessions
	qListSystemSessions
	qGetCounters
	qAddCounters

	qInsertMessage
	qGetMessage
	qGetMessages
	qSetMessageStatus
	qListMessagesDesc
	qListMessagesAsc
	qCountUnread

	qGetSettings
	qPutSettings
	qListBlockWords
	qAddBlockWord
	qDeleteBlockWord

	qListAutoReplies
	qGetAutoReply
	qGetMatchIndex
	qPutMatchIndex
	qDeleteMatchIndex
	qInsertAutoReply
	qUpdateAutoReply
	qDeleteAutoReply

	qPutWork
	qDeleteWork
	qListWorks

	qCreateGroup
	qGetGroup
	qPutGroup
	qMaxGroupID
	qGetMember
	qMembersAmong
	qPutMember
	qDeleteMember
	qListMembers
	qListMemberships
	qMembersNamed
	qInsertGroupMessage
	qGetGroupMessage
	qGetGroupMessageAt
	qGetGroupMessages
	qSetGroupMessageStatus
	qListGroupMessagesDesc
	qListGroupMessagesAsc

	qInsertFeedItem
	qPutFeedItem
	qDeleteFeedItem
	qAddFeedLiker
	qGetFeedItem
	qGetFeedItemByAgg
	qListFeedItems
	qGetFeedState
	qListFeedStates
	qPutFeedState

	numQueries
)

const sessionCols = `owner, type, talker, ack_seqno, ack_ts, max_seqno, session_ts, top_ts, unread, last_msg_key,
	is_follow, is_dnd, push_setting, intercept, trust, hidden, my_sent, talker_active, auto_reply_at, system_type`

const settingsCols = `show_unfollowed_msg, msg_notify, set_like, set_comment, set_at, is_group_fold,
	should_receive_group, receive_unfollow_msg, followed_reply, keys_reply, recv_reply, voyage_reply,
	recommend_followed_reply, ai_intercept, set_recv_reply, set_recv_like, set_new_follow`

// packedSettings is an expression packing the settings row's columns into one integer,
// settingBits bits per column in the order of settingsCols, or -1 when the target has no
// settings row (a scalar subquery on no row is NULL). GetPair reads it: one column scans
// far cheaper than seventeen, and the send path reads it on every message.
func packedSettings() string {
	cols := strings.Split(settingsCols, ",")
	for i, c := range cols {
		cols[i] = "(" + strings.TrimSpace(c) + " << " + strconv.Itoa(i*settingBits) + ")"
	}
	return "COALESCE((SELECT " + strings.Join(cols, " | ") + " FROM settings WHERE owner = ?2), -1)"
}

const autoReplyCols = `id, owner, type, title, key1, key2, reply, ctime`

const workCols = `owner, aid, bvid, title, cover, pub_date, plays, danmaku, favorites`

const messageCols = `msg_key, seqno, conv_lo, conv_hi, sender_uid, receiver_type, receiver_id, msg_type, content,
	timestamp, status, new_face_version, source, notify_code, visible_to, counts_unread`

const groupCols = `id, owner, name, cover, type, state, members, max_seqno, counted, last_msg_key, session_ts, created_at`

const memberCols = `group_id, mid, joined_at, join_seqno, ack_seqno, ack_ts, ack_counted, at_seqno, top_ts, is_dnd, hidden_seqno`

const groupMessageCols = `group_id, seqno, msg_key, sender_uid, msg_type, content, timestamp, status, new_face_version,
	source, notify_code, counts_unread, mentions, counted`

const feedItemCols = `id, owner, feed, time, stamp, agg, body`

// Session list filters shared by the list queries:
// ?2 include hidden, ?3 follow filter (-1 = any), ?4 only unacked.
const sessionFilter = `max_seqno > 0 AND (?2 OR hidden = 0) AND (?3 < 0 OR is_follow = ?3) AND (NOT ?4 OR ack_seqno < max_seqno)
	AND (NOT ?9 OR system_type > 0)`

var queries = [numQueries]string{
	qBegin:    `BEGIN IMMEDIATE`,
	qCommit:   `COMMIT`,
	qRollback: `ROLLBACK`,

	qCreateUser: `INSERT INTO users (mid, name, face, fans, password_hash, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
	qGetUser:    `SELECT mid, name, face, fans, password_hash, created_at FROM users WHERE mid = ?`,
	qGetUsers:   `SELECT mid, name, face, fans, password_hash, created_at FROM users WHERE mid IN (SELECT value FROM json_each(?))`,
	qUpdateUser: `UPDATE users SET name = ?, face = ?, fans = ?, password_hash = ? WHERE mid = ?`,
	qListUsers:  `SELECT mid, name, face, fans, password_hash, created_at FROM users WHERE mid > ? ORDER BY mid LIMIT ?`,
	qUsersNamed: `SELECT mid, name, face, fans, password_hash, created_at FROM users WHERE name = ? ORDER BY mid LIMIT ?`,
	qMaxMid:     `SELECT COALESCE(MAX(mid), 0) FROM users`,

	qCreateLogin: `INSERT INTO logins (token_hash, mid, bili_jct, created_at) VALUES (?, ?, ?, ?)`,
	qGetLogin:    `SELECT token_hash, mid, bili_jct, created_at FROM logins WHERE token_hash = ?`,
	qDeleteLogin: `DELETE FROM logins WHERE token_hash = ?`,

	qGetRelation: `SELECT following, blocking FROM relations WHERE mid = ? AND target = ?`,
	qFollowed: `SELECT target FROM relations WHERE mid = ?1 AND following = 1
		AND target IN (SELECT value FROM json_each(?2))`,
	qPutRelation: `INSERT INTO relations (mid, target, following, blocking) VALUES (?, ?, ?, ?)
		ON CONFLICT (mid, target) DO UPDATE SET following = excluded.following, blocking = excluded.blocking`,

	// ?1 mid, ?2 target; each relation comes back as following | blocking<<1, then the
	// target's settings packed into one number (packedSettings).
	qGetPair: `SELECT EXISTS (SELECT 1 FROM users WHERE mid = ?2),
		COALESCE((SELECT following | (blocking << 1) FROM relations WHERE mid = ?1 AND target = ?2), 0),
		COALESCE((SELECT following | (blocking << 1) FROM relations WHERE mid = ?2 AND target = ?1), 0),
		` + packedSettings(),

	qGetSession: `SELECT ` + sessionCols + ` FROM sessions WHERE owner = ? AND type = ? AND talker = ?`,
	qPutSession: `INSERT OR REPLACE INTO sessions (` + sessionCols + `) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
	// ?1 owner, ?5 intercept, ?6 after, ?7 before, ?8 limit.
	//
	// Bounds are plain comparisons (the caller passes MaxInt64 for "no upper bound") so
	// that both become the index range: with "(?7 = 0 OR ts < ?7)" SQLite seeks on the
	// lower bound only and a page deep in the list scans every newer row first. LIMIT is
	// written "?N + 0" because SQLite (≥ 3.47) re-prepares a statement on every run when
	// a bare "LIMIT ?" is re-bound; the expression gives the same limit without that.
	qListSessionsTs: `SELECT ` + sessionCols + ` FROM sessions
		WHERE owner = ?1 AND intercept = ?5 AND session_ts > ?6 AND session_ts < ?7 AND ` + sessionFilter + `
		ORDER BY session_ts DESC LIMIT ?8 + 0`,
	qListSessionsFollow: `SELECT ` + sessionCols + ` FROM sessions
		WHERE owner = ?1 AND intercept = ?5 AND is_follow = ?3 AND session_ts > ?6 AND session_ts < ?7 AND ` + sessionFilter + `
		ORDER BY session_ts DESC LIMIT ?8 + 0`,
	qListSessionsAck: `SELECT ` + sessionCols + ` FROM sessions
		WHERE owner = ?1 AND intercept = ?5 AND ack_ts > ?6 AND ack_ts < ?7 AND ` + sessionFilter + `
		ORDER BY ack_ts DESC LIMIT ?8 + 0`,
	qHasSessions: `SELECT EXISTS (SELECT 1 FROM sessions WHERE owner = ? AND max_seqno > 0)`,
	qListSystemSessions: `SELECT ` + sessionCols + ` FROM sessions WHERE owner = ? AND system_type > 0 AND max_seqno > 0
		ORDER BY system_type`,
	qGetCounters: `SELECT follow, unfollow, dustbin, biz, custom FROM counters WHERE owner = ?`,
	qAddCounters: `INSERT INTO counters (owner, follow, unfollow, dustbin, biz, custom) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
		ON CONFLICT (owner) DO UPDATE SET follow = follow + ?2, unfollow = unfollow + ?3, dustbin = dustbin + ?4,
		biz = biz + ?5, custom = custom + ?6`,

	qInsertMessage: `INSERT INTO messages (` + messageCols + `) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
	qGetMessage:    `SELECT ` + messageCols + ` FROM messages WHERE msg_key = ?`,
	// The key list travels as one JSON array parameter, so the text stays static.
	qGetMessages:      `SELECT ` + messageCols + ` FROM messages WHERE msg_key IN (SELECT value FROM json_each(?))`,
	qSetMessageStatus: `UPDATE messages SET status = ? WHERE msg_key = ?`,
	// ?1 lo, ?2 hi, ?3 viewer, ?4 after, ?5 before, ?6 limit, ?7 only type (0 = any).
	// Bounds and LIMIT are written as in the session lists above, for the same reasons.
	qListMessagesDesc: `SELECT ` + messageCols + ` FROM messages
		WHERE conv_lo = ?1 AND conv_hi = ?2 AND seqno > ?4 AND seqno < ?5
		  AND status != 2 AND visible_to IN (0, ?3) AND (?7 = 0 OR msg_type = ?7)
		ORDER BY seqno DESC LIMIT ?6 + 0`,
	qListMessagesAsc: `SELECT ` + messageCols + ` FROM messages
		WHERE conv_lo = ?1 AND conv_hi = ?2 AND seqno > ?4 AND seqno < ?5
		  AND status != 2 AND visible_to IN (0, ?3) AND (?7 = 0 OR msg_type = ?7)
		ORDER BY seqno ASC LIMIT ?6 + 0`,
	qCountUnread: `SELECT COUNT(*) FROM messages
		WHERE conv_lo = ?1 AND conv_hi = ?2 AND seqno > ?4 AND sender_uid != ?3
		  AND counts_unread = 1 AND status != 2 AND visible_to IN (0, ?3)`,

	qGetSettings: `SELECT ` + settingsCols + ` FROM settings WHERE owner = ?`,
	qPutSettings: `INSERT OR REPLACE INTO settings (owner, ` + settingsCols + `)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
	qListBlockWords:  `SELECT content, ctime FROM block_words WHERE owner = ? ORDER BY id`,
	qAddBlockWord:    `INSERT INTO block_words (owner, content, ctime) VALUES (?, ?, ?)`,
	qDeleteBlockWord: `DELETE FROM block_words WHERE owner = ? AND content = ?`,

	qListAutoReplies:  `SELECT ` + autoReplyCols + ` FROM auto_replies WHERE owner = ? AND type = ? ORDER BY id DESC`,
	qGetAutoReply:     `SELECT ` + autoReplyCols + ` FROM auto_replies WHERE id = ?`,
	qInsertAutoReply:  `INSERT INTO auto_replies (owner, type, title, key1, key2, reply, ctime) VALUES (?, ?, ?, ?, ?, ?, ?)`,
	qUpdateAutoReply:  `UPDATE auto_replies SET owner = ?, type = ?, title = ?, key1 = ?, key2 = ?, reply = ?, ctime = ? WHERE id = ?`,
	qGetMatchIndex:    `SELECT text FROM match_index WHERE owner = ? AND kind = ?`,
	qPutMatchIndex:    `INSERT OR REPLACE INTO match_index (owner, kind, text) VALUES (?, ?, ?)`,
	qDeleteMatchIndex: `DELETE FROM match_index WHERE owner = ? AND kind = ?`,
	qDeleteAutoReply:  `DELETE FROM auto_replies WHERE id = ?`,

	qPutWork:    `INSERT OR REPLACE INTO works (` + workCols + `) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
	qDeleteWork: `DELETE FROM works WHERE owner = ? AND aid = ?`,
	qListWorks:  `SELECT ` + workCols + ` FROM works WHERE owner = ? ORDER BY pub_date DESC, aid DESC LIMIT ? + 0`,

	qCreateGroup: `INSERT INTO groups (` + groupCols + `) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
	qGetGroup:    `SELECT ` + groupCols + ` FROM groups WHERE id = ?`,
	qPutGroup: `UPDATE groups SET owner = ?2, name = ?3, cover = ?4, type = ?5, state = ?6, members = ?7, max_seqno = ?8,
		counted = ?9, last_msg_key = ?10, session_ts = ?11, created_at = ?12 WHERE id = ?1`,
	qMaxGroupID:   `SELECT COALESCE(MAX(id), 0) FROM groups`,
	qGetMember:    `SELECT ` + memberCols + ` FROM group_members WHERE group_id = ? AND mid = ?`,
	qMembersAmong: `SELECT mid FROM group_members WHERE group_id = ? AND mid IN (SELECT value FROM json_each(?))`,
	qPutMember:    `INSERT OR REPLACE INTO group_members (` + memberCols + `) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
	qDeleteMember: `DELETE FROM group_members WHERE group_id = ? AND mid = ?`,
	qListMembers:  `SELECT ` + memberCols + ` FROM group_members WHERE group_id = ? AND mid > ? ORDER BY mid LIMIT ? + 0`,
	qListMemberships: `SELECT m.group_id, m.mid, m.joined_at, m.join_seqno, m.ack_seqno, m.ack_ts, m.ack_counted, m.at_seqno,
		m.top_ts, m.is_dnd, m.hidden_seqno, g.id, g.owner, g.name, g.cover, g.type, g.state, g.members, g.max_seqno,
		g.counted, g.last_msg_key, g.session_ts, g.created_at
		FROM group_members m JOIN groups g ON g.id = m.group_id WHERE m.mid = ? ORDER BY m.group_id`,
	// The names travel as one JSON array parameter, so the text stays static. CROSS JOIN
	// fixes the join order — names, then users by name, then the membership by primary
	// key — so the cost follows the number of names; left to itself the planner may walk
	// the group's members instead (56 ms in a group of 100,000).
	qMembersNamed: `SELECT DISTINCT u.mid, u.name FROM json_each(?2) AS n
		CROSS JOIN users u ON u.name = n.value
		CROSS JOIN group_members m ON m.group_id = ?1 AND m.mid = u.mid`,
	qInsertGroupMessage: `INSERT INTO group_messages (` + groupMessageCols + `) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
	qGetGroupMessage:    `SELECT ` + groupMessageCols + ` FROM group_messages WHERE msg_key = ?`,
	qGetGroupMessageAt:  `SELECT ` + groupMessageCols + ` FROM group_messages WHERE group_id = ? AND seqno = ?`,
	qGetGroupMessages: `SELECT ` + groupMessageCols + ` FROM group_messages
		WHERE msg_key IN (SELECT value FROM json_each(?))`,
	qSetGroupMessageStatus: `UPDATE group_messages SET status = ? WHERE msg_key = ?`,
	// ?1 group, ?2 after, ?3 before, ?4 limit, ?5 only type (0 = any); as the 1:1 lists.
	qListGroupMessagesDesc: `SELECT ` + groupMessageCols + ` FROM group_messages
		WHERE group_id = ?1 AND seqno > ?2 AND seqno < ?3 AND status != 2 AND (?5 = 0 OR msg_type = ?5)
		ORDER BY seqno DESC LIMIT ?4 + 0`,
	qListGroupMessagesAsc: `SELECT ` + groupMessageCols + ` FROM group_messages
		WHERE group_id = ?1 AND seqno > ?2 AND seqno < ?3 AND status != 2 AND (?5 = 0 OR msg_type = ?5)
		ORDER BY seqno ASC LIMIT ?4 + 0`,

	qInsertFeedItem:   `INSERT INTO feed_items (owner, feed, time, stamp, agg, body) VALUES (?, ?, ?, ?, ?, ?)`,
	qPutFeedItem:      `UPDATE feed_items SET owner = ?2, feed = ?3, time = ?4, stamp = ?5, agg = ?6, body = ?7 WHERE id = ?1`,
	qDeleteFeedItem:   `DELETE FROM feed_items WHERE id = ?`,
	qAddFeedLiker:     `INSERT OR IGNORE INTO feed_likers (owner, agg, mid) VALUES (?, ?, ?)`,
	qGetFeedItem:      `SELECT ` + feedItemCols + ` FROM feed_items WHERE id = ?`,
	qGetFeedItemByAgg: `SELECT ` + feedItemCols + ` FROM feed_items WHERE owner = ? AND feed = ? AND agg = ? AND agg != ''`,
	// ?1 owner, ?2 feed, ?3 before time, ?4 before id, ?5 limit. The row-value comparison
	// is the index range (time, id) < (?3, ?4).
	qListFeedItems: `SELECT ` + feedItemCols + ` FROM feed_items
		WHERE owner = ?1 AND feed = ?2 AND (time, id) < (?3, ?4)
		ORDER BY time DESC, id DESC LIMIT ?5 + 0`,
	qGetFeedState:   `SELECT unread, seen_stamp, last_view_at FROM feed_state WHERE owner = ? AND feed = ?`,
	qListFeedStates: `SELECT feed, unread, seen_stamp, last_view_at FROM feed_state WHERE owner = ?`,
	qPutFeedState:   `INSERT OR REPLACE INTO feed_state (owner, feed, unread, seen_stamp, last_view_at) VALUES (?, ?, ?, ?, ?)`,
}
