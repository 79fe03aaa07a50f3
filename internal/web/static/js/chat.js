// One open chat (message.bilibili.com's right column): the history of
// fetch_session_msgs, newest at the bottom, older pages read as it scrolls to the top;
// live messages appended; the session read (update_ack) while it is open and the tab
// visible; a composer (text with Enter, emoji, image by URL) and recall of my own
// messages within bilibili's 120 s.
import { now } from './api.js';
import { h, avatar, fmtFull, fmtTime } from './dom.js';
import { t, add } from './i18n.js';
import { learn, picker } from './emoji.js';
import { body, card, content, isCard, isLine, lineBody, recallText, isSystemTalker, AUTO_REPLY, SYSTEM_GROUP } from './messages.js';
import { menu, openPopup, closePopup, isOpen } from './popup.js';
import { syncChildren } from './sessions.js';

add({
  zh: {
    'chat.loading': '加载中…',
    'chat.end': '没有更多消息了',
    'chat.more': '查看更多消息',
    'chat.empty': '暂无消息，打个招呼吧~',
    'chat.placeholder': '请输入消息内容',
    'chat.send': '发送',
    'chat.hint': 'Enter 发送，Shift+Enter 换行',
    'chat.emoji': '表情',
    'chat.image': '图片',
    'chat.image.title': '发送图片',
    'chat.image.url': '粘贴 bilibili 图片链接（hdslb.com / biliimg.com）',
    'chat.image.send': '发送',
    'chat.recall': '撤回',
    'chat.copy': '复制',
    'chat.group': '应援团',
  },
  en: {
    'chat.loading': 'Loading…',
    'chat.end': 'No earlier messages',
    'chat.more': 'Load earlier messages',
    'chat.empty': 'No messages yet — say hello~',
    'chat.placeholder': 'Type a message',
    'chat.send': 'Send',
    'chat.hint': 'Enter to send, Shift+Enter for a new line',
    'chat.emoji': 'Emoji',
    'chat.image': 'Image',
    'chat.image.title': 'Send an image',
    'chat.image.url': 'Paste a bilibili image URL (hdslb.com / biliimg.com)',
    'chat.image.send': 'Send',
    'chat.recall': 'Recall',
    'chat.copy': 'Copy',
    'chat.group': 'Fan group',
  },
});

const PAGE = 20;
const RECALL_WINDOW = 120; // seconds (21041 after it)
const DIVIDER_GAP = 300; // a time divider when messages are more than 5 minutes apart

// One device id per page load, upper-case like bilibili's clients (msg[dev_id]).
const DEV_ID = (() => {
  const id = typeof crypto.randomUUID === 'function' ? crypto.randomUUID()
    : '10000000-1000-4000-8000-100000000000'.replace(/[018]/g, (c) => (c ^ (crypto.getRandomValues(new Uint8Array(1))[0] & (15 >> (c / 4)))).toString(16));
  return id.toUpperCase();
})();

const big = (v) => {
  try {
    return BigInt(String(v ?? 0));
  } catch {
    return 0n;
  }
};

const recallTarget = (m) => (String(m.content ?? '').match(/\d+/) || [''])[0];

