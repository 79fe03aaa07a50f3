package wire_test

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bilimsg/bilimsg/internal/testkit"
)

// fdMark is in every text of 路人甲's notifications and in the name of the one who acts
// on him; it must never appear in 咕咕鸽's answers.
const fdMark = "FDMARK"

// fdModelItem is a feed item as the fuzz model knows it.
type fdModelItem struct {
	id uint64
	tm int64
}

// fdOlder reports whether a is strictly older than the bound (tm, id) — an earlier second,
// or the same second and a smaller id (docs/feed.md "Paging", §9 item 41).
func fdOlder(a fdModelItem, tm int64, id uint64) bool {
	return a.tm < tm || (a.tm == tm && a.id < id)
}

// fdParams reads a raw query as docs/choices.md says bilimsg reads parameters: keys
// trimmed of white space (an exact key beats a padded one), the first value wins. ok is
// false when the query does not parse.
func fdParams(raw string) (map[string]string, bool) {
	v, err := url.ParseQuery(raw)
	if err != nil {
		return nil, false
	}
	p := map[string]string{}
	var padded []string
	for k, vs := range v {
		if strings.TrimSpace(k) != k {
			padded = append(padded, k)
		} else if len(vs) > 0 {
			p[k] = vs[0]
		}
	}
	slices.Sort(padded)
	for _, k := range padded {
		if t := strings.TrimSpace(k); len(v[k]) > 0 {
			if _, seen := p[t]; !seen {
				p[t] = v[k][0]
			}
		}
	}
	return p, true
}

// fdCursorParam reads one cursor parameter by the documented rule: absent or empty is
// 0; anything but a non-negative decimal integer is refused (ids take no sign).
func fdCursorParam(p map[string]string, name string, signed bool) (uint64, bool) {
	v := p[name]
	if v == "" {
		return 0, true
	}
	if signed {
		n, err := strconv.ParseInt(v, 10, 64)
		return uint64(n), err == nil && n >= 0
	}
	n, err := strconv.ParseUint(v, 10, 64)
	return n, err == nil
}

