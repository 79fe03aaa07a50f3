package wire_test

import (
	"net/url"
	"strconv"
	"testing"

	"github.com/bilimsg/bilimsg/internal/testkit"
)

// With new_face_version 0 old emoji names are rewritten for storage ([doge] → [tv_doge]),
// e_infos describes the stored names, and msg_content still echoes what was submitted.
// With 1 nothing is rewritten.
func TestNewFaceVersionConversion(t *testing.T) {
	s := testkit.Start(t, testkit.Options{})
	a := s.NewUser(3001, "a")
	b := s.NewUser(3002, "b")
	s.Follow(b.Mid, a.Mid, true)

	type sendData struct {
		MsgContent string `json:"msg_content"`
		EInfos     []struct {
			Text string `json:"text"`
		} `json:"e_infos"`
	}
	for _, tc := range []struct {
		nfv        string // "" = absent
		wantStored string
		wantEmoji  string
	}{
		{"0", `{"content":"催更[tv_doge]"}`, "[tv_doge]"},
		{"", `{"content":"催更[tv_doge]"}`, "[tv_doge]"},
		{"1", `{"content":"催更[doge]"}`, "[doge]"},
	} {
		submitted := `{"content":"催更[doge]"}`
		form := testkit.SendForm(a.Mid, b.Mid, 1, submitted)
		if tc.nfv == "" {
			form.Del("msg[new_face_version]")
		} else {
			form.Set("msg[new_face_version]", tc.nfv)
		}
		r := s.Post(a, testkit.PathSendMsg, form)
		if c := r.Code(t); c != 0 {
			t.Fatalf("nfv=%q: code %d: %s", tc.nfv, c, r.Body)
		}
		var d sendData
		r.Data(t, &d)
		if d.MsgContent != submitted {
			t.Errorf("nfv=%q: msg_content = %q, want the submitted %q", tc.nfv, d.MsgContent, submitted)
		}
		if len(d.EInfos) != 1 || d.EInfos[0].Text != tc.wantEmoji {
			t.Errorf("nfv=%q: e_infos = %+v, want %s", tc.nfv, d.EInfos, tc.wantEmoji)
		}
		h := s.Get(b, testkit.PathFetchMsgs, url.Values{"talker_id": {strconv.FormatUint(a.Mid, 10)},
			"session_type": {"1"}, "size": {"1"}})
		var hist struct {
			Messages []struct {
				Content        string `json:"content"`
				NewFaceVersion int    `json:"new_face_version"`
			} `json:"messages"`
		}
		h.Data(t, &hist)
		if len(hist.Messages) != 1 || hist.Messages[0].Content != tc.wantStored || hist.Messages[0].NewFaceVersion != 1 {
			t.Errorf("nfv=%q: stored %+v, want content %s with new_face_version 1", tc.nfv, hist.Messages, tc.wantStored)
		}
	}
}