export class Chat {
  // ctx: the view's ctx; type 1 (user) or 2 (fan group); talker id; list: the SessionList.
  constructor(ctx, type, talker, list) {
    this.ctx = ctx;
    this.me = String(ctx.me.mid);
    this.type = Number(type);
    this.talker = String(talker);
    this.list = list;
    this.key = `${this.type}:${this.talker}`;
    this.msgs = new Map(); // msg_key → message
    this.rows = new Map(); // msg_key → {el, sig}
    this.dividers = new Map(); // msg_key → the time line above it
    this.recalled = new Map(); // target msg_key → the recall message
    this.n = 0;
    this.gen = 0;
    this.loaded = false;
    this.queue = [];
    this.hasMore = false;
    this.loadingOlder = false;
    this.acked = 0n;
    this.stuck = true;
    this.session = null;
    this.destroyed = false;
    this.readonly = this.type === 1 && isSystemTalker(this.talker);

    this.nameEl = h('span', { class: 'chat-name', id: 'chat-name' }, this.type === 2 ? '' : this.peekName());
    this.tagEl = h('span', { class: 'chat-tag', hidden: this.type !== 2 }, t('chat.group'));
    this.top = h('div', { class: 'chat-top' });
    this.listEl = h('div', { class: 'chat-list' });
    this.scroller = h('div', { class: 'chat-msgs', id: 'chat-msgs' }, this.top, this.listEl);
    this.composer = this.readonly ? null : this.buildComposer();
    this.el = h('section', { class: 'chat', dataset: { key: this.key, talker: this.talker, type: String(this.type) } },
      h('header', { class: 'chat-head' }, this.nameEl, this.tagEl),
      this.scroller,
      this.composer);

    this.scroller.addEventListener('scroll', () => {
      const el = this.scroller;
      this.stuck = el.scrollHeight - el.scrollTop - el.clientHeight < 60;
      if (el.scrollTop < 80) this.loadOlder();
    });
    // Images change heights as they load (or fail): stay at the bottom when there.
    const settle = () => {
      if (this.stuck) this.scroller.scrollTop = this.scroller.scrollHeight;
    };
    this.scroller.addEventListener('load', settle, true);
    this.scroller.addEventListener('error', settle, true);
    this.top.addEventListener('click', () => this.loadOlder());
    this.onVisible = () => this.maybeAck();
    document.addEventListener('visibilitychange', this.onVisible);
    this.timer = setInterval(() => this.refreshRecall(), 5000);
    if (this.type === 1 && !this.readonly) this.ctx.users.get(this.talker).then((u) => {
      if (!this.session?.account_info && u?.name) this.nameEl.textContent = u.name;
    });
  }

  peekName() {
    return this.ctx.users.peek(this.talker)?.name || this.talker;
  }

  destroy() {
    this.destroyed = true;
    this.gen++;
    clearInterval(this.timer);
    document.removeEventListener('visibilitychange', this.onVisible);
    closePopup();
  }

  focus() {
    this.textarea?.focus({ preventScroll: true });
  }

  // ----- loading -----

  get query() {
    return { talker_id: this.talker, session_type: this.type, sender_device_id: 1 };
  }

  async load() {
    const gen = ++this.gen;
    // A reload (after the live stream lost its place) keeps what is shown until the
    // answer replaces it.
    if (!this.msgs.size) this.drawTop(t('chat.loading'));
    this.loadingOlder = false;
    this.reading = true; // frames wait in the queue until the answer is in
    const api = this.ctx.api;
    const detail = api.get('/session_svr/v1/session_svr/session_detail', { talker_id: this.talker, session_type: this.type })
      .catch(() => null);
    let page;
    try {
      page = await api.get('/svr_sync/v1/svr_sync/fetch_session_msgs', { ...this.query, size: PAGE });
    } catch (e) {
      if (gen !== this.gen) return;
      this.loaded = true;
      this.reading = false;
      this.queue = [];
      this.listEl.replaceChildren(h('div', { class: 'chat-error', id: 'chat-error' }, e.message));
      this.drawTop('');
      if (e.code !== -101) this.ctx.toast(e.message);
      return;
    }
    const s = await detail;
    if (gen !== this.gen) return;
    this.session = s;
    if (s) {
      this.acked = big(s.ack_seqno);
      if (this.type === 2 && s.group_name) this.nameEl.textContent = s.group_name;
      else if (s.account_info) {
        this.nameEl.textContent = String(s.account_info.name ?? '');
        this.ctx.users.put(this.talker, String(s.account_info.name ?? ''), String(s.account_info.pic_url ?? ''));
      }
      if (Number(s.system_msg_type) > 0 && !this.readonly) {
        this.readonly = true;
        this.composer?.remove();
        this.composer = null;
      }
    } else if (this.type === 2) {
      this.nameEl.textContent = this.talker;
    }
    learn(page.e_infos);
    this.msgs.clear();
    this.recalled.clear();
    for (const m of page.messages || []) this.add(m);
    this.hasMore = Number(page.has_more) === 1;
    this.loaded = true;
    this.reading = false;
    for (const m of this.queue.splice(0)) this.add(m);
    this.draw('bottom');
    this.maybeAck();
    this.fill();
  }

