package im

import (
	"context"
	"errors"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/bilimsg/bilimsg/internal/store"
)

// Limits of the settings endpoints (catalog §8.6, §9 items 32 and 34).
const (
	MaxBlockWordRunes = 20
	MaxBlockWords     = 200
	MaxReplyRunes     = 500
	MaxTitleRunes     = 30
	MaxKeywords       = 20
	// MaxKeywordRules caps keyword rules per user (1500002); bilibili's cap is not
	// documented.
	MaxKeywordRules = 20
	// FanThreshold is the fan count that unlocks auto-replies and fan-group creation.
	FanThreshold = 1000
)

// Auto-reply types (catalog §4 S6): there is no type 4.
const (
	ReplyFollowed = 1
	ReplyKeyword  = 2
	ReplyReceived = 3
	ReplyVoyage   = 5
)

// ValidReplyType reports whether t is an auto-reply type.
func ValidReplyType(t int64) bool {
	return t == ReplyFollowed || t == ReplyKeyword || t == ReplyReceived || t == ReplyVoyage
}

// DefaultSettings are the preferences of a user who never changed one: every
// notification on, fan-group messages received and not folded, messages from anyone,
// and every auto-reply and the smart interception off until the user turns them on.
func DefaultSettings() store.Settings {
	return store.Settings{MsgNotify: 1, ShouldReceiveGroup: 1, ReceiveUnfollowMsg: 1}
}

// SettingField describes one preference of link_setting/get and /set.
type SettingField struct {
	Name   string
	Values []int // the allowed values
	// AutoReply fields need FanThreshold fans to be switched on (700009).
	AutoReply bool
	Ptr       func(*store.Settings) *int
}

// SettingFields lists the preferences in the order link_setting/get answers them.
func SettingFields() []SettingField {
	b := []int{0, 1}
	return []SettingField{
		{"show_unfollowed_msg", b, false, func(s *store.Settings) *int { return &s.ShowUnfollowedMsg }},
		{"msg_notify", []int{1, 3}, false, func(s *store.Settings) *int { return &s.MsgNotify }},
		{"set_like", []int{0, 5}, false, func(s *store.Settings) *int { return &s.SetLike }},
		{"set_comment", []int{0, 1, 2}, false, func(s *store.Settings) *int { return &s.SetComment }},
		{"set_at", []int{0, 1, 2}, false, func(s *store.Settings) *int { return &s.SetAt }},
		{"is_group_fold", b, false, func(s *store.Settings) *int { return &s.IsGroupFold }},
		{"should_receive_group", b, false, func(s *store.Settings) *int { return &s.ShouldReceiveGroup }},
		{"receive_unfollow_msg", b, false, func(s *store.Settings) *int { return &s.ReceiveUnfollowMsg }},
		{"followed_reply", b, true, func(s *store.Settings) *int { return &s.FollowedReply }},
		{"keys_reply", b, true, func(s *store.Settings) *int { return &s.KeysReply }},
		{"recv_reply", b, true, func(s *store.Settings) *int { return &s.RecvReply }},
		{"voyage_reply", b, true, func(s *store.Settings) *int { return &s.VoyageReply }},
		{"recommend_followed_reply", b, true, func(s *store.Settings) *int { return &s.RecommendFollowedReply }},
		{"ai_intercept", b, false, func(s *store.Settings) *int { return &s.AIIntercept }},
		{"set_recv_reply", []int{0, 1, 2}, false, func(s *store.Settings) *int { return &s.SetRecvReply }},
		{"set_recv_like", []int{0, 2}, false, func(s *store.Settings) *int { return &s.SetRecvLike }},
		{"set_new_follow", []int{0, 2}, false, func(s *store.Settings) *int { return &s.SetNewFollow }},
	}
}

// settingsOfPair returns the target's settings read with the pair, defaults when never set.
func settingsOfPair(p store.Pair) store.Settings {
	if p.TargetSettings == nil {
		return DefaultSettings()
	}
	return *p.TargetSettings
}

// settingsOf reads a user's preferences inside a transaction, defaults when never set.
func settingsOf(ctx context.Context, tx store.Tx, mid uint64) (store.Settings, error) {
	st, err := tx.GetSettings(ctx, mid)
	if errors.Is(err, store.ErrNotFound) {
		return DefaultSettings(), nil
	}
	return st, err
}

// Settings returns a user's preferences.
func (s *Service) Settings(ctx context.Context, mid uint64) (store.Settings, error) {
	var st store.Settings
	err := s.st.View(ctx, func(tx store.Tx) error {
		var err error
		st, err = settingsOf(ctx, tx, mid)
		return err
	})
	return st, s.internal("get settings", err)
}

