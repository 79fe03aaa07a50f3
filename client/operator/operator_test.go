package operator_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bilimsg/bilimsg/client"
	"github.com/bilimsg/bilimsg/client/operator"
	"github.com/bilimsg/bilimsg/internal/testkit"
)

var bg = context.Background()

func ptr[T any](v T) *T { return &v }

// wantStatus fails unless err is an operator refusal with this HTTP status.
func wantStatus(t *testing.T, err error, status int, what string) {
	t.Helper()
	var e *operator.Error
	if !errors.As(err, &e) {
		t.Fatalf("%s: %v, want an *operator.Error with status %d", what, err, status)
	}
	if e.Status != status || !operator.IsStatus(err, status) {
		t.Fatalf("%s: status %d (%v), want %d", what, e.Status, err, status)
	}
	if e.Message == "" {
		t.Errorf("%s: the error has no message", what)
	}
}

func TestUsers(t *testing.T) {
	s := testkit.Start(t, testkit.Options{})
	op := s.Operator()

	u, err := op.CreateUser(bg, operator.NewUser{Name: "alice", Mid: ptr[uint64](5001), Face: "https://i0.hdslb.com/bfs/face/a.jpg",
		Fans: 12, Password: "secret"})
	if err != nil {
		t.Fatal(err)
	}
	want := operator.User{Mid: 5001, Name: "alice", Face: "https://i0.hdslb.com/bfs/face/a.jpg", Fans: 12,
		CreatedAt: testkit.Epoch.Unix()}
	if *u != want {
		t.Fatalf("CreateUser: %+v, want %+v", *u, want)
	}

	_, err = op.CreateUser(bg, operator.NewUser{Name: "alice again", Mid: ptr[uint64](5001)})
	wantStatus(t, err, http.StatusConflict, "CreateUser with an existing mid")
	if operator.IsStatus(err, http.StatusNotFound) || operator.IsStatus(nil, http.StatusConflict) ||
		operator.IsStatus(errors.New("409"), http.StatusConflict) {
		t.Error("IsStatus matches what it should not")
	}
	_, err = op.CreateUser(bg, operator.NewUser{Name: ""})
	wantStatus(t, err, http.StatusBadRequest, "CreateUser with no name")

	auto, err := op.CreateUser(bg, operator.NewUser{Name: "bob"})
	if err != nil {
		t.Fatal(err)
	}
	if auto.Mid == 0 || auto.Mid == 5001 || auto.Name != "bob" || !strings.Contains(auto.Face, "noface") {
		t.Errorf("CreateUser without a mid: %+v", *auto)
	}

	got, err := op.User(bg, 5001)
	if err != nil || *got != want {
		t.Fatalf("User(5001): %+v, %v; want %+v", got, err, want)
	}
	_, err = op.User(bg, 999)
	wantStatus(t, err, http.StatusNotFound, "User(999)")

	// Users pages in mid order.
	for _, mid := range []uint64{6003, 6001, 6005, 6002, 6004} {
		if _, err := op.CreateUser(bg, operator.NewUser{Name: "u", Mid: &mid}); err != nil {
			t.Fatal(err)
		}
	}
	mids := func(us []operator.User) []uint64 {
		var out []uint64
		for _, u := range us {
			out = append(out, u.Mid)
		}
		return out
	}
	p1, err := op.Users(bg, 6000, 2)
	if err != nil || !slices.Equal(mids(p1), []uint64{6001, 6002}) {
		t.Fatalf("Users(6000, 2): %v, %v", mids(p1), err)
	}
	p2, err := op.Users(bg, p1[len(p1)-1].Mid, 2)
	if err != nil || !slices.Equal(mids(p2), []uint64{6003, 6004}) {
		t.Fatalf("Users(6002, 2): %v, %v", mids(p2), err)
	}
	all, err := op.Users(bg, 0, 0)
	if err != nil || !slices.Equal(mids(all), []uint64{5001, 6001, 6002, 6003, 6004, 6005, auto.Mid}) {
		t.Fatalf("Users(0, 0): %v, %v", mids(all), err)
	}
	if all[0] != want {
		t.Errorf("Users: %+v, want %+v", all[0], want)
	}
	none, err := op.Users(bg, auto.Mid, 0)
	if err != nil || len(none) != 0 {
		t.Errorf("Users after the last: %v, %v", mids(none), err)
	}
	_, err = op.Users(bg, 0, 5000)
	wantStatus(t, err, http.StatusBadRequest, "Users with limit 5000")

	// UpdateUser changes only what it is given.
	up, err := op.UpdateUser(bg, 5001, operator.UserUpdate{Name: ptr("alice2"), Fans: ptr[int64](1000)})
	if err != nil {
		t.Fatal(err)
	}
	want2 := want
	want2.Name, want2.Fans = "alice2", 1000
	if *up != want2 {
		t.Fatalf("UpdateUser: %+v, want %+v", *up, want2)
	}
	if got, err := op.User(bg, 5001); err != nil || *got != want2 {
		t.Fatalf("User after UpdateUser: %+v, %v", got, err)
	}
	up, err = op.UpdateUser(bg, 5001, operator.UserUpdate{Face: ptr("https://i0.hdslb.com/bfs/face/b.jpg")})
	if err != nil || up.Face != "https://i0.hdslb.com/bfs/face/b.jpg" || up.Name != "alice2" || up.Fans != 1000 {
		t.Fatalf("UpdateUser face: %+v, %v", up, err)
	}
	_, err = op.UpdateUser(bg, 999, operator.UserUpdate{Name: ptr("x")})
	wantStatus(t, err, http.StatusNotFound, "UpdateUser(999)")
}

