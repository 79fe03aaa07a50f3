// Package bot builds message bots on the client's Watcher: handlers chosen by message
// type, keyword or sender, replies, and acking what was handled.
//
//	b := bot.New(c, bot.Options{})
//	b.Keyword([]string{"价格", "多少钱"}, func(m *bot.Context) error { return m.Reply("商单请看置顶动态") })
//	b.Text(func(m *bot.Context) error { return m.Reply(m.Text) }) // echo the rest
//	err := b.Run(ctx)
//
// A message goes to the first route that matches it, in the order routes were added;
// a message no route matches is acked and dropped.
package bot

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"strings"

	"github.com/bilimsg/bilimsg/client"
)

// Context is one message being handled.
type Context struct {
	context.Context
	Client  *client.Client
	Message client.Message
	Talker  client.Talker // the conversation to answer in
	Text    string        // the words of a text message ("" for other types)
}

// Reply sends text into the message's conversation.
func (c *Context) Reply(text string) error {
	_, err := c.Client.SendText(c, c.Talker, text)
	return err
}

// ReplyImage sends an image (already on bilibili's image host) into the conversation.
func (c *Context) ReplyImage(img client.Image) error {
	_, err := c.Client.SendImage(c, c.Talker, img)
	return err
}

// HandlerFunc handles a message. Its error is passed to Options.OnError.
type HandlerFunc func(*Context) error

// Matcher decides whether a route takes a message.
type Matcher func(*Context) bool

// Options configure a Bot.
type Options struct {
	// Watch configures the underlying watcher (cursor, saving it, poll interval).
	Watch client.WatchOptions
	// NoAck leaves handled messages unread. By default the bot acks each message once
	// its handler returns, so its owner's unread counts show only what it did not handle.
	NoAck bool
	// AnswerAutoReplies lets routes see other accounts' auto-replies (msg_source 8–11).
	// By default they are acked and dropped, so that two bots cannot talk forever.
	AnswerAutoReplies bool
	// OnError decides what a handler's error means: nil goes on with the next message
	// (the default logs the error and goes on: a refused reply, such as 21047, should
	// not stop a bot); an error stops Run, and the message is handled again when the bot
	// resumes from its saved cursor.
	OnError func(*Context, error) error
	// Logger receives handler errors (default: slog.Default()).
	Logger *slog.Logger
}

type route struct {
	match Matcher
	h     HandlerFunc
}

// Bot routes new messages to handlers.
type Bot struct {
	c      *client.Client
	opt    Options
	routes []route
	w      *client.Watcher
}

// New returns a bot acting as c's user.
func New(c *client.Client, opt Options) *Bot {
	if opt.Logger == nil {
		opt.Logger = slog.Default()
	}
	if opt.OnError == nil {
		log := opt.Logger
		opt.OnError = func(m *Context, err error) error {
			log.Warn("bot: handler failed", "talker", m.Talker.String(), "msg_key", m.Message.MsgKey, "err", err)
			return nil
		}
	}
	if opt.Watch.Logger == nil {
		opt.Watch.Logger = opt.Logger
	}
	return &Bot{c: c, opt: opt, w: c.Watch(opt.Watch)}
}

// Handle adds a route: messages that match go to h.
func (b *Bot) Handle(match Matcher, h HandlerFunc) *Bot {
	b.routes = append(b.routes, route{match, h})
	return b
}

// Type routes messages of a msg_type (client.MsgText, client.MsgImage, …).
func (b *Bot) Type(msgType int, h HandlerFunc) *Bot {
	return b.Handle(func(m *Context) bool { return m.Message.MsgType == msgType }, h)
}

// Text routes every text message.
func (b *Bot) Text(h HandlerFunc) *Bot { return b.Type(client.MsgText, h) }

// Keyword routes text messages that contain any of the words (case-insensitive for
// Latin letters).
func (b *Bot) Keyword(words []string, h HandlerFunc) *Bot {
	lower := make([]string, len(words))
	for i, w := range words {
		lower[i] = strings.ToLower(w)
	}
	return b.Handle(func(m *Context) bool {
		if m.Message.MsgType != client.MsgText {
			return false
		}
		t := strings.ToLower(m.Text)
		return slices.ContainsFunc(lower, func(w string) bool { return w != "" && strings.Contains(t, w) })
	}, h)
}

// Exact routes text messages whose whole text, trimmed, is one of the words.
func (b *Bot) Exact(words []string, h HandlerFunc) *Bot {
	return b.Handle(func(m *Context) bool {
		return m.Message.MsgType == client.MsgText && slices.Contains(words, strings.TrimSpace(m.Text))
	}, h)
}

// Sender routes the messages of some users.
func (b *Bot) Sender(mids []uint64, h HandlerFunc) *Bot {
	return b.Handle(func(m *Context) bool { return slices.Contains(mids, m.Message.SenderUID) }, h)
}

// Default routes every message no earlier route took.
func (b *Bot) Default(h HandlerFunc) *Bot {
	return b.Handle(func(*Context) bool { return true }, h)
}

// Cursor is the bot's watcher position (see client.Cursor), to persist.
func (b *Bot) Cursor() client.Cursor { return b.w.Cursor() }

// Run handles new messages until ctx ends or a handler's error stops it.
func (b *Bot) Run(ctx context.Context) error { return b.w.Run(ctx, b.handle) }

// Poll handles the messages that arrived since the last round, once.
func (b *Bot) Poll(ctx context.Context) error { return b.w.Poll(ctx, b.handle) }

// errStop wraps an error that OnError chose to stop on.
var errStop = errors.New("bot stopped")

func (b *Bot) handle(ctx context.Context, m client.Message) error {
	mc := &Context{Context: ctx, Client: b.c, Message: m, Talker: m.Talker(b.c.Mid())}
	mc.Text, _ = m.Text()
	if m.MsgType != client.MsgText {
		mc.Text = ""
	}
	if b.opt.AnswerAutoReplies || !isAutoReply(m) {
		for _, r := range b.routes {
			if !r.match(mc) {
				continue
			}
			if err := r.h(mc); err != nil {
				if stop := b.opt.OnError(mc, err); stop != nil {
					return errors.Join(errStop, stop)
				}
			}
			break
		}
	}
	if b.opt.NoAck || m.SenderUID == b.c.Mid() {
		return nil
	}
	// Acking is bookkeeping: a failed ack must not hand the message to its handler
	// again, so it is logged rather than returned.
	if err := b.c.Ack(ctx, mc.Talker, m.MsgSeqno); err != nil && ctx.Err() == nil {
		b.opt.Logger.Warn("bot: ack failed", "talker", mc.Talker.String(), "seqno", m.MsgSeqno, "err", err)
	}
	return nil
}

func isAutoReply(m client.Message) bool { return m.MsgSource >= 8 && m.MsgSource <= 11 }
