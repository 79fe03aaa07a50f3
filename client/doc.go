// Package client is a Go client of bilibili's message API (私信): private messages,
// fan-group chats, message settings, auto-replies and the notification feeds. It talks
// to bilibili itself or, with one option, to a bilimsg server — the same program runs
// against both.
//
// # Connecting
//
// New without options talks to bilibili's hosts (api.vc.bilibili.com,
// api.bilibili.com and message.bilibili.com). WithBaseURL points every call at a
// bilimsg server instead.
// WithCredentials logs the client in with the cookies a browser holds (SESSDATA,
// bili_jct, DedeUserID); ParseCookies reads them from a Cookie header's text and
// DemoLogin from the demo users of `bilimsg serve --demo`.
//
//	c, err := client.New(
//		client.WithBaseURL("http://127.0.0.1:8080"),
//		client.WithCredentials(client.Credentials{SESSDATA: "…", BiliJct: "…", Mid: 1}),
//	)
//	res, err := c.SendText(ctx, client.User(293793435), "你好[tv_doge]")
//
// Every endpoint has one method taking a context; numbers bilibili sends as 64-bit
// integers (msg_key, seqnos, ids) are uint64, never floats.
//
// # Errors
//
// A refusal from the server is an *Error with bilibili's code and message. The
// sentinels (ErrNotLoggedIn, ErrRateLimited, ErrOneMessage, …) match any *Error with
// their code under errors.Is; IsCode tests any other code. Anything else — a network
// failure, an answer that is not bilibili's JSON or does not have the expected shape —
// is an ordinary error that says what was wrong; the client never panics on an answer.
//
// # Retries
//
// The RetryPolicy (DefaultRetry) repeats only what is safe to repeat: reads that failed
// in transit or on the server's side, and any call refused with 21020 (sending too
// fast: nothing was sent), after RateLimitWait. A write that failed in transit is never
// repeated, since it may have happened.
//
// # Paging and following
//
// AllSessions, AllMessages, AllReplies, AllAts, AllLikes and AllSystemNotices are
// iterators over every page. Watch returns a Watcher that follows new messages the way
// bilibili's web page does (new_sessions, then fetch_session_msgs from the last seqno),
// delivering each new message once and in order per conversation, and resuming from a
// saved Cursor after a restart. Package bot builds bots on it.
package client
