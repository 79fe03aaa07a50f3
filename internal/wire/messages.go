package wire

import (
	"math"

	"github.com/bilimsg/bilimsg/internal/emoji"
	"github.com/bilimsg/bilimsg/internal/im"
)

type historyJSON struct {
	Messages []messageJSON `json:"messages"` // null when empty
	HasMore  int           `json:"has_more"`
	MinSeqno uint64        `json:"min_seqno"` // 2^64-1 when empty
	MaxSeqno uint64        `json:"max_seqno"` // 0 when empty
	EInfos   []emoji.Info  `json:"e_infos,omitempty"`
}

// defaultFetchSize follows the seed (catalog §9 item 1).
const defaultFetchSize = 20

// fetchSessionMsgs is P17.
func (h *Handler) fetchSessionMsgs(c *call) (any, error) {
	talker, typ, err := c.sessionTarget()
	if err != nil {
		return nil, err
	}
	size, err := c.p.optInt("size", defaultFetchSize)
	if err != nil {
		return nil, err
	}
	if size < 0 {
		return nil, c.domain()
	}
	begin, _, err := c.p.optUint("begin_seqno")
	if err != nil {
		return nil, err
	}
	end, _, err := c.p.optUint("end_seqno")
	if err != nil {
		return nil, err
	}
	if _, err := c.p.optInt("sender_device_id", 1); err != nil {
		return nil, err
	}
	hist, err := c.svc.FetchMessages(c.ctx, c.me.Mid, im.FetchParams{Talker: talker, Type: typ,
		Size: int(min(size, im.MaxFetchSize)), Begin: begin, End: end})
	if err != nil {
		return nil, err
	}
	out := historyJSON{HasMore: b01(hist.HasMore), MinSeqno: math.MaxUint64, EInfos: hist.EInfos}
	for _, m := range hist.Messages {
		out.Messages = append(out.Messages, toMessageJSON(m))
		out.MinSeqno = min(out.MinSeqno, m.Seqno)
		out.MaxSeqno = max(out.MaxSeqno, m.Seqno)
	}
	return out, nil
}