// FuzzFeeds sends arbitrary query strings to the six feed routes (route picks one) as
// 咕咕鸽, who has items in every feed, or without a cookie (anon). Every answer is HTTP
// 200 with one well-formed x-family envelope (code, message, ttl, data — no msg); the
// code is -101 without a cookie (or -400 when the query does not even parse), else 0 or
// -400 exactly as the documented parameter rules predict; a success has the documented
// shape and exactly the page a model of the feeds predicts (counts, items, cursor,
// last_view_at); and nothing of 路人甲's, whose feeds are interleaved with 咕咕鸽's, ever
// shows.
func FuzzFeeds(f *testing.F) {
	s := testkit.Start(f, testkit.Options{})
	me := s.NewUser(fdMe, "咕咕鸽")
	s.NewUser(fdOther, "路人甲")
	s.NewUser(fdHong, "小红")
	s.NewUser(fdQiang, "阿强")
	s.NewUser(3006, fdMark+"演员")
	s.Follow(fdMe, fdHong, true)

	kinds := []string{"reply", "at", "like", "system"}
	mine := map[string][]fdModelItem{} // newest first once set up
	theirs := map[uint64]bool{}
	likeAt := map[uint64]int{} // my like items' index in mine["like"], by the liked thing
	post := func(kind string, sec, n int) {
		// 路人甲's first, then mine: cursors made of his items fall between mine.
		ob := fdBody(kind, 3006, n, fdMark+"的通知")
		if kind == "system" {
			ob["content"] = fdMark
		} else {
			ob["source_content"] = fdMark
		}
		theirs[fdMust(f, s, fdOther, kind, ob)] = true
		actor := []uint64{fdHong, fdQiang}[n%2]
		body := fdBody(kind, actor, n, "咕咕鸽的")
		thing := uint64(265141340000 + n%3)
		if kind == "like" {
			body = fdLikeOf(actor, "reply", thing, "评论") // three things, aggregated
		}
		// The answer is the item's id as the feed shows it (a renewed like item may
		// or may not keep its id: the model follows the answer).
		it := fdModelItem{fdMust(f, s, fdMe, kind, body), s.App.FakeClock.Now().Unix()}
		if i, ok := likeAt[thing]; ok && kind == "like" {
			mine[kind][i] = it // the latest like moves the item
			return
		}
		if kind == "like" {
			likeAt[thing] = len(mine[kind])
		}
		mine[kind] = append(mine[kind], it)
	}
	for sec := range 3 {
		s.Advance(time.Second)
		for n := range 12 {
			for _, k := range kinds {
				if k == "reply" || k == "system" || n < 3 || (k == "like" && sec == 2) {
					post(k, sec, sec*12+n)
				}
			}
		}
	}
	for _, k := range kinds {
		slices.SortFunc(mine[k], func(a, b fdModelItem) int {
			if a.tm != b.tm {
				return int(b.tm - a.tm)
			}
			return int(int64(b.id) - int64(a.id))
		})
	}
	s.Advance(time.Minute)
	now := s.App.FakeClock.Now().Unix()
	unread := map[string]int64{"reply": int64(len(mine["reply"])), "at": int64(len(mine["at"])), "like": 3,
		"system": int64(len(mine["system"]))}
	viewed := map[string]bool{}

	// Seeds: for each route, the documented refusals, cursors of mine and of 路人甲's,
	// and odd shapes of query.
	oth := func(kind string) uint64 {
		for id := range theirs {
			if id > mine[kind][len(mine[kind])-1].id && id < mine[kind][0].id {
				return id
			}
		}
		return 1
	}
	for ri, rt := range fdRoutes {
		r := uint8(ri)
		f.Add(r, "", false)
		f.Add(r, "", true)
		f.Add(r, "build=0&mobi_app=web&platform=web&web_location=333.40164", false)
		f.Add(r, "%zz", false)
		f.Add(r, "a=1;b=2", true)
		if rt.idName == "" {
			continue
		}
		id, tm := rt.idName, rt.timeName
		for _, v := range []string{"abc", "-1", "1.5", "18446744073709551616", "+1", " 1", "0x10", "9223372036854775808"} {
			f.Add(r, id+"="+url.QueryEscape(v), false)
			f.Add(r, tm+"="+url.QueryEscape(v), false)
		}
		kind := rt.kind
		m := mine[kind]
		for _, i := range []int{len(m) / 2, len(m) - 21, len(m) - 22} { // 20 and 21 older items: is_end
			if i >= 0 {
				f.Add(r, id+"="+strconv.FormatUint(m[i].id, 10)+"&"+tm+"="+strconv.FormatInt(m[i].tm, 10), false)
			}
		}
		f.Add(r, id+"="+strconv.FormatUint(oth(kind), 10), false)
		f.Add(r, id+"="+strconv.FormatUint(oth(kind), 10)+"&"+tm+"="+strconv.FormatInt(m[0].tm, 10), false)
		f.Add(r, tm+"="+strconv.FormatInt(m[0].tm, 10), false)
		f.Add(r, id+"=0&"+tm+"=0", false)
		f.Add(r, " "+id+"=abc&"+id+"=1", false)
		f.Add(r, id+"=1&"+id+"=abc", false)
		f.Add(r, id+"=&"+tm+"=", false)
		f.Add(r, tm+"=9223372036854775807&"+id+"=18446744073709551615", false)
	}

	f.Fuzz(func(t *testing.T, route uint8, query string, anon bool) {
		ri := int(route) % len(fdRoutes)
		rt, endpoint := fdRoutes[ri], fdEndpoints[ri]
		req := httptest.NewRequest(http.MethodGet, rt.path, nil)
		req.URL.RawQuery = query
		if !anon {
			req.Header.Set("Cookie", "SESSDATA="+me.SESSDATA)
		}
		rec := httptest.NewRecorder()
		s.App.Handler.ServeHTTP(rec, req)
		body := rec.Body.Bytes()
		if rec.Code != http.StatusOK {
			t.Fatalf("HTTP %d: %s", rec.Code, body)
		}
		if bytes.Contains(body, []byte(fdMark)) {
			t.Fatalf("路人甲's notification in 咕咕鸽's answer: %s", body)
		}
		root, err := parseOrdered(body)
		if err != nil {
			t.Fatalf("not one JSON value (%v): %s", err, body)
		}
		if !wantKeys(t, "envelope", root, envelopeX) {
			t.FailNow()
		}
		code := num(t, root.get("code"))
		if ttl := root.get("ttl"); ttl.kind != 'n' || ttl.num != "1" {
			t.Fatalf("ttl must be 1: %s", body)
		}

		// The documented outcome.
		p, parsed := fdParams(query)
		want := int64(0)
		var id, tm uint64
		switch {
		case !parsed:
			want = -400
		case anon:
			want = -101
		case rt.idName != "":
			var ok1, ok2 bool
			id, ok1 = fdCursorParam(p, rt.idName, false)
			tm, ok2 = fdCursorParam(p, rt.timeName, true) // page_size is signed too
			if !ok1 || !ok2 {
				want = -400
			}
		}
		if code != want {
			t.Fatalf("code %d, want %d: ?%s → %s", code, want, query, body)
		}
		if code != 0 {
			if m := root.get("message"); m.kind != 's' || m.str != catalogText[int(code)] {
				t.Errorf("message %+v, want %q", m, catalogText[int(code)])
			}
			if d := root.get("data"); d.kind != 'z' {
				t.Errorf("an error's data must be null: %s", body)
			}
			return
		}
		if root.get("message").str != "0" {
			t.Errorf("message must be \"0\": %s", body)
		}
		data := root.get("data")
		if !fdShape(t, endpoint, data) {
			t.Fatalf("no shape for %s", endpoint)
		}

		// The model's page.
		switch rt.kind {
		case "":
			want := map[string]int64{"reply": unread["reply"], "recv_reply": unread["reply"], "at": unread["at"],
				"like": unread["like"], "recv_like": unread["like"], "sys_msg": unread["system"]}
			for k, v := range want {
				if got := num(t, data.get(k)); got != v {
					t.Errorf("%s = %d, want %d", k, got, v)
				}
			}
			return
		case "system":
			size := int(tm)
			if size == 0 {
				size = 20
			}
			size = min(size, 50)
			m := mine["system"]
			var page []fdModelItem
			if id == 0 {
				page = m[:min(size, len(m))]
				unread["system"], viewed["system"] = 0, true
			} else if i := slices.IndexFunc(m, func(x fdModelItem) bool { return x.id == id }); i >= 0 {
				page = m[i+1 : min(i+1+size, len(m))]
			}
			var wantIDs []uint64
			for _, x := range page {
				wantIDs = append(wantIDs, x.id)
			}
			if got := fdIDs(t, data); !slices.Equal(got, wantIDs) {
				t.Fatalf("?%s: notifications %v, want %v", query, got, wantIDs)
			}
			return
		}
		first := id == 0 && tm == 0
		var page []fdModelItem
		for _, x := range mine[rt.kind] {
			if tm == 0 || fdOlder(x, int64(tm), id) {
				page = append(page, x)
			}
		}
		isEnd := len(page) <= 20
		page = page[:min(len(page), 20)]
		if first {
			unread[rt.kind], viewed[rt.kind] = 0, true
		}
		lastView := int64(0)
		if viewed[rt.kind] {
			lastView = now
		}
		d, lv := data, data.get("last_view_at")
		if rt.kind == "like" {
			d, lv = data.get("total"), data.get("latest", "last_view_at")
		}
		var wantIDs []uint64
		for _, x := range page {
			wantIDs = append(wantIDs, x.id)
		}
		items := d.get("items")
		if got := fdIDs(t, items); !slices.Equal(got, wantIDs) {
			t.Fatalf("?%s: items %v, want %v", query, got, wantIDs)
		}
		for i, x := range page {
			if got := num(t, items.arr[i].get(rt.timeName)); got != x.tm {
				t.Errorf("item %d: %s %d, want %d", x.id, rt.timeName, got, x.tm)
			}
		}
		c := d.get("cursor")
		if c.get("is_end").b != isEnd {
			t.Errorf("?%s: is_end %v, want %v", query, c.get("is_end").b, isEnd)
		}
		if got := num(t, lv); got != lastView {
			t.Errorf("?%s: last_view_at %d, want %d", query, got, lastView)
		}
	})
}