func TestLogin(t *testing.T) {
	s := testkit.Start(t, testkit.Options{})
	op := s.Operator()
	alice := s.NewUser(7001, "alice")
	bob := s.NewUser(7002, "bob")

	cr, err := op.Login(bg, alice.Mid)
	if err != nil {
		t.Fatal(err)
	}
	if cr.Mid != alice.Mid || cr.SESSDATA == "" || cr.BiliJct == "" || cr.SESSDATA == alice.SESSDATA {
		t.Fatalf("Login: %+v (want a new login of %d)", cr, alice.Mid)
	}
	s.SendText(bob, alice.Mid, "hello alice")
	c, err := client.New(client.WithBaseURL(s.URL), client.WithHTTPClient(s.HTTP.Client()), client.WithCredentials(cr))
	if err != nil {
		t.Fatal(err)
	}
	u, err := c.SingleUnread(bg, client.UnreadOptions{})
	if err != nil {
		t.Fatalf("SingleUnread with the operator's login: %v", err)
	}
	if u.UnfollowUnread != 1 {
		t.Errorf("SingleUnread as alice: %+v, want unfollow_unread 1 (bob's message)", *u)
	}
	// The login can write too (bili_jct is the csrf).
	if _, err := c.SendText(bg, client.User(bob.Mid), "hi bob"); err != nil {
		t.Errorf("send with the operator's login: %v", err)
	}

	_, err = op.Login(bg, 999)
	wantStatus(t, err, http.StatusNotFound, "Login(999)")
}

func TestRelations(t *testing.T) {
	s := testkit.Start(t, testkit.Options{})
	op := s.Operator()
	a, b := s.NewUser(0, "a").Mid, s.NewUser(0, "b").Mid
	check := func(what string, r *operator.Relation, err error, following, blocking bool) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		if r.Following != following || r.Blocking != blocking {
			t.Fatalf("%s: %+v, want following %v blocking %v", what, *r, following, blocking)
		}
	}
	r, err := op.Relation(bg, a, b)
	check("Relation before", r, err, false, false)
	r, err = op.Follow(bg, a, b)
	check("Follow", r, err, true, false)
	r, err = op.Relation(bg, a, b)
	check("Relation a→b", r, err, true, false)
	r, err = op.Relation(bg, b, a)
	check("Relation b→a", r, err, false, false)
	r, err = op.Unfollow(bg, a, b)
	check("Unfollow", r, err, false, false)
	r, err = op.Follow(bg, a, b)
	check("Follow again", r, err, true, false)

	r, err = op.Block(bg, a, b)
	check("Block", r, err, false, true)
	r, err = op.Relation(bg, a, b)
	check("Relation while blocking", r, err, false, true)
	_, err = op.Follow(bg, a, b)
	wantStatus(t, err, http.StatusConflict, "Follow while blocking")
	_, err = op.Follow(bg, b, a)
	wantStatus(t, err, http.StatusConflict, "Follow of a blocker")
	r, err = op.Unblock(bg, a, b)
	check("Unblock", r, err, false, false)
	r, err = op.Follow(bg, a, b)
	check("Follow after Unblock", r, err, true, false)

	_, err = op.Follow(bg, a, 999)
	wantStatus(t, err, http.StatusNotFound, "Follow of an unknown user")
}

