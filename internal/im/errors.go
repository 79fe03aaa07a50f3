// Package im is the domain: the rules of bilibili's private messages (sending, recall,
// acks, unread buckets, the one-message rule), independent of HTTP and of the database.
package im

import "errors"

// Error is a failure that bilibili reports with a code and a message. The wire layer
// puts both into the response envelope unchanged.
type Error struct {
	Code    int
	Message string
}

func (e *Error) Error() string { return e.Message }

// The codes and texts are bilibili's own, with full-width punctuation (catalog §3 P19,
// §6 for the global ones, §9 for the choices).
var (
	ErrSystem          = &Error{-3, "系统错误"}
	ErrNotLoggedIn     = &Error{-101, "账号未登录"}
	ErrCSRF            = &Error{-111, "csrf 校验失败"}
	ErrBadRequest      = &Error{-400, "请求错误"}
	ErrNothingHere     = &Error{-404, "啥都木有"}
	ErrServer          = &Error{-500, "服务器错误"}
	ErrInvalidParam    = &Error{2, "非法参数"}
	ErrMsgKeyNotFound  = &Error{10005, "msgkey不存在"}
	ErrTooLong         = &Error{21007, "消息过长，无法发送"}
	ErrTooFast         = &Error{21020, "你发送消息频率过快，请稍后再发~"}
	ErrToSelf          = &Error{21026, "不能给自己发送消息哦~"}
	ErrTypeUnsupported = &Error{21035, "该类消息暂时无法发送"}
	ErrBadImage        = &Error{21037, "图片格式不合法，不要调戏接口啦"}
	ErrRecallExpired   = &Error{21041, "消息已超期，不能撤回了哦"}
	ErrAlreadyRecalled = &Error{21042, "消息已经撤回了哦"}
	ErrDailyLimit      = &Error{21046, "你发消息的频率太高了，请在24小时后再发吧~"}
	ErrOneMessage      = &Error{21047, "对方主动回复或关注你前，最多发送1条消息~"}
	ErrPrivacy         = &Error{25003, "因对方隐私设置，暂无法给他发送聊天消息"}
	ErrIBlocked        = &Error{25005, "你已拉黑了对方，请先将对方移出黑名单后才能聊天"}
	ErrGroupDissolved  = &Error{700013, "已解散QAQ，无法执行此操作"}
	ErrNotGroupMember  = &Error{700014, "你已不在此同萌中QAQ，无法执行此操作"}
	ErrNoSession       = &Error{1000004, "入口节点已存在"}

	// Settings (catalog §4).
	ErrNoPermission      = &Error{700009, "权限不足"}
	ErrNotYourRule       = &Error{1003, "不能删除别人的规则"}
	ErrReplyParam        = &Error{27011, "请求参数错误"}
	ErrReplyTooLong      = &Error{1500001, "自动回复内容太长"}
	ErrTooManyRules      = &Error{1500002, "规则数量已达上限，请删除后新建"}
	ErrReplySensitive    = &Error{1500003, "您保存的内容含敏感信息，请修改后重试"}
	ErrBlockWordTooLong  = &Error{1900004, "添加失败，屏蔽词限制最多20个字"}
	ErrTooManyBlockWords = &Error{1900005, "添加失败，最多可以添加200个屏蔽词"}
	ErrBlockWordExists   = &Error{1900006, "添加失败，屏蔽词重复"}
	ErrBlockWordSpace    = &Error{1900007, "添加失败，屏蔽词不支持空格"}
)

// Errors of the operator API, which speaks plain HTTP status codes.
var (
	ErrUserNotFound = errors.New("user not found")
	ErrUserExists   = errors.New("a user with this mid exists")
	ErrInvalid      = errors.New("invalid input")
	ErrBlocked      = errors.New("one of the two users blocks the other")
	// ErrIDsExhausted: an id was to be assigned one above the largest, which is already
	// the largest allowed (2^63-1); the caller must give one.
	ErrIDsExhausted = errors.New("no id is left above the largest one; give an id")
)

// operatorErrors are the operator API's refusals: expected outcomes, not failures.
var operatorErrors = []error{ErrUserNotFound, ErrUserExists, ErrInvalid, ErrBlocked, ErrIDsExhausted,
	ErrGroupNotFound, ErrNotMember, ErrFewFans, ErrGroupState, ErrOwnerStays, ErrGroupExists}