  // fill reads older pages while the history does not fill the pane.
  fill() {
    if (this.hasMore && this.scroller.scrollHeight <= this.scroller.clientHeight + 80) this.loadOlder();
  }

  minSeqno() {
    let min = null;
    for (const m of this.msgs.values()) {
      if (m.msg_seqno == null) continue;
      const s = big(m.msg_seqno);
      if (min === null || s < min) min = s;
    }
    return min;
  }

  maxSeqno() {
    let max = 0n;
    for (const m of this.msgs.values()) if (m.msg_seqno != null && big(m.msg_seqno) > max) max = big(m.msg_seqno);
    return max;
  }

  async loadOlder() {
    if (!this.loaded || this.reading || !this.hasMore || this.loadingOlder) return;
    const min = this.minSeqno();
    if (min === null) return;
    const gen = this.gen;
    this.loadingOlder = true;
    this.drawTop(t('chat.loading'));
    let page;
    try {
      page = await this.ctx.api.get('/svr_sync/v1/svr_sync/fetch_session_msgs', { ...this.query, size: PAGE, end_seqno: String(min) });
    } catch (e) {
      if (gen !== this.gen) return;
      this.loadingOlder = false;
      this.drawTop(t('chat.more'));
      if (e.code !== -101) this.ctx.toast(e.message);
      return;
    }
    if (gen !== this.gen) return;
    learn(page.e_infos);
    for (const m of page.messages || []) this.add(m);
    this.hasMore = Number(page.has_more) === 1 && (page.messages || []).length > 0;
    this.loadingOlder = false;
    this.draw('prepend');
    this.fill();
  }

  // catchUp reads what came after the newest message (when the live stream is down).
  async catchUp() {
    const max = this.maxSeqno();
    const gen = this.gen;
    try {
      const q = { ...this.query, size: 50 };
      if (max > 0n) q.begin_seqno = String(max);
      const page = await this.ctx.api.get('/svr_sync/v1/svr_sync/fetch_session_msgs', q);
      if (gen !== this.gen) return;
      learn(page.e_infos);
      for (const m of page.messages || []) this.add(m);
      this.draw('auto');
    } catch { /* the next frame or reload will do */ }
  }

  // add merges one message; it returns whether it was new.
  add(m) {
    if (!m || m.msg_key == null) return false;
    const key = String(m.msg_key);
    const had = this.msgs.get(key);
    if (had) {
      if (had.msg_seqno == null && m.msg_seqno != null) {
        had.msg_seqno = m.msg_seqno;
        had.timestamp = m.timestamp;
      }
      if (Number(m.msg_status) === 1) had.msg_status = 1;
      return false;
    }
    m._n = ++this.n;
    this.msgs.set(key, m);
    if (Number(m.msg_type) === 5) {
      const target = recallTarget(m);
      this.recalled.set(target, m);
      const tm = this.msgs.get(target);
      if (tm) tm.msg_status = m.sys_cancel ? 2 : 1;
    } else if (this.recalled.has(key)) {
      m.msg_status = this.recalled.get(key).sys_cancel ? 2 : 1;
    }
    if (String(m.sender_uid) === this.me && m.msg_seqno != null && big(m.msg_seqno) > this.acked) this.acked = big(m.msg_seqno);
    return true;
  }

  // ----- live -----