func TestClock(t *testing.T) {
	s := testkit.Start(t, testkit.Options{})
	op := s.Operator()
	c, err := op.Clock(bg)
	if err != nil {
		t.Fatal(err)
	}
	if c.Now != testkit.Epoch.Unix() || c.NowUs != testkit.Epoch.UnixMicro() {
		t.Fatalf("Clock: %+v, want %v", *c, testkit.Epoch)
	}
	if tm, err := time.Parse(time.RFC3339, c.NowText); err != nil || !tm.Equal(testkit.Epoch) {
		t.Errorf("now_text %q: %v", c.NowText, err)
	}
	c, err = op.Advance(bg, 90*time.Second)
	if err != nil || c.Now != testkit.Epoch.Unix()+90 {
		t.Fatalf("Advance(90s): %+v, %v", c, err)
	}
	c, err = op.Advance(bg, 1500*time.Millisecond) // whole seconds
	if err != nil || c.Now != testkit.Epoch.Unix()+91 {
		t.Fatalf("Advance(1.5s): %+v, %v", c, err)
	}
	if c2, err := op.Clock(bg); err != nil || c2.Now != c.Now || c2.NowUs != c.NowUs {
		t.Fatalf("Clock after Advance: %+v, %v; want %+v", c2, err, c)
	}
	_, err = op.Advance(bg, -time.Second)
	wantStatus(t, err, http.StatusBadRequest, "Advance(-1s)")

	// The server's own time moved: a new user is created at it.
	u, err := op.CreateUser(bg, operator.NewUser{Name: "late"})
	if err != nil || u.CreatedAt != testkit.Epoch.Unix()+91 {
		t.Errorf("created_at after Advance: %+v, %v", u, err)
	}

	real := testkit.Start(t, testkit.Options{RealClock: true})
	_, err = real.Operator().Clock(bg)
	wantStatus(t, err, http.StatusNotFound, "Clock without a fake clock")
	_, err = real.Operator().Advance(bg, time.Second)
	wantStatus(t, err, http.StatusNotFound, "Advance without a fake clock")
}

// groupTexts is a group's history as member c sees it, oldest first.
func groupTexts(t *testing.T, c *client.Client, gid uint64) []string {
	t.Helper()
	h, err := c.Messages(bg, client.Group(gid), client.HistoryOptions{Size: 100})
	if err != nil {
		t.Fatalf("group %d history: %v", gid, err)
	}
	var out []string
	for _, m := range slices.Backward(h.Messages) {
		text, _ := m.Text()
		out = append(out, text)
	}
	return out
}