// UpdateSettings changes the named preferences at once, or none of them: a value outside
// its field's domain is 2 (非法参数); switching an auto-reply on (value 1) without
// FanThreshold fans is 700009. Switching off is always allowed.
func (s *Service) UpdateSettings(ctx context.Context, mid uint64, patch map[string]int) error {
	fields := SettingFields()
	needFans := false
	for _, f := range fields {
		v, ok := patch[f.Name]
		if !ok {
			continue
		}
		if !slices.Contains(f.Values, v) {
			return ErrInvalidParam
		}
		needFans = needFans || (f.AutoReply && v == 1)
	}
	err := s.update(ctx, func(ctx context.Context, tx store.Tx) error {
		if needFans {
			u, err := tx.GetUser(ctx, mid)
			if err != nil {
				return err
			}
			if u.Fans < FanThreshold {
				return ErrNoPermission
			}
		}
		st, err := settingsOf(ctx, tx, mid)
		if err != nil {
			return err
		}
		for _, f := range fields {
			if v, ok := patch[f.Name]; ok {
				*f.Ptr(&st) = v
			}
		}
		return tx.PutSettings(ctx, mid, st)
	})
	return s.internal("update settings", err)
}

// Privileges are what a user's fan count unlocks (catalog §4 S9, S10).
type Privileges struct {
	AutoReply   bool // is_auto_reply_available
	CreateGroup bool // is_create_group_available, show_create_group_icon
}

// Privileges returns what mid may use.
func (s *Service) Privileges(ctx context.Context, mid uint64) (Privileges, error) {
	u, err := s.GetUser(ctx, mid)
	if err != nil {
		return Privileges{}, err
	}
	ok := u.Fans >= FanThreshold
	return Privileges{AutoReply: ok, CreateGroup: ok}, nil
}

// BlockWords returns mid's block words in the order they were added.
func (s *Service) BlockWords(ctx context.Context, mid uint64) ([]store.BlockWord, error) {
	var out []store.BlockWord
	err := s.st.View(ctx, func(tx store.Tx) error {
		var err error
		out, err = tx.ListBlockWords(ctx, mid)
		return err
	})
	return out, s.internal("list block words", err)
}

// AddBlockWord adds a block word (catalog §9 item 32): white space anywhere → 1900007,
// more than 20 characters → 1900004, already there → 1900006, 200 words already → 1900005.
func (s *Service) AddBlockWord(ctx context.Context, mid uint64, content string) error {
	if content == "" || !utf8.ValidString(content) {
		return ErrBadRequest
	}
	if strings.IndexFunc(content, unicode.IsSpace) >= 0 {
		return ErrBlockWordSpace
	}
	if strings.IndexFunc(content, unicode.IsControl) >= 0 {
		return ErrBadRequest
	}
	if utf8.RuneCountInString(content) > MaxBlockWordRunes {
		return ErrBlockWordTooLong
	}
	err := s.update(ctx, func(ctx context.Context, tx store.Tx) error {
		words, err := tx.ListBlockWords(ctx, mid)
		if err != nil {
			return err
		}
		for _, w := range words {
			if w.Content == content {
				return ErrBlockWordExists
			}
		}
		if len(words) >= MaxBlockWords {
			return ErrTooManyBlockWords
		}
		if err := tx.AddBlockWord(ctx, mid, store.BlockWord{Content: content, Ctime: s.clock.Now().Unix()}); err != nil {
			return err
		}
		return reindexBlockWords(ctx, tx, mid, append(words, store.BlockWord{Content: content}))
	})
	return s.internal("add block word", err)
}

// DeleteBlockWord removes a block word; removing one that is not there succeeds.
func (s *Service) DeleteBlockWord(ctx context.Context, mid uint64, content string) error {
	if content == "" || !utf8.ValidString(content) {
		return ErrBadRequest
	}
	err := s.update(ctx, func(ctx context.Context, tx store.Tx) error {
		if err := tx.DeleteBlockWord(ctx, mid, content); err != nil {
			return err
		}
		words, err := tx.ListBlockWords(ctx, mid)
		if err != nil {
			return err
		}
		return reindexBlockWords(ctx, tx, mid, words)
	})
	return s.internal("delete block word", err)
}

// ReplyTexts returns mid's auto-reply texts of the given types, in the order of the types
// asked for; keyword rules newest first. A type asked for twice is answered once.
func (s *Service) ReplyTexts(ctx context.Context, mid uint64, types []int) ([]store.AutoReply, error) {
	var out []store.AutoReply
	err := s.st.View(ctx, func(tx store.Tx) error {
		var seen []int
		for _, t := range types {
			if slices.Contains(seen, t) {
				continue
			}
			seen = append(seen, t)
			rs, err := tx.ListAutoReplies(ctx, mid, t)
			if err != nil {
				return err
			}
			out = append(out, rs...)
		}
		return nil
	})
	return out, s.internal("list auto-replies", err)
}

