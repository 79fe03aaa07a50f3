package client

import (
	"errors"
	"fmt"
)

// Error is bilibili's refusal: the code and message of its answer. Test for a kind of
// refusal with errors.Is and the sentinels below (which compare codes only), or read the
// code with errors.As:
//
//	if errors.Is(err, client.ErrOneMessage) { … }
//	var e *client.Error
//	if errors.As(err, &e) && e.Code == 21007 { … }
type Error struct {
	Code       int    // bilibili's code, never 0
	Message    string // bilibili's message, as sent
	Endpoint   string // the endpoint that answered, such as "send_msg"
	HTTPStatus int    // the HTTP status of the answer (bilibili answers most refusals with 200)
}

func (e *Error) Error() string {
	if e.Endpoint == "" {
		return fmt.Sprintf("bilibili: %d %s", e.Code, e.Message)
	}
	return fmt.Sprintf("bilibili: %s: %d %s", e.Endpoint, e.Code, e.Message)
}

// Is reports whether target is an *Error with the same code, so that
// errors.Is(err, client.ErrNotLoggedIn) holds whatever the message says.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Code == e.Code
}

// temporary reports whether the server failed rather than refused: worth a retry.
func (e *Error) temporary() bool {
	switch e.Code {
	case CodeSystem, CodeServer, CodeUnavailable, CodeRequestBlocked:
		return true
	}
	return false
}

// IsCode reports whether err is (or wraps) a bilibili refusal with this code.
func IsCode(err error, code int) bool {
	var e *Error
	return errors.As(err, &e) && e.Code == code
}

// Codes of bilibili's message API (the ones a program most often needs to tell apart).
const (
	CodeSystem           = -3
	CodeNotLoggedIn      = -101
	CodeCSRF             = -111
	CodeBadRequest       = -400
	CodeNotFound         = -404
	CodeRequestBlocked   = -412 // bilibili's anti-crawler limit (HTTP 412)
	CodeServer           = -500
	CodeUnavailable      = -503
	CodeInvalidParam     = 2
	CodeMsgKeyNotFound   = 10005
	CodeTooLong          = 21007
	CodeTooFast          = 21020
	CodeToSelf           = 21026
	CodeGroupUnavailable = 21028
	CodeTypeUnsupported  = 21035
	CodeBadImage         = 21037
	CodeRecallExpired    = 21041
	CodeAlreadyRecalled  = 21042
	CodeDailyLimit       = 21046
	CodeOneMessage       = 21047
	CodePrivacy          = 25003
	CodeIBlocked         = 25005
	CodeNoPermission     = 700009
	CodeGroupDissolved   = 700013
	CodeNotGroupMember   = 700014
	CodeNoSession        = 1000004
)

// Sentinels for errors.Is. They match any *Error with the same code.
var (
	ErrNotLoggedIn      = &Error{Code: CodeNotLoggedIn, Message: "账号未登录"}
	ErrCSRF             = &Error{Code: CodeCSRF, Message: "csrf 校验失败"}
	ErrBadRequest       = &Error{Code: CodeBadRequest, Message: "请求错误"}
	ErrRequestBlocked   = &Error{Code: CodeRequestBlocked, Message: "请求被拦截"}
	ErrInvalidParam     = &Error{Code: CodeInvalidParam, Message: "非法参数"}
	ErrMsgKeyNotFound   = &Error{Code: CodeMsgKeyNotFound, Message: "msgkey不存在"}
	ErrTooLong          = &Error{Code: CodeTooLong, Message: "消息过长，无法发送"}
	ErrRateLimited      = &Error{Code: CodeTooFast, Message: "你发送消息频率过快，请稍后再发~"}
	ErrToSelf           = &Error{Code: CodeToSelf, Message: "不能给自己发送消息哦~"}
	ErrGroupUnavailable = &Error{Code: CodeGroupUnavailable, Message: "由于系统升级，暂无法发送，敬请谅解"} // a frozen fan group
	ErrRecallExpired    = &Error{Code: CodeRecallExpired, Message: "消息已超期，不能撤回了哦"}
	ErrAlreadyRecalled  = &Error{Code: CodeAlreadyRecalled, Message: "消息已经撤回了哦"}
	ErrDailyLimit       = &Error{Code: CodeDailyLimit, Message: "你发消息的频率太高了，请在24小时后再发吧~"}
	ErrOneMessage       = &Error{Code: CodeOneMessage, Message: "对方主动回复或关注你前，最多发送1条消息~"}
	ErrPrivacy          = &Error{Code: CodePrivacy, Message: "因对方隐私设置，暂无法给他发送聊天消息"}
	ErrIBlocked         = &Error{Code: CodeIBlocked, Message: "你已拉黑了对方，请先将对方移出黑名单后才能聊天"}
	ErrGroupDissolved   = &Error{Code: CodeGroupDissolved, Message: "已解散QAQ，无法执行此操作"}
	ErrNotGroupMember   = &Error{Code: CodeNotGroupMember, Message: "你已不在此同萌中QAQ，无法执行此操作"}
	ErrNoSession        = &Error{Code: CodeNoSession, Message: "入口节点已存在"}
)