func TestGroups(t *testing.T) {
	s := testkit.Start(t, testkit.Options{})
	op := s.Operator()
	owner := s.NewUser(0, "owner")
	ming := s.NewUser(0, "ming")
	hong := s.NewUser(0, "hong")

	_, err := op.CreateGroup(bg, operator.NewGroup{Owner: owner.Mid, Name: "fans"})
	wantStatus(t, err, http.StatusForbidden, "CreateGroup with too few fans")
	if _, err := op.UpdateUser(bg, owner.Mid, operator.UserUpdate{Fans: ptr[int64](1000)}); err != nil {
		t.Fatal(err)
	}
	g, err := op.CreateGroup(bg, operator.NewGroup{Owner: owner.Mid, Name: "fans"})
	if err != nil {
		t.Fatal(err)
	}
	if g.ID == 0 || g.Owner != owner.Mid || g.Name != "fans" || g.State != "open" || g.Members != 1 || g.MaxSeqno != 1 ||
		g.CreatedAt != testkit.Epoch.Unix() {
		t.Fatalf("CreateGroup: %+v", *g)
	}
	_, err = op.CreateGroup(bg, operator.NewGroup{Owner: owner.Mid, ID: g.ID})
	wantStatus(t, err, http.StatusConflict, "CreateGroup with an existing id")
	_, err = op.CreateGroup(bg, operator.NewGroup{Owner: 999})
	wantStatus(t, err, http.StatusNotFound, "CreateGroup of an unknown owner")

	got, err := op.Group(bg, g.ID)
	if err != nil || *got != *g {
		t.Fatalf("Group: %+v, %v; want %+v", got, err, *g)
	}
	_, err = op.Group(bg, 999)
	wantStatus(t, err, http.StatusNotFound, "Group(999)")

	m, err := op.Join(bg, g.ID, ming.Mid)
	if err != nil {
		t.Fatal(err)
	}
	if m.Group != g.ID || m.Mid != ming.Mid || m.JoinedAt < testkit.Epoch.UnixMicro() ||
		m.JoinedAt > testkit.Epoch.Add(time.Second).UnixMicro() {
		t.Fatalf("Join: %+v", *m)
	}
	if _, err := op.Join(bg, g.ID, hong.Mid); err != nil {
		t.Fatal(err)
	}
	if got, err := op.Group(bg, g.ID); err != nil || got.Members != 3 || got.MaxSeqno != 3 {
		t.Fatalf("Group after two joins: %+v, %v", got, err)
	}
	_, err = op.Join(bg, 999, ming.Mid)
	wantStatus(t, err, http.StatusNotFound, "Join of an unknown group")

	cOwner := s.Client(owner)
	if err := op.Leave(bg, g.ID, ming.Mid, false); err != nil {
		t.Fatalf("Leave: %v", err)
	}
	if err := op.Leave(bg, g.ID, hong.Mid, true); err != nil {
		t.Fatalf("Leave (removed): %v", err)
	}
	texts := groupTexts(t, cOwner, g.ID)
	if len(texts) != 5 || !strings.Contains(texts[1], "欢迎ming入群") || !strings.Contains(texts[2], "欢迎hong入群") ||
		!strings.Contains(texts[3], "ming退出了应援团") || !strings.Contains(texts[4], "hong被移出了应援团") {
		t.Fatalf("group history: %q", texts)
	}
	err = op.Leave(bg, g.ID, ming.Mid, false)
	wantStatus(t, err, http.StatusNotFound, "Leave of a non-member")
	err = op.Leave(bg, g.ID, owner.Mid, false)
	wantStatus(t, err, http.StatusConflict, "Leave of the owner")
	err = op.Leave(bg, g.ID, owner.Mid, true)
	wantStatus(t, err, http.StatusConflict, "removing the owner")

	// Freeze, unfreeze, dissolve.
	fr, err := op.SetGroupState(bg, g.ID, "freeze")
	if err != nil || fr.State != "frozen" {
		t.Fatalf("freeze: %+v, %v", fr, err)
	}
	_, err = op.Join(bg, g.ID, ming.Mid)
	wantStatus(t, err, http.StatusConflict, "Join of a frozen group")
	if _, err := cOwner.SendText(bg, client.Group(g.ID), "frozen?"); !client.IsCode(err, client.CodeGroupUnavailable) {
		t.Errorf("sending to a frozen group: %v, want 21028", err)
	}
	uf, err := op.SetGroupState(bg, g.ID, "unfreeze")
	if err != nil || uf.State != "open" {
		t.Fatalf("unfreeze: %+v, %v", uf, err)
	}
	if _, err := op.Join(bg, g.ID, ming.Mid); err != nil {
		t.Fatalf("Join after unfreeze: %v", err)
	}
	texts = groupTexts(t, cOwner, g.ID)
	if n := len(texts); n != 8 || texts[5] != "该应援团已被冻结" || texts[6] != "该应援团已解除冻结" {
		t.Errorf("group history after freeze and unfreeze: %q", texts)
	}
	d, err := op.SetGroupState(bg, g.ID, "dissolve")
	if err != nil || d.State != "dissolved" {
		t.Fatalf("dissolve: %+v, %v", d, err)
	}
	if got, err := op.Group(bg, g.ID); err != nil || got.State != "dissolved" {
		t.Fatalf("Group after dissolve: %+v, %v", got, err)
	}
	_, err = op.SetGroupState(bg, g.ID, "unfreeze")
	wantStatus(t, err, http.StatusConflict, "unfreezing a dissolved group")
	err = op.Leave(bg, g.ID, ming.Mid, false)
	wantStatus(t, err, http.StatusConflict, "leaving a dissolved group")

	_, err = op.SetGroupState(bg, g.ID, "explode")
	var oe *operator.Error
	if err == nil || errors.As(err, &oe) || !strings.Contains(err.Error(), "explode") {
		t.Fatalf("SetGroupState with a bad action: %v, want a local error naming it", err)
	}
	_, err = op.SetGroupState(bg, 999, "freeze")
	wantStatus(t, err, http.StatusNotFound, "freeze of an unknown group")
}

