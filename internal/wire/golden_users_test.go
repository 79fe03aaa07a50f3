package wire_test

// Golden cases of x/im/user_infos (catalog §6; bilibili-API-collect docs/user/info.md
// "多用户详细信息3"; docs/api.md, docs/choices.md "User infos"), appended to goldenCases
// (golden_test.go); their files are testdata/golden/user_infos_*.json. catalogShape hands
// the endpoint to uiShape, which checks the user object's keys, order, JSON types and
// fixed values independently of the golden files.
//
// Rewrite the golden files with: go test ./internal/wire/ -run TestGolden -update
// and review every changed file against the catalog before keeping it.

import (
	"fmt"
	"testing"

	"github.com/bilimsg/bilimsg/internal/testkit"
)

// uiPath is the route; testkit has no constant for it.
const uiPath = "/x/im/user_infos"

// uiNoFace is bilibili's default avatar, for users without one.
const uiNoFace = "https://i0.hdslb.com/bfs/face/member/noface.jpg"

// The key orders of upstream's example, restricted to the documented fields.
var (
	uiUserKeys = []string{"mid", "name", "sex", "face", "sign", "rank", "level", "silence", "vip", "official",
		"is_fake_account", "expert_info"}
	uiVipKeys = []string{"type", "status", "due_date", "vip_pay_type", "theme_type", "label", "avatar_subscript",
		"nickname_color", "role", "avatar_subscript_url", "tv_vip_status", "tv_vip_pay_type", "tv_due_date", "avatar_icon"}
	uiLabelKeys = []string{"path", "text", "label_theme", "text_color", "bg_style", "bg_color", "border_color",
		"use_img_label", "img_label_uri_hans", "img_label_uri_hant", "img_label_uri_hans_static",
		"img_label_uri_hant_static"}
	uiOfficialKeys = []string{"role", "title", "desc", "type"}
	uiExpertKeys   = []string{"title", "state", "type", "desc"}
)

// uiSetFace changes a user's face through the operator API ("" leaves it empty).
func uiSetFace(t *testing.T, s *testkit.Server, mid uint64, face string) {
	t.Helper()
	if st := s.Admin("PATCH", fmt.Sprintf("/admin/v1/users/%d", mid), map[string]any{"face": face}, nil); st != 200 {
		t.Fatalf("set face of %d: status %d", mid, st)
	}
}

var uiGoldenCases = []goldenCase{
	// Two known users and an unknown mid between them: the known ones, in the order asked
	// for; carol's empty face answers bilibili's noface.
	{"user_infos_basic", func(t *testing.T) (testkit.Raw, func(*testing.T, *jnode)) {
		w := newWorld(t)
		uiSetFace(t, w.s, alice, "https://i0.hdslb.com/bfs/face/ef0457addb24141e15dfac6fbf45293ccf1e32ab.jpg")
		uiSetFace(t, w.s, carol, "")
		return w.s.Get(w.bob, uiPath, q("uids", "1003,424242,1001")), func(t *testing.T, root *jnode) {
			d := root.get("data")
			if len(d.arr) != 2 || d.get("0", "mid").num != "1003" || d.get("1", "mid").num != "1001" {
				t.Fatalf("want carol then alice")
			}
			if d.get("0", "face").str != uiNoFace || d.get("0", "name").str != "carol" {
				t.Errorf("carol: name carol, face noface")
			}
		}
	}},
	// No mid known: an empty array, not null.
	{"user_infos_none", func(t *testing.T) (testkit.Raw, func(*testing.T, *jnode)) {
		w := newWorld(t)
		return w.s.Get(w.bob, uiPath, q("uids", "424242,18446744073709551615")), nil
	}},
}

func init() { goldenCases = append(goldenCases, uiGoldenCases...) }

// uiShape checks x/im/user_infos' data: an array (never null) of user objects with the
// documented fields in upstream's order, upstream's JSON types and bilimsg's fixed values.
func uiShape(t *testing.T, data *jnode) {
	t.Helper()
	if data == nil || data.kind != 'a' {
		t.Errorf("data must be an array (empty when no mid is known), got %+v", data)
		return
	}
	for i, u := range data.arr {
		where := fmt.Sprintf("data[%d]", i)
		if !wantKeys(t, where, u, uiUserKeys) {
			continue
		}
		if fdUintLit(t, where+".mid", u.get("mid")) == 0 {
			t.Errorf("%s.mid must be positive", where)
		}
		for _, k := range []string{"name", "face"} {
			if v := u.get(k); v.kind != 's' || v.str == "" {
				t.Errorf("%s.%s must be a non-empty string", where, k)
			}
		}
		if s := u.get("sex"); s.kind != 's' || s.str != "保密" {
			t.Errorf("%s.sex must be 保密", where)
		}
		fdWantConst(t, where+".sign", u.get("sign"), `""`)
		fdWantConst(t, where+".rank", u.get("rank"), "10000")
		fdWantConst(t, where+".level", u.get("level"), "0")
		fdWantConst(t, where+".silence", u.get("silence"), "0")
		// A number, as in upstream's example (its field table says bool).
		fdWantConst(t, where+".is_fake_account", u.get("is_fake_account"), "0")

		vip := u.get("vip")
		if wantKeys(t, where+".vip", vip, uiVipKeys) {
			for _, k := range []string{"type", "status", "due_date", "vip_pay_type", "theme_type", "avatar_subscript",
				"role", "tv_vip_status", "tv_vip_pay_type", "tv_due_date"} {
				fdWantConst(t, where+".vip."+k, vip.get(k), "0")
			}
			for _, k := range []string{"nickname_color", "avatar_subscript_url"} {
				fdWantConst(t, where+".vip."+k, vip.get(k), `""`)
			}
			label := vip.get("label")
			if wantKeys(t, where+".vip.label", label, uiLabelKeys) {
				for _, k := range uiLabelKeys {
					switch k {
					case "bg_style":
						fdWantConst(t, where+".vip.label."+k, label.get(k), "0")
					case "use_img_label":
						fdWantConst(t, where+".vip.label."+k, label.get(k), "true")
					default:
						fdWantConst(t, where+".vip.label."+k, label.get(k), `""`)
					}
				}
			}
			// Without 大会员: no icon_type, an empty icon_resource object.
			icon := vip.get("avatar_icon")
			if wantKeys(t, where+".vip.avatar_icon", icon, []string{"icon_resource"}) {
				wantKeys(t, where+".vip.avatar_icon.icon_resource", icon.get("icon_resource"), nil)
			}
		}
		off := u.get("official")
		if wantKeys(t, where+".official", off, uiOfficialKeys) {
			fdWantConst(t, where+".official.role", off.get("role"), "0")
			fdWantConst(t, where+".official.title", off.get("title"), `""`)
			fdWantConst(t, where+".official.desc", off.get("desc"), `""`)
			fdWantConst(t, where+".official.type", off.get("type"), "-1")
		}
		ex := u.get("expert_info")
		if wantKeys(t, where+".expert_info", ex, uiExpertKeys) {
			fdWantConst(t, where+".expert_info.title", ex.get("title"), `""`)
			fdWantConst(t, where+".expert_info.state", ex.get("state"), "0")
			fdWantConst(t, where+".expert_info.type", ex.get("type"), "0")
			fdWantConst(t, where+".expert_info.desc", ex.get("desc"), `""`)
		}
	}
}
