package client

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strconv"
)

// Preferences are the message settings (S1). ShowUnfollowedMsg and MsgNotify are nil
// unless asked for (bilibili sends them only then).
type Preferences struct {
	ShowUnfollowedMsg      *int `json:"show_unfollowed_msg,omitempty"`
	MsgNotify              *int `json:"msg_notify,omitempty"`
	SetLike                int  `json:"set_like"`
	SetComment             int  `json:"set_comment"`
	SetAt                  int  `json:"set_at"`
	IsGroupFold            int  `json:"is_group_fold"`
	ShouldReceiveGroup     int  `json:"should_receive_group"`
	ReceiveUnfollowMsg     int  `json:"receive_unfollow_msg"`
	FollowedReply          int  `json:"followed_reply"`
	KeysReply              int  `json:"keys_reply"`
	RecvReply              int  `json:"recv_reply"`
	VoyageReply            int  `json:"voyage_reply"`
	RecommendFollowedReply int  `json:"recommend_followed_reply"`
	AIIntercept            int  `json:"ai_intercept"`
	AntiHarassment         any  `json:"anti_harassment"`
	SetRecvReply           int  `json:"set_recv_reply"`
	SetRecvLike            int  `json:"set_recv_like"`
	SetNewFollow           int  `json:"set_new_follow"`
}

// Preferences reads the message settings (S1 link_setting/get), with the two that
// bilibili returns only on request.
func (c *Client) Preferences(ctx context.Context) (*Preferences, error) {
	var out Preferences
	q := url.Values{"show_unfollowed_msg": {"0"}, "msg_notify": {"0"}}
	return &out, c.call(ctx, endpoint{path: linkSetting + "get"}, q, &out)
}

// PreferenceUpdate is a change of some settings (S2): the nil fields stay as they are.
// Set fills a field by its bilibili name.
type PreferenceUpdate struct {
	ShowUnfollowedMsg      *int // 0/1: list unfollowed users' sessions separately
	MsgNotify              *int // 1 or 3
	SetLike                *int // 0 or 5
	SetComment             *int // 0, 1, 2
	SetAt                  *int // 0, 1, 2
	IsGroupFold            *int // 0/1: fold fan groups
	ShouldReceiveGroup     *int // 0/1: receive fan-group messages
	ReceiveUnfollowMsg     *int // 0/1
	FollowedReply          *int // 0/1: auto-reply on being followed (needs ≥ 1000 fans)
	KeysReply              *int // 0/1: keyword auto-replies
	RecvReply              *int // 0/1: auto-reply to messages
	VoyageReply            *int // 0/1: 大航海 auto-reply
	RecommendFollowedReply *int // 0/1
	AIIntercept            *int // 0/1: smart interception
	SetRecvReply           *int // 0, 1, 2
	SetRecvLike            *int // 0, 2
	SetNewFollow           *int // 0, 2
}

func (u *PreferenceUpdate) fields() []struct {
	name string
	v    **int
} {
	return []struct {
		name string
		v    **int
	}{
		{"show_unfollowed_msg", &u.ShowUnfollowedMsg}, {"msg_notify", &u.MsgNotify}, {"set_like", &u.SetLike},
		{"set_comment", &u.SetComment}, {"set_at", &u.SetAt}, {"is_group_fold", &u.IsGroupFold},
		{"should_receive_group", &u.ShouldReceiveGroup}, {"receive_unfollow_msg", &u.ReceiveUnfollowMsg},
		{"followed_reply", &u.FollowedReply}, {"keys_reply", &u.KeysReply}, {"recv_reply", &u.RecvReply},
		{"voyage_reply", &u.VoyageReply}, {"recommend_followed_reply", &u.RecommendFollowedReply},
		{"ai_intercept", &u.AIIntercept}, {"set_recv_reply", &u.SetRecvReply}, {"set_recv_like", &u.SetRecvLike},
		{"set_new_follow", &u.SetNewFollow},
	}
}

