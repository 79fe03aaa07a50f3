package wire

import (
	"slices"
	"strconv"
	"strings"

	"github.com/bilimsg/bilimsg/internal/im"
	"github.com/bilimsg/bilimsg/internal/store"
)

// maxUserInfos is how many mids one x/im/user_infos request may name (duplicates
// included). bilibili documents no limit; bilimsg refuses more with -400 (docs/choices.md).
const maxUserInfos = 200

// The fixed values of a user object: bilimsg keeps no sex, signature, experience level,
// ban, 大会员 or verification, so every user is what bilibili shows for an ordinary
// account that never set them (docs/choices.md).
const (
	userSex   = "保密"
	userRank  = 10000 // 正式会员, bilibili's ordinary account
	userLevel = 0     // no experience system: the bottom of the documented 0–6
)

// userInfoJSON is one user of x/im/user_infos (catalog §6, bilibili-API-collect
// docs/user/info.md "多用户详细信息3"): the documented fields, in the order of the
// documented example.
type userInfoJSON struct {
	Mid      uint64       `json:"mid"`
	Name     string       `json:"name"`
	Sex      string       `json:"sex"`
	Face     string       `json:"face"`
	Sign     string       `json:"sign"`
	Rank     int          `json:"rank"`
	Level    int          `json:"level"`
	Silence  int          `json:"silence"`
	Vip      vipJSON      `json:"vip"`
	Official officialJSON `json:"official"`
	// is_fake_account is a number in the documented example (0), though the field table
	// says bool: the example is a real answer.
	IsFakeAccount int            `json:"is_fake_account"`
	ExpertInfo    expertInfoJSON `json:"expert_info"`
}

// vipJSON is the 大会员 object of someone who never had 大会员: every number 0, every
// text empty, as upstream's example lays the object out.
type vipJSON struct {
	Type               int          `json:"type"`
	Status             int          `json:"status"`
	DueDate            int64        `json:"due_date"`
	VipPayType         int          `json:"vip_pay_type"`
	ThemeType          int          `json:"theme_type"`
	Label              vipLabelJSON `json:"label"`
	AvatarSubscript    int          `json:"avatar_subscript"`
	NicknameColor      string       `json:"nickname_color"`
	Role               int          `json:"role"`
	AvatarSubscriptURL string       `json:"avatar_subscript_url"`
	TvVipStatus        int          `json:"tv_vip_status"`
	TvVipPayType       int          `json:"tv_vip_pay_type"`
	TvDueDate          int64        `json:"tv_due_date"`
	// Without 大会员 the icon has no icon_type, only an empty icon_resource.
	AvatarIcon struct {
		IconResource struct{} `json:"icon_resource"`
	} `json:"avatar_icon"`
}

type vipLabelJSON struct {
	Path                  string `json:"path"`
	Text                  string `json:"text"`
	LabelTheme            string `json:"label_theme"`
	TextColor             string `json:"text_color"`
	BgStyle               int    `json:"bg_style"`
	BgColor               string `json:"bg_color"`
	BorderColor           string `json:"border_color"`
	UseImgLabel           bool   `json:"use_img_label"` // true in both of upstream's examples
	ImgLabelURIHans       string `json:"img_label_uri_hans"`
	ImgLabelURIHant       string `json:"img_label_uri_hant"`
	ImgLabelURIHansStatic string `json:"img_label_uri_hans_static"`
	ImgLabelURIHantStatic string `json:"img_label_uri_hant_static"`
}

// officialJSON is the verification object; type -1 means not verified.
type officialJSON struct {
	Role  int    `json:"role"`
	Title string `json:"title"`
	Desc  string `json:"desc"`
	Type  int    `json:"type"`
}

type expertInfoJSON struct {
	Title string `json:"title"`
	State int    `json:"state"`
	Type  int    `json:"type"`
	Desc  string `json:"desc"`
}

func toUserInfoJSON(u store.User) userInfoJSON {
	out := userInfoJSON{Mid: u.Mid, Name: u.Name, Sex: userSex, Face: u.Face, Rank: userRank, Level: userLevel,
		Official: officialJSON{Type: -1}}
	if out.Face == "" {
		out.Face = im.DefaultFace
	}
	out.Vip.Label.UseImgLabel = true
	return out
}

// parseMids reads a comma-separated list of decimal numbers (x/im/user_infos' uids). ok
// is false for an empty list or item, a sign, white space, anything but digits, or a
// number above 2^64-1.
func parseMids(v string) ([]uint64, bool) {
	if v == "" {
		return nil, false
	}
	out := make([]uint64, 0, strings.Count(v, ",")+1)
	for item := range strings.SplitSeq(v, ",") {
		n, err := strconv.ParseUint(item, 10, 64)
		if err != nil {
			return nil, false
		}
		out = append(out, n)
	}
	return out, true
}

// userInfos is x/im/user_infos (catalog §6): the users named by uids, in the order asked
// for, each once; unknown mids are left out, so data is [] when none is known. uids is
// required; a malformed list → -400; mid 0 or more than maxUserInfos mids → the route's
// out-of-domain code (-400).
func (h *Handler) userInfos(c *call) (any, error) {
	v := c.p["uids"]
	if strings.Count(v, ",") >= maxUserInfos { // before parsing, so that the work is bounded
		return nil, c.domain()
	}
	mids, ok := parseMids(v)
	if !ok {
		return nil, im.ErrBadRequest
	}
	if slices.Contains(mids, 0) {
		return nil, c.domain()
	}
	users, err := c.svc.UserInfos(c.ctx, mids)
	if err != nil {
		return nil, err
	}
	out := make([]userInfoJSON, 0, len(users))
	for _, u := range users {
		out = append(out, toUserInfoJSON(u))
	}
	return out, nil
}
