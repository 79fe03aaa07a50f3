package wire_test

import (
	"context"
	"net/url"
	"strconv"
	"testing"

	"github.com/bilimsg/bilimsg/internal/im"
	"github.com/bilimsg/bilimsg/internal/store"
	"github.com/bilimsg/bilimsg/internal/testkit"
)

// BenchmarkFeeds measures the notification feeds through HTTP for a user with 10,000
// replies and 2,000 liked comments (10 likers each) in their feeds (docs/feed.md):
//
//   - unread: the new N1 URL (four counter rows);
//   - reply_first / reply_deep: a page of 回复我的, the newest one (which also marks the
//     feed read) and one 9,000 items deep (a cursor page);
//   - like_first: the first page of 收到的赞, 20 items naming 10 likers each;
//   - post_like: the operator API posting a like that aggregates into an existing item.
func BenchmarkFeeds(b *testing.B) {
	s := testkit.Start(b, testkit.Options{})
	svc := s.App.Service
	ctx := context.Background()
	owner := s.NewUser(7_000_000, "owner")
	var actors []uint64
	for i := range 10 {
		u := s.NewUser(uint64(7_000_001+i), "actor"+strconv.Itoa(i))
		actors = append(actors, u.Mid)
	}
	const replies, liked = 10_000, 2_000
	var deep url.Values
	for i := range replies {
		id, err := svc.PostNotice(ctx, owner.Mid, store.FeedReply, im.Notice{Actor: actors[i%10], Type: "video",
			BusinessID: 1, Business: "评论", Title: "视频", URI: "https://www.bilibili.com/video/BV1",
			SourceID: uint64(i + 1), Source: "回复 " + strconv.Itoa(i)})
		if err != nil {
			b.Fatal(err)
		}
		if i == replies-9_000 {
			// Items are one second apart at most; the cursor is this item's (time, id).
			deep = url.Values{"id": {strconv.FormatUint(id, 10)}, "reply_time": {strconv.FormatInt(s.App.FakeClock.Now().Unix(), 10)}}
		}
		if i%100 == 0 {
			s.Advance(1e9)
		}
	}
	for i := range liked * 10 {
		if _, err := svc.PostNotice(ctx, owner.Mid, store.FeedLike, im.Notice{Actor: actors[i%10], Type: "reply",
			ItemID: uint64(i/10 + 1), Business: "评论", Title: "评论", URI: "https://www.bilibili.com/video/BV1"}); err != nil {
			b.Fatal(err)
		}
	}
	client := benchClient()
	for _, c := range []struct {
		name, path string
		q          url.Values
	}{
		{"unread", "/x/im/web/msgfeed/unread", nil},
		{"reply_first", "/x/msgfeed/reply", nil},
		{"reply_deep", "/x/msgfeed/reply", deep},
		{"like_first", "/x/msgfeed/like", nil},
	} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				get(b, client, s, owner, c.path, c.q)
			}
		})
	}
	b.Run("post_like", func(b *testing.B) {
		i := 0
		for b.Loop() {
			body := map[string]any{"actor": actors[i%10], "type": "reply", "item_id": i%liked + 1, "business": "评论",
				"title": "评论", "uri": "https://www.bilibili.com/video/BV1"}
			if st := s.Admin("POST", "/admin/v1/users/7000000/notifications/like", body, nil); st != 200 {
				b.Fatalf("post like: %d", st)
			}
			i++
		}
	})
}
