package wire

import (
	"strconv"
	"unicode/utf8"

	"github.com/bilimsg/bilimsg/internal/im"
)

// The message-settings endpoints (catalog §4, S1–S10).

// prefsJSON is S1's data, in bilibili's key order. The first two keys are present only
// when the request asked for them.
type prefsJSON struct {
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
	AntiHarassment         any  `json:"anti_harassment"` // always null
	SetRecvReply           int  `json:"set_recv_reply"`
	SetRecvLike            int  `json:"set_recv_like"`
	SetNewFollow           int  `json:"set_new_follow"`
}

// isInt reports whether a parameter is present as an integer (S1's condition, catalog
// §9 item 37: anything else counts as absent).
func (p params) isInt(name string) bool {
	_, err := strconv.ParseInt(p[name], 10, 64)
	return err == nil
}

// getPrefs is S1 (GET, or POST with csrf).
func (h *Handler) getPrefs(c *call) (any, error) {
	st, err := c.svc.Settings(c.ctx, c.me.Mid)
	if err != nil {
		return nil, err
	}
	out := prefsJSON{SetLike: st.SetLike, SetComment: st.SetComment, SetAt: st.SetAt, IsGroupFold: st.IsGroupFold,
		ShouldReceiveGroup: st.ShouldReceiveGroup, ReceiveUnfollowMsg: st.ReceiveUnfollowMsg,
		FollowedReply: st.FollowedReply, KeysReply: st.KeysReply, RecvReply: st.RecvReply, VoyageReply: st.VoyageReply,
		RecommendFollowedReply: st.RecommendFollowedReply, AIIntercept: st.AIIntercept,
		SetRecvReply: st.SetRecvReply, SetRecvLike: st.SetRecvLike, SetNewFollow: st.SetNewFollow}
	if c.p.isInt("show_unfollowed_msg") {
		out.ShowUnfollowedMsg = &st.ShowUnfollowedMsg
	}
	if c.p.isInt("msg_notify") {
		out.MsgNotify = &st.MsgNotify
	}
	return out, nil
}

// setPrefs is S2: every preference of S1 may be sent; only those present change, all at
// once or none.
func (h *Handler) setPrefs(c *call) (any, error) {
	patch := map[string]int{}
	for _, f := range im.SettingFields() {
		v, ok := c.p[f.Name]
		if !ok || v == "" {
			continue
		}
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return nil, im.ErrBadRequest
		}
		patch[f.Name] = int(n) // int is 64 bits wide: a huge value stays out of the domain (2)
	}
	return empty, c.svc.UpdateSettings(c.ctx, c.me.Mid, patch)
}

type blockWordJSON struct {
	Content string `json:"content"`
	Ctime   int64  `json:"ctime"`
}

// getBlockWords is S3; words is null when there are none.
func (h *Handler) getBlockWords(c *call) (any, error) {
	words, err := c.svc.BlockWords(c.ctx, c.me.Mid)
	if err != nil {
		return nil, err
	}
	var list []blockWordJSON
	for _, w := range words {
		list = append(list, blockWordJSON{Content: w.Content, Ctime: w.Ctime})
	}
	return struct {
		Words         []blockWordJSON `json:"words"`
		Message       string          `json:"message"`
		MaxWordLength int             `json:"max_word_length"`
		MaxWordsSize  int             `json:"max_words_size"`
	}{list, "", im.MaxBlockWordRunes, im.MaxBlockWords}, nil
}

// addBlockWord is S4.
func (h *Handler) addBlockWord(c *call) (any, error) {
	content, _, err := c.p.str("content")
	if err != nil {
		return nil, err
	}
	return empty, c.svc.AddBlockWord(c.ctx, c.me.Mid, content)
}

// delBlockWord is S5.
func (h *Handler) delBlockWord(c *call) (any, error) {
	content, _, err := c.p.str("content")
	if err != nil {
		return nil, err
	}
	return empty, c.svc.DeleteBlockWord(c.ctx, c.me.Mid, content)
}

type replyTextJSON struct {
	ID    uint64 `json:"id"`
	UID   uint64 `json:"uid"`
	Type  int    `json:"type"`
	Title string `json:"title"`
	Key1  string `json:"key1"`
	Key2  string `json:"key2"`
	Reply string `json:"reply"`
}

// getReplyText is S6: type[] may repeat (or list types with commas; a plain "type" is
// read when there is no "type[]"); texts is absent when nothing is configured for the
// types asked.
func (h *Handler) getReplyText(c *call) (any, error) {
	name := "type[]"
	if _, ok := c.p[name]; !ok {
		name = "type"
	}
	types, err := c.p.list(name)
	if err != nil {
		return nil, err
	}
	if types == nil {
		return nil, im.ErrBadRequest
	}
	ts := make([]int, 0, len(types))
	for _, t := range types {
		if !im.ValidReplyType(t) {
			return nil, c.domain()
		}
		ts = append(ts, int(t))
	}
	if uid, ok, err := c.p.optUint("uid"); err != nil {
		return nil, err
	} else if ok && uid != c.me.Mid {
		return nil, c.domain()
	}
	rs, err := c.svc.ReplyTexts(c.ctx, c.me.Mid, ts)
	if err != nil {
		return nil, err
	}
	var out struct {
		Texts []replyTextJSON `json:"texts,omitempty"`
	}
	for _, r := range rs {
		out.Texts = append(out.Texts, replyTextJSON{ID: r.ID, UID: r.Owner, Type: r.Type, Title: r.Title,
			Key1: r.Key1, Key2: r.Key2, Reply: r.Reply})
	}
	return out, nil
}