// PreferenceNames lists the settings' bilibili names, in S1's order.
func PreferenceNames() []string {
	var u PreferenceUpdate
	var out []string
	for _, f := range u.fields() {
		out = append(out, f.name)
	}
	return out
}

// Set changes the setting with bilibili's name (such as "recv_reply") to v.
func (u *PreferenceUpdate) Set(name string, v int) error {
	for _, f := range u.fields() {
		if f.name == name {
			*f.v = &v
			return nil
		}
	}
	return fmt.Errorf("no setting is called %q (known: %v)", name, PreferenceNames())
}

// SetPreferences changes settings (S2 link_setting/set): all of them, or none when one
// is refused (2 for a value out of range, 700009 for auto-replies below 1000 fans).
func (c *Client) SetPreferences(ctx context.Context, u PreferenceUpdate) error {
	q := url.Values{}
	for _, f := range u.fields() {
		if *f.v != nil {
			q.Set(f.name, strconv.Itoa(**f.v))
		}
	}
	if len(q) == 0 {
		return nil
	}
	return c.call(ctx, endpoint{path: linkSetting + "set", post: true}, q, nil)
}

// BlockWord is one of my block words.
type BlockWord struct {
	Content string `json:"content"`
	Ctime   int64  `json:"ctime"`
}

// BlockWords is S3's answer.
type BlockWords struct {
	Words         []BlockWord `json:"words"`
	Message       string      `json:"message"`
	MaxWordLength int         `json:"max_word_length"`
	MaxWordsSize  int         `json:"max_words_size"`
}

// BlockWords lists my block words (S3).
func (c *Client) BlockWords(ctx context.Context) (*BlockWords, error) {
	var out BlockWords
	return &out, c.call(ctx, endpoint{path: "/x/im/link_setting/get_block_words"}, nil, &out)
}

// AddBlockWord adds a block word (S4; 1900004–1900007 for a refused word).
func (c *Client) AddBlockWord(ctx context.Context, word string) error {
	return c.call(ctx, endpoint{path: "/x/im/link_setting/add_block_word", post: true}, url.Values{"content": {word}}, nil)
}

// DeleteBlockWord removes a block word (S5; removing an absent word succeeds).
func (c *Client) DeleteBlockWord(ctx context.Context, word string) error {
	return c.call(ctx, endpoint{path: "/x/im/link_setting/del_block_word", post: true}, url.Values{"content": {word}}, nil)
}

// Auto-reply types.
const (
	ReplyFollowed = 1 // on being followed
	ReplyKeyword  = 2 // keyword rules
	ReplyReceived = 3 // on receiving a message
	ReplyVoyage   = 5 // on a 大航海 purchase (bilibili has no type 4)
)

// ReplyText is an auto-reply text or keyword rule.
type ReplyText struct {
	ID    uint64 `json:"id"`
	UID   uint64 `json:"uid"`
	Type  int    `json:"type"`
	Title string `json:"title"`
	Key1  string `json:"key1"` // exact-match keywords, separated by "，"
	Key2  string `json:"key2"` // contained keywords, separated by "，"
	Reply string `json:"reply"`
}

// ReplyTexts lists my auto-reply texts of the given types (S6), newest rule first.
func (c *Client) ReplyTexts(ctx context.Context, types ...int) ([]ReplyText, error) {
	if len(types) == 0 {
		types = []int{ReplyFollowed, ReplyKeyword, ReplyReceived, ReplyVoyage}
	}
	q := url.Values{}
	for _, t := range slices.Compact(slices.Sorted(slices.Values(types))) {
		q.Add("type[]", strconv.Itoa(t))
	}
	var out struct {
		Texts []ReplyText `json:"texts"`
	}
	err := c.call(ctx, endpoint{path: "/x/im/auto_reply/get_reply_text"}, q, &out)
	return out.Texts, err // after the call: Go leaves the order of the two unspecified
}