  onFrame(f) {
    if (f.type !== 'message') return;
    const d = f.data;
    if (!d?.message || String(d.talker_id) !== this.talker || Number(d.session_type) !== this.type) return;
    if (!this.loaded || this.reading) {
      this.queue.push(d.message);
      return;
    }
    const mine = String(d.message.sender_uid) === this.me;
    this.add(d.message);
    this.draw(mine ? 'bottom' : 'auto');
    this.maybeAck();
  }

  maybeAck() {
    if (this.destroyed || !this.loaded || document.visibilityState !== 'visible') return;
    const max = this.maxSeqno();
    if (max === 0n || max <= this.acked) return;
    const before = this.acked;
    this.acked = max;
    this.ctx.api.post('/session_svr/v1/session_svr/update_ack', { talker_id: this.talker, session_type: this.type, ack_seqno: String(max) })
      .catch((e) => {
        if (this.acked === max) this.acked = before;
        if (e.code !== -101) console.warn('update_ack', e.message);
      });
  }

  // ----- sending -----

  async send(msgType, contentText) {
    return this.ctx.api.post('/web_im/v1/web_im/send_msg', {
      'msg[sender_uid]': this.me,
      'msg[receiver_id]': this.talker,
      'msg[receiver_type]': this.type,
      'msg[msg_type]': msgType,
      'msg[msg_status]': 0,
      'msg[content]': contentText,
      'msg[timestamp]': Math.floor(now() / 1000),
      'msg[new_face_version]': 1,
      'msg[dev_id]': DEV_ID,
    });
  }

  // sent shows a message this page sent, from the answer, before its frame comes.
  sent(d, msgType, contentText) {
    if (d?.msg_key == null) return null;
    learn(d.e_infos);
    const m = {
      sender_uid: this.me, receiver_type: this.type, receiver_id: this.talker, msg_type: msgType,
      content: d.msg_content ?? contentText, msg_seqno: null, timestamp: Math.floor(now() / 1000), at_uids: null,
      msg_key: String(d.msg_key), msg_status: 0, notify_code: '', new_face_version: 1, msg_source: 7,
    };
    const isNew = this.add(m);
    const shown = this.msgs.get(String(d.msg_key));
    this.draw('bottom');
    if (isNew) this.list.applyLocal(this.type, this.talker, shown);
    if (!this.ctx.live.connected) this.catchUp();
    if (d.key_hit_infos?.toast) this.ctx.toast(String(d.key_hit_infos.toast), 'info');
    return shown;
  }

  async sendText() {
    const ta = this.textarea;
    const text = ta.value;
    if (!text.trim() || this.sending) return;
    this.sending = true;
    this.sendBtn.disabled = true;
    const c = JSON.stringify({ content: text });
    try {
      const d = await this.send(1, c);
      if (ta.value === text) ta.value = '';
      else if (ta.value.startsWith(text)) ta.value = ta.value.slice(text.length);
      this.sent(d, 1, c);
    } catch (e) {
      if (e.code !== -101) this.ctx.toast(e.message);
    } finally {
      this.sending = false;
      this.syncSendBtn();
    }
  }

  async sendImage(url) {
    const c = JSON.stringify({ url, height: 0, width: 0, imageType: 'jpeg', original: 1, size: 0 });
    try {
      const d = await this.send(2, c);
      this.sent(d, 2, c);
      return true;
    } catch (e) {
      if (e.code !== -101) this.ctx.toast(e.message);
      return false;
    }
  }

  recallable(m) {
    return String(m.sender_uid) === this.me && [1, 2].includes(Number(m.msg_type)) && !Number(m.msg_status)
      && now() / 1000 - Number(m.timestamp) < RECALL_WINDOW;
  }