func TestNotify(t *testing.T) {
	s := testkit.Start(t, testkit.Options{})
	op := s.Operator()
	target := s.NewUser(0, "target")
	actor := s.NewUser(0, "actor")
	c := s.Client(target)
	n := operator.Notice{Actor: actor.Mid, Type: "reply", BusinessID: 1, Business: "评论", Title: "my video",
		URI: "https://www.bilibili.com/video/BV1xx411c7mD", SubjectID: 11, SourceID: 22, Source: "nice video"}

	p, err := op.Notify(bg, target.Mid, "reply", n)
	if err != nil || p.ID == 0 || !p.Delivered {
		t.Fatalf("Notify reply: %+v, %v", p, err)
	}
	rf, err := c.ReplyFeed(bg, client.FeedCursor{})
	if err != nil {
		t.Fatal(err)
	}
	if len(rf.Items) != 1 || rf.Items[0].User.Mid != actor.Mid || rf.Items[0].Item.SourceContent != "nice video" ||
		rf.Items[0].ID != p.ID {
		t.Fatalf("reply feed: %+v", rf.Items)
	}

	n.Source, n.AtMids = "@target look", []uint64{target.Mid}
	p, err = op.Notify(bg, target.Mid, "at", n)
	if err != nil || p.ID == 0 || !p.Delivered {
		t.Fatalf("Notify at: %+v, %v", p, err)
	}
	af, err := c.AtFeed(bg, client.FeedCursor{})
	if err != nil {
		t.Fatal(err)
	}
	if len(af.Items) != 1 || af.Items[0].User.Mid != actor.Mid || af.Items[0].Item.SourceContent != "@target look" {
		t.Fatalf("at feed: %+v", af.Items)
	}

	like := operator.Notice{Actor: actor.Mid, Type: "video", BusinessID: 0, Business: "视频", Title: "my video",
		URI: "https://www.bilibili.com/video/BV1xx411c7mD", ItemID: 33}
	p, err = op.Notify(bg, target.Mid, "like", like)
	if err != nil || p.ID == 0 || !p.Delivered {
		t.Fatalf("Notify like: %+v, %v", p, err)
	}
	lf, err := c.LikeFeed(bg, client.FeedCursor{})
	if err != nil {
		t.Fatal(err)
	}
	items := append(slices.Clone(lf.Latest.Items), lf.Total.Items...)
	if len(items) != 1 || items[0].Item.ItemID != 33 || len(items[0].Users) != 1 || items[0].Users[0].Mid != actor.Mid {
		t.Fatalf("like feed: %+v", lf)
	}

	_, err = op.Notify(bg, target.Mid, "comment", n)
	var oe *operator.Error
	if err == nil || errors.As(err, &oe) || !strings.Contains(err.Error(), "comment") {
		t.Fatalf("Notify to a bad feed: %v, want a local error naming it", err)
	}
	self := n
	self.Actor = target.Mid
	_, err = op.Notify(bg, target.Mid, "reply", self)
	wantStatus(t, err, http.StatusBadRequest, "Notify from the user to themself")
	_, err = op.Notify(bg, 999, "reply", n)
	wantStatus(t, err, http.StatusNotFound, "Notify to an unknown user")
	_, err = op.Notify(bg, target.Mid, "like", operator.Notice{Actor: actor.Mid, Type: "video"})
	wantStatus(t, err, http.StatusBadRequest, "a like without item_id")

	// A user who blocks the actor gets nothing: delivered false, id 0.
	s.Block(target.Mid, actor.Mid, true)
	p, err = op.Notify(bg, target.Mid, "reply", n)
	if err != nil || p.Delivered || p.ID != 0 {
		t.Fatalf("Notify from a blocked actor: %+v, %v; want delivered false", p, err)
	}

	sp, err := op.NotifySystem(bg, target.Mid, operator.SystemNotice{Title: "Welcome", Content: "to bilimsg", Type: 1,
		Link: "https://www.bilibili.com"})
	if err != nil || sp.ID == 0 || !sp.Delivered {
		t.Fatalf("NotifySystem: %+v, %v", sp, err)
	}
	ns, err := c.SystemNotices(bg, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, x := range ns {
		if x.Title == "Welcome" && strings.Contains(x.Content, "to bilimsg") {
			found = true
		}
	}
	if !found {
		t.Fatalf("system notices: %+v", ns)
	}
	_, err = op.NotifySystem(bg, 999, operator.SystemNotice{Title: "x", Content: "y"})
	wantStatus(t, err, http.StatusNotFound, "NotifySystem to an unknown user")
}

func TestNew(t *testing.T) {
	for _, base := range []string{"", "ftp://example.com", "not a url", "http://", "127.0.0.1:8080", "http://[::1"} {
		if _, err := operator.New(base, "tok", nil); err == nil {
			t.Errorf("New(%q): no error", base)
		}
	}
	if _, err := operator.New("http://127.0.0.1:1", "", nil); err == nil {
		t.Error("New with no token: no error")
	}
	if c, err := operator.New("https://127.0.0.1:1/", "tok", nil); err != nil || c == nil {
		t.Errorf("New with an https URL and a trailing slash: %v", err)
	}

	s := testkit.Start(t, testkit.Options{})
	u := s.NewUser(0, "alice")
	// A trailing slash is trimmed; hc nil gets a default client.
	op, err := operator.New(s.URL+"/", s.Token, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := op.User(bg, u.Mid); err != nil || got.Mid != u.Mid {
		t.Fatalf("User through New(url/, token, nil): %+v, %v", got, err)
	}

	bad, err := operator.New(s.URL, "wrong-token", s.HTTP.Client())
	if err != nil {
		t.Fatal(err)
	}
	_, err = bad.User(bg, u.Mid)
	wantStatus(t, err, http.StatusUnauthorized, "a wrong token")
	var e *operator.Error
	errors.As(err, &e)
	if !strings.Contains(e.Message, "token") || !strings.Contains(err.Error(), "401") {
		t.Errorf("401 error: %q (message %q)", err, e.Message)
	}
	if _, err := bad.CreateUser(bg, operator.NewUser{Name: "mallory"}); !operator.IsStatus(err, http.StatusUnauthorized) {
		t.Errorf("CreateUser with a wrong token: %v", err)
	}
	if users, err := op.Users(bg, 0, 0); err != nil || len(users) != 1 {
		t.Errorf("the refused CreateUser created a user: %v, %v", users, err)
	}

	// A cancelled context is reported, wrapped.
	ctx, cancel := context.WithCancel(bg)
	cancel()
	if _, err := op.User(ctx, u.Mid); !errors.Is(err, context.Canceled) {
		t.Errorf("User with a cancelled context: %v", err)
	}
}

// fakeOperator answers every request with status and body, recording what it got.
type fakeOperator struct {
	mu     sync.Mutex
	reqs   []string
	auth   []string
	ctypes []string
}

func startFake(t *testing.T, status int, body string) (*httptest.Server, *fakeOperator) {
	f := &fakeOperator{}
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		f.reqs = append(f.reqs, r.Method+" "+r.URL.RequestURI())
		f.auth = append(f.auth, r.Header.Get("Authorization"))
		f.ctypes = append(f.ctypes, r.Header.Get("Content-Type"))
		f.mu.Unlock()
		w.WriteHeader(status)
		_, _ = w.Write([]byte(body))
	}))
	t.Cleanup(hs.Close)
	return hs, f
}