// SetReplyText creates (ID 0) or changes an auto-reply text (S7). Only Type, ID, Title,
// Key1, Key2 and Reply are sent.
func (c *Client) SetReplyText(ctx context.Context, r ReplyText) error {
	q := url.Values{"type": {strconv.Itoa(r.Type)}, "reply": {r.Reply}}
	if r.ID != 0 {
		q.Set("id", u64(r.ID))
	}
	if r.Type == ReplyKeyword {
		q.Set("title", r.Title)
		if r.Key1 != "" {
			q.Set("key1", r.Key1)
		}
		if r.Key2 != "" {
			q.Set("key2", r.Key2)
		}
	}
	return c.call(ctx, endpoint{path: "/x/im/auto_reply/set_reply_text", post: true}, q, nil)
}

// DeleteReplyText deletes a keyword rule (S8; 1003 for someone else's).
func (c *Client) DeleteReplyText(ctx context.Context, id uint64) error {
	return c.call(ctx, endpoint{path: "/x/im/auto_reply/del_reply_text", post: true}, url.Values{"id": {u64(id)}}, nil)
}

// SessionCfg is a per-account input configuration in SysSetting.
type SessionCfg struct {
	HiddenEmoteBtn bool   `json:"hidden_emote_btn"`
	HiddenPicBtn   bool   `json:"hidden_pic_btn"`
	MaxHeight      int    `json:"max_height"`
	HintText       string `json:"hint_text"`
	HiddenTopHint  bool   `json:"hidden_top_hint"`
	IsGptAccount   bool   `json:"is_gpt_account"`
}

// SysSetting is S9's answer: what the message center offers this user.
type SysSetting struct {
	IsCreateGroupAvailable        int    `json:"is_create_group_available"`
	IsAutoReplyAvailable          int    `json:"is_auto_reply_available"`
	VcHintTitle                   string `json:"vc_hint_title"`
	VcHintTitleButton             string `json:"vc_hint_title_button"`
	VcHintDetail                  string `json:"vc_hint_detail"`
	VcHintDetailButton            string `json:"vc_hint_detail_button"`
	AutoReplyHTML                 string `json:"auto_reply_html"`
	IsReceiveUnfollowWl           int    `json:"is_receive_unfollow_wl"`
	IsVoyage                      int    `json:"is_voyage"`
	IsAutoReplyRecommendAvailable int    `json:"is_auto_reply_recommend_available"`
	IsDiscussStyleImPage          int    `json:"is_discuss_style_im_page"`
	DiscussUnreadStyleImPage      int    `json:"discuss_unread_style_im_page"`
	OldUpAssistantDoor            struct {
		ShowOldUpDoor int    `json:"show_old_up_door"`
		Title         string `json:"title"`
		SubTitle      string `json:"sub_title"`
	} `json:"old_up_assistant_door"`
	IsNewUpAssistantEffective int                   `json:"is_new_up_assistant_effective"`
	IsArchiveGray             bool                  `json:"is_archive_gray"`
	SessionCfg                map[string]SessionCfg `json:"session_cfg"`
	MigrateSessionAPI         bool                  `json:"migrate_session_api"`
	GameMsg                   map[string]bool       `json:"game_msg"`
	AutoReplyMsgDesc          string                `json:"auto_reply_msg_desc"`
	HuahuoGroupIconNew        string                `json:"huahuo_group_icon_new"`
	HuahuoGroupIconDarkNew    string                `json:"huahuo_group_icon_dark_new"`
	ImDisabledInputHint       string                `json:"im_disabled_input_hint"`
}

// SysSetting reads the server-side settings of the message center (S9), as the web page
// asks for them.
func (c *Client) SysSetting(ctx context.Context) (*SysSetting, error) {
	var out SysSetting
	return &out, c.call(ctx, endpoint{path: linkSetting + "get_sys_setting"}, url.Values{"mobi_app": {"web"}}, &out)
}

// ShowCreateGroupIcon says whether the user may create a fan group (S10).
func (c *Client) ShowCreateGroupIcon(ctx context.Context) (bool, error) {
	var out struct {
		Show int `json:"show"`
	}
	err := c.call(ctx, endpoint{path: "/link_group/v1/member/show_create_group_icon"}, nil, &out)
	return out.Show == 1, err
}
