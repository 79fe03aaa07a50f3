// 我的消息: the session list on the left and the open chat on the right, as on
// message.bilibili.com/#/whisper. The hash names the open chat: #/whisper/mid<N> (a
// user or a system account), #/whisper/group<N> (a fan group), #/whisper (none).
import { h } from './dom.js';
import { t, add } from './i18n.js';
import { SessionList, keyOf } from './sessions.js';
import { Chat } from './chat.js';
import { closePopup } from './popup.js';

add({
  zh: { 'wl.title': '我的消息', 'wl.pick': '快找小伙伴聊天吧 ( ゜- ゜)つロ' },
  en: { 'wl.title': 'My messages', 'wl.pick': 'Pick a chat to start talking ( ゜- ゜)つロ' },
});

function parseParam(param) {
  const m = /^(mid|group)(\d{1,20})$/.exec(String(param || ''));
  if (!m) return null;
  return { type: m[1] === 'group' ? 2 : 1, talker: m[2].replace(/^0+(?=\d)/, '') };
}

export function mount(ctx) {
  let chat = null;
  const pane = h('div', { class: 'wl-pane' });
  const list = new SessionList(ctx, {
    activeKey: () => chat?.key || '',
    isRead: (key) => !!chat && chat.key === key && chat.loaded && document.visibilityState === 'visible',
  });
  const el = h('section', { class: 'panel wl', id: 'view-whisper' },
    h('header', { class: 'panel-head' }, t('wl.title')),
    h('div', { class: 'wl-body' }, list.el, pane));

  const empty = () => h('div', { class: 'wl-blank', id: 'chat-blank' }, h('div', { class: 'wl-blank-pic', 'aria-hidden': 'true' }), h('p', null, t('wl.pick')));

  function open(param) {
    const target = parseParam(param);
    const key = target ? keyOf(target.type, target.talker) : '';
    if (chat && chat.key === key) return;
    closePopup();
    chat?.destroy();
    chat = null;
    if (target) {
      chat = new Chat(ctx, target.type, target.talker, list);
      pane.replaceChildren(chat.el);
      chat.load();
      chat.focus();
    } else {
      pane.replaceChildren(empty());
    }
    list.queueDraw();
  }

  open(ctx.param);
  list.start();

  return {
    el,
    update(param) {
      open(param);
    },
    onFrame(f) {
      chat?.onFrame(f);
      list.onFrame(f);
    },
    onReset() {
      list.reload();
      if (chat) chat.load();
    },
    unmount() {
      closePopup();
      chat?.destroy();
      chat = null;
      list.destroy();
    },
  };
}