  async recall(shown) {
    const target = String(shown.msg_key);
    const m = this.msgs.get(target) || shown; // a reload may have replaced the object
    try {
      const d = await this.send(5, target);
      m.msg_status = 1;
      if (d?.msg_key != null) {
        this.add({
          sender_uid: this.me, receiver_type: this.type, receiver_id: this.talker, msg_type: 5, content: target,
          msg_seqno: null, timestamp: Math.floor(now() / 1000), at_uids: null, msg_key: String(d.msg_key), msg_status: 0,
          notify_code: '', new_face_version: 1, msg_source: 7,
        });
        this.list.applyLocal(this.type, this.talker, this.msgs.get(String(d.msg_key)));
      }
      this.draw('auto');
    } catch (e) {
      if (e.code !== -101) this.ctx.toast(e.message);
      this.refreshRecall();
    }
  }

  // refreshRecall takes the recall action away from messages past the window.
  refreshRecall() {
    for (const btn of this.listEl.querySelectorAll('.msg-recall')) {
      const m = this.msgs.get(btn.closest('.msg')?.dataset.key || '');
      if (!m || !this.recallable(m)) btn.remove();
    }
  }

  // ----- composer -----

  buildComposer() {
    this.textarea = h('textarea', {
      id: 'composer', class: 'composer-input', placeholder: t('chat.placeholder'), rows: 3, 'aria-label': t('chat.placeholder'),
      oninput: () => this.syncSendBtn(),
      onkeydown: (e) => {
        this.enterSent = false;
        if (e.key === 'Enter' && !e.shiftKey && !e.ctrlKey && !e.altKey && !e.metaKey && !e.isComposing && e.keyCode !== 229) {
          e.preventDefault();
          this.enterSent = true;
          this.sendText();
        }
      },
      // Some keyboards (and automation) still deliver the Enter's character after a
      // cancelled keydown: no line break from the key that sent.
      onbeforeinput: (e) => {
        if (this.enterSent && (e.inputType === 'insertLineBreak' || e.inputType === 'insertParagraph' || (e.inputType === 'insertText' && /^[\r\n]+$/.test(e.data || '')))) e.preventDefault();
      },
      onkeyup: (e) => {
        if (e.key === 'Enter') this.enterSent = false;
      },
    });
    this.sendBtn = h('button', { type: 'button', class: 'btn btn-primary send-btn', id: 'send-btn', disabled: true, onclick: () => this.sendText() }, t('chat.send'));
    const tools = h('div', { class: 'composer-tools' });
    const box = h('div', { class: 'composer', id: 'composer-box' }, tools, this.textarea,
      h('div', { class: 'composer-foot' }, h('span', { class: 'composer-hint' }, t('chat.hint')), this.sendBtn));

    const emojiBtn = h('button', { type: 'button', class: 'tool tool-emoji', id: 'emoji-btn', title: t('chat.emoji'), 'aria-label': t('chat.emoji'), 'aria-haspopup': 'true' });
    let panel = null;
    emojiBtn.addEventListener('click', () => {
      if (panel && isOpen(panel)) return closePopup();
      panel ??= picker((name) => this.insert(name));
      openPopup(panel, box, emojiBtn);
    });

    const imageBtn = h('button', { type: 'button', class: 'tool tool-image', id: 'image-btn', title: t('chat.image'), 'aria-label': t('chat.image'), 'aria-haspopup': 'true' });
    const urlInput = h('input', { id: 'image-url', class: 'image-url', type: 'url', placeholder: t('chat.image.url'), autocomplete: 'off', maxLength: 1000 });
    const go = async () => {
      const url = urlInput.value.trim();
      if (!url) return urlInput.focus();
      sendImg.disabled = true;
      const ok = await this.sendImage(url);
      sendImg.disabled = false;
      if (ok) {
        urlInput.value = '';
        closePopup();
        this.focus();
      }
    };
    const sendImg = h('button', { type: 'button', class: 'btn btn-primary', id: 'image-send', onclick: go }, t('chat.image.send'));
    urlInput.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' && !e.isComposing) {
        e.preventDefault();
        go();
      }
    });
    const imagePanel = h('div', { class: 'popover image-panel', id: 'image-panel' },
      h('div', { class: 'popover-title' }, t('chat.image.title')), h('div', { class: 'image-row' }, urlInput, sendImg));
    imageBtn.addEventListener('click', () => {
      if (isOpen(imagePanel)) return closePopup();
      openPopup(imagePanel, box, imageBtn);
      urlInput.focus();
    });
    tools.append(emojiBtn, imageBtn);
    return box;
  }

  insert(text) {
    const ta = this.textarea;
    const start = ta.selectionStart ?? ta.value.length;
    const end = ta.selectionEnd ?? ta.value.length;
    ta.setRangeText(text, start, end, 'end');
    ta.focus();
    this.syncSendBtn();
  }

  syncSendBtn() {
    if (this.sendBtn) this.sendBtn.disabled = this.sending || !this.textarea.value.trim();
  }

  // ----- drawing -----

  drawTop(text) {
    this.top.textContent = text;
    this.top.classList.toggle('chat-top-link', text === t('chat.more'));
  }

  ordered() {
    return [...this.msgs.values()].sort((a, b) => {
      const pa = a.msg_seqno == null;
      const pb = b.msg_seqno == null;
      if (pa || pb) return pa && pb ? a._n - b._n : pa ? 1 : -1;
      const x = big(a.msg_seqno);
      const y = big(b.msg_seqno);
      return x < y ? -1 : x > y ? 1 : 0;
    });
  }

  // draw lays the history out again. mode: 'bottom' (scroll to the newest), 'prepend'
  // (older messages above: keep what is in view), 'auto' (follow the bottom if there).
  draw(mode = 'auto') {
    if (this.destroyed) return;
    const el = this.scroller;
    const fromBottom = el.scrollHeight - el.scrollTop - el.clientHeight;
    const stick = mode === 'bottom' || (mode === 'auto' && fromBottom < 60);
    const out = [];
    let prev = 0;
    const seen = new Set();
    for (const m of this.ordered()) {
      const type = Number(m.msg_type);
      if (type === 5 || Number(m.msg_status) === 2) continue;
      const ts = Number(m.timestamp) || 0;
      const key = String(m.msg_key);
      if (!prev || ts - prev > DIVIDER_GAP) out.push(this.dividerOf(key, ts));
      prev = ts;
      seen.add(key);
      out.push(this.row(m, key));
    }
    for (const k of [...this.rows.keys()]) if (!seen.has(k)) this.rows.delete(k);
    for (const k of [...this.dividers.keys()]) if (!seen.has(k)) this.dividers.delete(k);
    if (!out.length && this.loaded) out.push(this.emptyEl ??= h('div', { class: 'chat-empty' }, t('chat.empty')));
    syncChildren(this.listEl, out);
    if (this.loaded) this.drawTop(this.loadingOlder ? t('chat.loading') : this.hasMore ? t('chat.more') : out.length > 1 ? t('chat.end') : '');
    if (stick) {
      el.scrollTop = el.scrollHeight;
      this.stuck = true;
    } else if (mode === 'prepend') {
      el.scrollTop = el.scrollHeight - el.clientHeight - fromBottom;
    }
  }

  // dividerOf is the time line above the message key (kept while its text holds).
  dividerOf(key, ts) {
    const text = this.divider(ts);
    const had = this.dividers.get(key);
    if (had && had.textContent === text) return had;
    const el = h('div', { class: 'msg-time', title: fmtFull(ts) }, text);
    this.dividers.set(key, el);
    return el;
  }

  divider(ts) {
    const today = new Date(ts * 1000).toDateString() === new Date(now()).toDateString();
    return today ? fmtTime(ts) : fmtFull(ts);
  }

  senderName(mid) {
    const u = this.ctx.users.peek(mid);
    return u ? u.name : '';
  }

  row(m, key) {
    const status = Number(m.msg_status);
    const sig = String(status);
    const cached = this.rows.get(key);
    if (cached && cached.sig === sig) {
      // The seqno comes with the frame of a message this page sent: the row stays.
      const seqno = m.msg_seqno == null ? '' : String(m.msg_seqno);
      if (cached.el.dataset.seqno !== seqno) cached.el.dataset.seqno = seqno;
      return cached.el;
    }
    const el = this.build(m, key, status);
    this.rows.set(key, { el, sig });
    return el;
  }

  build(m, key, status) {
    const type = Number(m.msg_type);
    const mine = String(m.sender_uid) === this.me;
    const data = { key, seqno: m.msg_seqno == null ? '' : String(m.msg_seqno), type: String(type), sender: String(m.sender_uid) };
    if (status === 1) {
      const name = this.type === 2 && !mine ? (this.senderName(m.sender_uid) || String(m.sender_uid)) : '';
      return h('div', { class: 'msg msg-line msg-recalled', dataset: data }, recallText(m.sender_uid, this.me, name));
    }
    if (isLine(m)) {
      return h('div', { class: 'msg msg-line' + (type === 18 ? ' msg-hint' : '') + (SYSTEM_GROUP.has(type) ? ' msg-group-sys' : ''), dataset: data }, lineBody(m));
    }
    const face = this.face(m.sender_uid);
    const main = h('div', { class: 'msg-main' });
    if (this.type === 2 && !mine) {
      const nameEl = h('div', { class: 'msg-name' }, this.senderName(m.sender_uid) || String(m.sender_uid));
      if (!this.ctx.users.peek(m.sender_uid)) this.ctx.users.get(String(m.sender_uid)).then((u) => { nameEl.textContent = u.name; });
      main.append(nameEl);
    }
    if (isCard(m)) {
      main.append(h('div', { class: 'msg-card', dataset: { cardType: String(type) } }, card(m)));
    } else {
      const pic = type === 2 || type === 6;
      main.append(h('div', { class: 'msg-bubble' + (pic ? ' msg-bubble-pic' : ''), oncontextmenu: (e) => this.bubbleMenu(e, m) }, body(m)));
    }
    if (AUTO_REPLY.has(Number(m.msg_source))) main.append(h('div', { class: 'msg-auto' }, t('msg.auto')));
    main.title = fmtFull(Number(m.timestamp) || 0);
    const row = h('div', { class: 'msg ' + (mine ? 'msg-me' : 'msg-other'), dataset: data }, face, main);
    if (mine && [1, 2].includes(type) && this.recallable(m)) {
      const btn = h('button', { type: 'button', class: 'msg-recall', onclick: () => this.recall(m) }, t('chat.recall'));
      row.append(btn);
      row.addEventListener('mouseenter', () => {
        if (btn.isConnected && !this.recallable(this.msgs.get(key) || m)) btn.remove();
      });
    }
    return row;
  }

  bubbleMenu(e, shown) {
    const m = this.msgs.get(String(shown.msg_key)) || shown;
    const items = [];
    if (Number(m.msg_type) === 1 && navigator.clipboard) {
      items.push({ id: 'copy', label: t('chat.copy'), run: () => navigator.clipboard.writeText(String(content(m).content ?? '')).catch(() => {}) });
    }
    if (this.recallable(m)) items.push({ id: 'recall', label: t('chat.recall'), run: () => this.recall(m) });
    if (!items.length) return;
    e.preventDefault();
    menu(e.clientX, e.clientY, items);
  }

  face(mid) {
    const k = String(mid);
    if (k === this.me) return avatar(this.ctx.me.face, this.ctx.me.name, 'avatar msg-avatar');
    const u = this.ctx.users.peek(k);
    if (u) return avatar(u.face, u.name, 'avatar msg-avatar');
    const holder = avatar('', k, 'avatar msg-avatar');
    this.ctx.users.get(k).then((v) => {
      if (holder.isConnected || holder.parentNode) holder.replaceWith(avatar(v.face, v.name, 'avatar msg-avatar'));
    });
    return holder;
  }
}
