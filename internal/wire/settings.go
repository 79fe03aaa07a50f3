package wire

// isLimit is P6. Nobody is banned in bilimsg, so both flags are 0.
func (h *Handler) isLimit(c *call) (any, error) {
	if _, err := c.p.reqUint("uid"); err != nil {
		return nil, err
	}
	typ, err := c.p.reqInt("type")
	if err != nil {
		return nil, err
	}
	if typ != 1 {
		return nil, c.domain()
	}
	return struct {
		IsLimit     int `json:"is_limit"`
		ReportLimit int `json:"report_limit"`
	}{}, nil
}

type dndSetting struct {
	ID      uint64 `json:"id"`
	Setting int    `json:"setting"`
}

type dndJSON struct {
	UIDSettings   []dndSetting `json:"uid_settings,omitempty"`
	GroupSettings []dndSetting `json:"group_settings,omitempty"`
}

// getMsgDnd is P7. own_uid must be the caller; only the first of several ids counts.
func (h *Handler) getMsgDnd(c *call) (any, error) {
	own, err := c.p.reqUint("own_uid")
	if err != nil {
		return nil, err
	}
	if own != c.me.Mid {
		return nil, c.domain()
	}
	var out dndJSON
	for _, q := range []struct {
		param string
		typ   int
		dst   *[]dndSetting
	}{{"uids", 1, &out.UIDSettings}, {"group_ids", 2, &out.GroupSettings}} {
		id, ok, err := c.p.firstUint(q.param)
		if err != nil {
			return nil, err
		}
		if !ok {
			continue
		}
		sess, err := c.svc.SessionSettings(c.ctx, c.me.Mid, q.typ, id)
		if err != nil {
			return nil, err
		}
		*q.dst = []dndSetting{{ID: id, Setting: b01(sess.IsDnd)}}
	}
	return out, nil
}

// getSessionSS is P8.
func (h *Handler) getSessionSS(c *call) (any, error) {
	talker, err := c.p.reqUint("talker_uid")
	if err != nil {
		return nil, err
	}
	sess, err := c.svc.SessionSettings(c.ctx, c.me.Mid, 1, talker)
	if err != nil {
		return nil, err
	}
	fs, err := c.svc.FollowStatus(c.ctx, c.me.Mid, talker)
	if err != nil {
		return nil, err
	}
	return struct {
		FollowStatus    int `json:"follow_status"`
		Special         int `json:"special"`
		PushSetting     int `json:"push_setting"`
		ShowPushSetting int `json:"show_push_setting"`
	}{FollowStatus: fs, PushSetting: sess.PushSetting, ShowPushSetting: b01(fs == 2 || fs == 6)}, nil
}

// setMsgDnd is P12: setting 0/1 for dnd_uid or dnd_group_id (one of them).
func (h *Handler) setMsgDnd(c *call) (any, error) {
	setting, err := c.p.reqInt("setting")
	if err != nil {
		return nil, err
	}
	if setting != 0 && setting != 1 {
		return nil, c.domain()
	}
	if _, _, err := c.p.optUint("uid"); err != nil {
		return nil, err
	}
	uid, okU, err := c.p.optUint("dnd_uid")
	if err != nil {
		return nil, err
	}
	gid, okG, err := c.p.optUint("dnd_group_id")
	if err != nil {
		return nil, err
	}
	switch {
	case okU:
		return empty, c.svc.SetDND(c.ctx, c.me.Mid, 1, uid, setting == 1)
	case okG:
		return empty, c.svc.SetDND(c.ctx, c.me.Mid, 2, gid, setting == 1)
	}
	return nil, c.domain()
}

// setPushSS is P13.
func (h *Handler) setPushSS(c *call) (any, error) {
	talker, err := c.p.reqUint("talker_uid")
	if err != nil {
		return nil, err
	}
	setting, err := c.p.reqInt("setting")
	if err != nil {
		return nil, err
	}
	if setting != 0 && setting != 1 {
		return nil, c.domain()
	}
	return empty, c.svc.SetPush(c.ctx, c.me.Mid, talker, int(setting))
}