// setReplyText is S7. Every problem with its parameters is 27011 (请求参数错误), the
// endpoint's documented code, rather than the generic -400.
func (h *Handler) setReplyText(c *call) (any, error) {
	typ, err := strconv.ParseInt(c.p["type"], 10, 32)
	if err != nil {
		return nil, im.ErrReplyParam
	}
	var id uint64
	if v := c.p["id"]; v != "" {
		if id, err = strconv.ParseUint(v, 10, 64); err != nil {
			return nil, im.ErrReplyParam
		}
	}
	in := im.ReplyText{Type: int(typ), ID: id, Title: c.p["title"], Key1: c.p["key1"], Key2: c.p["key2"], Reply: c.p["reply"]}
	for _, s := range []string{in.Title, in.Key1, in.Key2, in.Reply} {
		if !utf8.ValidString(s) {
			return nil, im.ErrReplyParam
		}
	}
	return empty, c.svc.SetReplyText(c.ctx, c.me.Mid, in)
}

// delReplyText is S8.
func (h *Handler) delReplyText(c *call) (any, error) {
	id, err := c.p.reqUint("id")
	if err != nil {
		return nil, err
	}
	return empty, c.svc.DeleteReplyText(c.ctx, c.me.Mid, id)
}

type sessionCfgJSON struct {
	HiddenEmoteBtn bool   `json:"hidden_emote_btn"`
	HiddenPicBtn   bool   `json:"hidden_pic_btn"`
	MaxHeight      int    `json:"max_height"`
	HintText       string `json:"hint_text"`
	HiddenTopHint  bool   `json:"hidden_top_hint"`
	IsGptAccount   bool   `json:"is_gpt_account"`
}

type sysSettingJSON struct {
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
	IsNewUpAssistantEffective int                       `json:"is_new_up_assistant_effective"`
	IsArchiveGray             bool                      `json:"is_archive_gray"`
	SessionCfg                map[string]sessionCfgJSON `json:"session_cfg"`
	MigrateSessionAPI         bool                      `json:"migrate_session_api"`
	GameMsg                   map[string]bool           `json:"game_msg"`
	AutoReplyMsgDesc          string                    `json:"auto_reply_msg_desc"`
	HuahuoGroupIconNew        string                    `json:"huahuo_group_icon_new"`
	HuahuoGroupIconDarkNew    string                    `json:"huahuo_group_icon_dark_new"`
	ImDisabledInputHint       string                    `json:"im_disabled_input_hint"`
}

// getSysSetting is S9: bilibili's fixed texts, with the availability flags derived from
// the user's fan count. session_cfg carries bilibili's configuration of its AI accounts,
// which is the same for every user; game_msg is empty for mobi_app=web.
func (h *Handler) getSysSetting(c *call) (any, error) {
	pv, err := c.svc.Privileges(c.ctx, c.me.Mid)
	if err != nil {
		return nil, err
	}
	ai := sessionCfgJSON{HiddenEmoteBtn: true, HiddenPicBtn: true, MaxHeight: 62, HintText: "你想问什么问题呢?",
		HiddenTopHint: true, IsGptAccount: true}
	out := sysSettingJSON{
		IsCreateGroupAvailable:        b01(pv.CreateGroup),
		IsAutoReplyAvailable:          b01(pv.AutoReply),
		VcHintTitle:                   "我为什么会收到此类消息",
		VcHintTitleButton:             "了解更多",
		VcHintDetail:                  "您【特别关注】的UP主更新视频或专栏后，会第一时间在私信推送给您。如有需要可点击右上角设置关闭推送。",
		VcHintDetailButton:            "关闭推送",
		AutoReplyHTML:                 "https://message.bilibili.com/h5/app/auto-reply",
		IsReceiveUnfollowWl:           1,
		IsVoyage:                      b01(pv.AutoReply),
		IsAutoReplyRecommendAvailable: b01(pv.AutoReply),
		IsNewUpAssistantEffective:     1,
		IsArchiveGray:                 true,
		SessionCfg:                    map[string]sessionCfgJSON{"100000000000001": ai, "100000000000002": ai, "1400565964": ai},
		GameMsg:                       map[string]bool{},
		AutoReplyMsgDesc:              "此条消息为自动回复",
		HuahuoGroupIconNew:            "http://i0.hdslb.com/bfs/kfptfe/floor/e2e3829e514ebccab1705636b0354ec89446a4b5.png",
		HuahuoGroupIconDarkNew:        "http://i0.hdslb.com/bfs/kfptfe/floor/d09bc8c0716a15938ec427db5fa962733703f3ce.png",
		ImDisabledInputHint:           "请到UP主空间发起咨询",
	}
	if c.p["mobi_app"] != "web" {
		out.GameMsg["show_install"] = true
	}
	return out, nil
}

// showCreateGroupIcon is S10.
func (h *Handler) showCreateGroupIcon(c *call) (any, error) {
	pv, err := c.svc.Privileges(c.ctx, c.me.Mid)
	if err != nil {
		return nil, err
	}
	return struct {
		Show int `json:"show"`
	}{b01(pv.CreateGroup)}, nil
}