func TestErrorBodies(t *testing.T) {
	t.Run("plain-text", func(t *testing.T) {
		hs, _ := startFake(t, http.StatusBadGateway, "  upstream exploded\n")
		op, err := operator.New(hs.URL, "tok", hs.Client())
		if err != nil {
			t.Fatal(err)
		}
		_, err = op.User(bg, 1)
		var e *operator.Error
		if !errors.As(err, &e) || e.Status != http.StatusBadGateway || e.Message != "upstream exploded" {
			t.Fatalf("plain-text 502: %#v (%v)", e, err)
		}
		if got := err.Error(); got != "operator API: 502 upstream exploded" {
			t.Errorf("Error() = %q", got)
		}
	})
	t.Run("json-without-error", func(t *testing.T) {
		hs, _ := startFake(t, http.StatusInternalServerError, `{"message":"db down"}`)
		op, _ := operator.New(hs.URL, "tok", hs.Client())
		_, err := op.User(bg, 1)
		if !operator.IsStatus(err, 500) || !strings.Contains(err.Error(), "db down") {
			t.Fatalf("JSON error without an error field: %v", err)
		}
	})
	t.Run("long", func(t *testing.T) {
		hs, _ := startFake(t, http.StatusServiceUnavailable, "<html>"+strings.Repeat("x", 500)+"</html>")
		op, _ := operator.New(hs.URL, "tok", hs.Client())
		_, err := op.User(bg, 1)
		var e *operator.Error
		if !errors.As(err, &e) || e.Status != 503 || !strings.HasPrefix(e.Message, "<html>xxx") ||
			!strings.HasSuffix(e.Message, "…") || len(e.Message) > 210 {
			t.Fatalf("long 503 body: %q", err)
		}
	})
	t.Run("empty", func(t *testing.T) {
		hs, _ := startFake(t, http.StatusNotFound, "")
		op, _ := operator.New(hs.URL, "tok", hs.Client())
		_, err := op.User(bg, 1)
		if !operator.IsStatus(err, 404) {
			t.Fatalf("empty 404: %v", err)
		}
	})
	t.Run("ok-not-json", func(t *testing.T) {
		hs, _ := startFake(t, http.StatusOK, "<html>hello</html>")
		op, _ := operator.New(hs.URL, "tok", hs.Client())
		_, err := op.User(bg, 1)
		var e *operator.Error
		if err == nil || errors.As(err, &e) || !strings.Contains(err.Error(), "/admin/v1/users/1") {
			t.Fatalf("200 with HTML: %v, want a decoding error naming the path", err)
		}
		// An answer that is not what Login expects is refused, not turned into credentials.
		hs2, _ := startFake(t, http.StatusOK, `{"SESSDATA":"","DedeUserID":"x"}`)
		op2, _ := operator.New(hs2.URL, "tok", hs2.Client())
		if cr, err := op2.Login(bg, 1); err == nil {
			t.Fatalf("Login with a bad answer: %+v", cr)
		}
	})
	t.Run("unreachable", func(t *testing.T) {
		hs, _ := startFake(t, 200, "{}")
		url := hs.URL
		hs.Close()
		op, _ := operator.New(url, "tok", nil)
		_, err := op.Group(bg, 7)
		if err == nil || !strings.Contains(err.Error(), "GET /admin/v1/groups/7") {
			t.Fatalf("unreachable server: %v", err)
		}
	})
	t.Run("prefix-and-headers", func(t *testing.T) {
		// A path in the base URL is kept as a prefix; the token goes in a bearer header;
		// bodies are JSON.
		hs, f := startFake(t, http.StatusOK, `{}`)
		op, _ := operator.New(hs.URL+"/bilimsg/", "tok", hs.Client())
		_, _ = op.Users(bg, 5, 3)
		_, _ = op.Follow(bg, 1, 2)
		_ = op.Leave(bg, 3, 4, true)
		_, _ = op.Advance(bg, 2*time.Second)
		want := []string{"GET /bilimsg/admin/v1/users?after=5&limit=3", "PUT /bilimsg/admin/v1/users/1/follows/2",
			"POST /bilimsg/admin/v1/groups/3/members/4/remove", "POST /bilimsg/admin/v1/clock"}
		if !slices.Equal(f.reqs, want) {
			t.Errorf("requests %q, want %q", f.reqs, want)
		}
		for i, a := range f.auth {
			if a != "Bearer tok" {
				t.Errorf("request %d: Authorization %q", i, a)
			}
		}
		if f.ctypes[3] != "application/json" || f.ctypes[0] != "" {
			t.Errorf("Content-Type: %q, want JSON for the body only", f.ctypes)
		}
	})
}