// ReplyText is one set_reply_text call, already parsed.
type ReplyText struct {
	Type  int
	ID    uint64 // keyword rules: 0 creates a rule, else modifies rule ID
	Title string
	Key1  string
	Key2  string
	Reply string
}

// SetReplyText stores an auto-reply text (catalog §4 S7, §9 item 34). Types 1, 3 and 5
// hold one text each (a new one replaces it, ID is ignored); type 2 holds up to
// MaxKeywordRules rules. Keyword lists are stored normalised: trimmed keywords joined by
// "，". Problems with the request are 27011; a reply over 500 characters 1500001; contact
// details in the texts 1500003; one rule too many 1500002.
func (s *Service) SetReplyText(ctx context.Context, mid uint64, in ReplyText) error {
	if !ValidReplyType(int64(in.Type)) || !utf8.ValidString(in.Reply+in.Title+in.Key1+in.Key2) ||
		strings.TrimSpace(in.Reply) == "" {
		return ErrReplyParam
	}
	r := store.AutoReply{Owner: mid, Type: in.Type, Reply: in.Reply}
	if in.Type == ReplyKeyword {
		k1, k2 := splitKeywords(in.Key1), splitKeywords(in.Key2)
		if strings.TrimSpace(in.Title) == "" || utf8.RuneCountInString(in.Title) > MaxTitleRunes ||
			len(k1)+len(k2) == 0 || len(k1) > MaxKeywords || len(k2) > MaxKeywords {
			return ErrReplyParam
		}
		r.Title, r.Key1, r.Key2 = in.Title, strings.Join(k1, "，"), strings.Join(k2, "，")
	}
	base := r
	err := s.update(ctx, func(ctx context.Context, tx store.Tx) error {
		r := base // fn may run again: start from the parsed rule every time
		r.Ctime = s.clock.Now().Unix()
		existing, err := tx.ListAutoReplies(ctx, mid, in.Type)
		if err != nil {
			return err
		}
		switch {
		case in.Type != ReplyKeyword:
			if len(existing) > 0 {
				r.ID = existing[0].ID
			}
		case in.ID != 0:
			// Only one of my own keyword rules can be modified; any other id is a bad
			// parameter, which tells nothing about other people's rules.
			i := slices.IndexFunc(existing, func(e store.AutoReply) bool { return e.ID == in.ID })
			if i < 0 {
				return ErrReplyParam
			}
			r.ID = in.ID
		}
		// The content checks come after every parameter check (27011), the rule cap last.
		if utf8.RuneCountInString(in.Reply) > MaxReplyRunes {
			return ErrReplyTooLong
		}
		if s.spam.sensitive(r.Reply) || s.spam.sensitive(r.Title) || s.spam.sensitive(r.Key1) || s.spam.sensitive(r.Key2) {
			return ErrReplySensitive
		}
		if in.Type == ReplyKeyword && in.ID == 0 && len(existing) >= MaxKeywordRules {
			return ErrTooManyRules
		}
		if _, err = tx.PutAutoReply(ctx, r); err != nil || in.Type != ReplyKeyword {
			return err
		}
		return reindexRules(ctx, tx, mid)
	})
	return s.internal("set auto-reply", err)
}

// DeleteReplyText deletes one of mid's auto-reply texts: someone else's → 1003; an id that
// does not exist succeeds (catalog §9 item 34).
func (s *Service) DeleteReplyText(ctx context.Context, mid, id uint64) error {
	err := s.update(ctx, func(ctx context.Context, tx store.Tx) error {
		r, err := tx.GetAutoReply(ctx, id)
		if errors.Is(err, store.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		if r.Owner != mid {
			return ErrNotYourRule
		}
		if err := tx.DeleteAutoReply(ctx, id); err != nil || r.Type != ReplyKeyword {
			return err
		}
		return reindexRules(ctx, tx, mid)
	})
	return s.internal("delete auto-reply", err)
}

// reindexRules rebuilds mid's keyword index after a change to the keyword rules, in the
// same transaction.
func reindexRules(ctx context.Context, tx store.Tx, mid uint64) error {
	rules, err := tx.ListAutoReplies(ctx, mid, ReplyKeyword)
	if err != nil {
		return err
	}
	return tx.PutMatchIndex(ctx, mid, store.IndexReplyRules, replyIndex(rules))
}

// reindexBlockWords rebuilds mid's block-word index from the words mid now has, in the
// transaction that changed them.
func reindexBlockWords(ctx context.Context, tx store.Tx, mid uint64, words []store.BlockWord) error {
	return tx.PutMatchIndex(ctx, mid, store.IndexBlockWords, blockIndex(words))
}
