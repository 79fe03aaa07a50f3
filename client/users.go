package client

import (
	"context"
	"encoding/json"
	"net/url"
	"strings"
)

// UserInfo is a user as x/im/user_infos describes them (catalog §6, bilibili-API-collect
// docs/user/info.md "多用户详细信息3"): what bilibili's message page shows of a talker.
// bilibili sends more fields (pendant, nameplate, …), which are not decoded; bilimsg
// sends these, with fixed values for what it does not keep (docs/choices.md).
type UserInfo struct {
	Mid     uint64  `json:"mid"`
	Name    string  `json:"name"`
	Sex     string  `json:"sex"` // 男, 女 or 保密
	Face    string  `json:"face"`
	Sign    string  `json:"sign"`
	Rank    int     `json:"rank"`    // 10000 for an ordinary account
	Level   int     `json:"level"`   // 0–6
	Silence int     `json:"silence"` // 1: banned
	Vip     UserVip `json:"vip"`
	// Official is the verification; Type -1 means none.
	Official      UserOfficial   `json:"official"`
	IsFakeAccount int            `json:"is_fake_account"`
	ExpertInfo    UserExpertInfo `json:"expert_info"`
}

// UserVip is a user's 大会员 (Type 0: none, 1 monthly, 2 annual; Status 1: active).
type UserVip struct {
	Type               int          `json:"type"`
	Status             int          `json:"status"`
	DueDate            int64        `json:"due_date"` // ms
	VipPayType         int          `json:"vip_pay_type"`
	ThemeType          int          `json:"theme_type"`
	Label              UserVipLabel `json:"label"`
	AvatarSubscript    int          `json:"avatar_subscript"`
	NicknameColor      string       `json:"nickname_color"`
	Role               int          `json:"role"`
	AvatarSubscriptURL string       `json:"avatar_subscript_url"`
	TvVipStatus        int          `json:"tv_vip_status"`
	TvVipPayType       int          `json:"tv_vip_pay_type"`
	TvDueDate          int64        `json:"tv_due_date"` // s
	AvatarIcon         struct {
		IconType     int             `json:"icon_type,omitempty"`
		IconResource json.RawMessage `json:"icon_resource,omitempty"`
	} `json:"avatar_icon"`
}

// UserVipLabel is the 大会员 badge.
type UserVipLabel struct {
	Path                  string `json:"path"`
	Text                  string `json:"text"`
	LabelTheme            string `json:"label_theme"`
	TextColor             string `json:"text_color"`
	BgStyle               int    `json:"bg_style"`
	BgColor               string `json:"bg_color"`
	BorderColor           string `json:"border_color"`
	UseImgLabel           bool   `json:"use_img_label"`
	ImgLabelURIHans       string `json:"img_label_uri_hans"`
	ImgLabelURIHant       string `json:"img_label_uri_hant"`
	ImgLabelURIHansStatic string `json:"img_label_uri_hans_static"`
	ImgLabelURIHantStatic string `json:"img_label_uri_hant_static"`
}

// UserOfficial is a user's verification (认证).
type UserOfficial struct {
	Role  int    `json:"role"`
	Title string `json:"title"`
	Desc  string `json:"desc"`
	Type  int    `json:"type"` // -1 none, 0 person, 1 organisation
}

// UserExpertInfo is upstream's expert_info, undocumented beyond its fields.
type UserExpertInfo struct {
	Title string `json:"title"`
	State int    `json:"state"`
	Type  int    `json:"type"`
	Desc  string `json:"desc"`
}

// UserInfos looks users up by mid (x/im/user_infos): the known ones, in the order asked
// for; unknown mids are left out. With no mids it asks nothing and returns nil. bilimsg
// answers each mid once however often it is named, and refuses more than 200 mids
// (-400); split longer lists.
func (c *Client) UserInfos(ctx context.Context, mids ...uint64) ([]UserInfo, error) {
	if len(mids) == 0 {
		return nil, nil
	}
	ids := make([]string, len(mids))
	for i, m := range mids {
		ids[i] = u64(m)
	}
	var out []UserInfo
	err := c.call(ctx, endpoint{path: "/x/im/user_infos"}, url.Values{"uids": {strings.Join(ids, ",")}}, &out)
	return out, err
}
