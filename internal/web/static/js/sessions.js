// The session list of 我的消息 (message.bilibili.com's left column): sessions of
// get_sessions, newest first with the pinned ones on top, paged as the list scrolls;
// unfollowed users and fan groups folded into one entry each when the user's
// settings fold them (收起未关注人消息, is_group_fold), and the dustbin (被拦截的消息).
// Live frames move, create, update and remove sessions.
import { api } from './api.js';
import { h, avatar, fmtTime, fmtFull, badge, setBadge, debounce } from './dom.js';
import { t, add } from './i18n.js';
import { preview, isSystemTalker, AUTO_REPLY } from './messages.js';
import { menu } from './popup.js';

add({
  zh: {
    'wl.recent': '近期消息',
    'wl.empty': '暂无消息',
    'wl.empty.sub': '暂无会话',
    'wl.loading': '加载中…',
    'wl.nomore': '没有更多了',
    'wl.retry': '加载失败，点击重试',
    'wl.back': '返回',
    'wl.fold.unfollow': '未关注人消息',
    'wl.fold.group': '应援团消息',
    'wl.fold.dustbin': '被拦截的消息',
    'wl.group': '应援团',
    'wl.official': '官方',
    'wl.pinned': '置顶',
    'wl.more': '更多操作',
    'wl.top': '置顶',
    'wl.untop': '取消置顶',
    'wl.dnd': '消息免打扰',
    'wl.undnd': '取消免打扰',
    'wl.trust': '移出拦截',
    'wl.remove': '删除',
    'wl.dnd.on': '已开启免打扰',
  },
  en: {
    'wl.recent': 'Recent chats',
    'wl.empty': 'No messages yet',
    'wl.empty.sub': 'No chats',
    'wl.loading': 'Loading…',
    'wl.nomore': 'No more',
    'wl.retry': 'Could not load — click to retry',
    'wl.back': 'Back',
    'wl.fold.unfollow': 'People I don\'t follow',
    'wl.fold.group': 'Fan groups',
    'wl.fold.dustbin': 'Intercepted messages',
    'wl.group': 'Fan group',
    'wl.official': 'Official',
    'wl.pinned': 'Pinned',
    'wl.more': 'More',
    'wl.top': 'Pin',
    'wl.untop': 'Unpin',
    'wl.dnd': 'Mute',
    'wl.undnd': 'Unmute',
    'wl.trust': 'Not spam',
    'wl.remove': 'Delete',
    'wl.dnd.on': 'Muted',
  },
});

const CATEGORY = { main: 1, unfollow: 2, group: 3, dustbin: 5 };
const PAGE = 20;

export const keyOf = (type, talker) => `${Number(type)}:${String(talker)}`;
export const hashOf = (type, talker) => `#/whisper/${Number(type) === 2 ? 'group' : 'mid'}${talker}`;

// syncChildren makes parent's children exactly els, moving only what changed (nodes
// that stay are not taken out: no flicker, no lost hover or focus).
export function syncChildren(parent, els) {
  let i = 0;
  for (const el of els) {
    const cur = parent.children[i];
    if (cur !== el) parent.insertBefore(el, cur || null);
    i++;
  }
  while (parent.children.length > els.length) parent.lastElementChild.remove();
}

// setText changes an element's text (and title) only when it differs.
function setText(el, text, title) {
  if (el.textContent !== text) el.textContent = text;
  if (title !== undefined && el.title !== title) el.title = title;
}

const big = (v) => {
  try {
    return BigInt(String(v ?? 0));
  } catch {
    return 0n;
  }
};

export class SessionList {
  // opts: {activeKey() → key or '', isRead(key) → the chat is open and reading it}
  constructor(ctx, opts) {
    this.ctx = ctx;
    this.me = String(ctx.me.mid);
    this.opts = opts;
    this.view = 'main';
    this.items = new Map(); // key → session object
    this.nodes = new Map(); // key → {el, sig}
    this.foldNodes = new Map(); // fold name → {el, sig}
    this.versions = new Map(); // key → frames seen (to drop stale session_detail answers)
    this.asked = new Set(); // mids whose names were requested
    this.gen = 0;
    this.loading = false;
    this.failed = false;
    this.hasMore = false;
    this.endTs = 0;
    this.folds = { unfollow: false, group: false };
    this.foldInfo = {}; // name → {s, unread}
    this.unread = ctx.app?.single || null;
    this.groupUnread = 0;
    this.drawQueued = false;

    this.title = h('div', { class: 'wl-side-title' });
    this.foldBox = h('div', { class: 'wl-folds' });
    this.box = h('div', { class: 'wl-items', role: 'list' });
    this.foot = h('div', { class: 'wl-foot' });
    this.scroller = h('div', { class: 'wl-list', id: 'session-list' }, this.foldBox, this.box, this.foot);
    this.el = h('aside', { class: 'wl-side' }, this.title, this.scroller);
    this.scroller.addEventListener('scroll', () => this.nearEnd() && this.load());
    this.foot.addEventListener('click', () => this.failed && this.load());

    this.onUnread = (e) => {
      this.unread = e.detail;
      this.queueDraw();
    };
    window.addEventListener('unread', this.onUnread);
    this.refreshFolds = debounce(() => this.loadFolds(), 200);
    this.drawTitle();
  }

  async start() {
    try {
      const s = await this.ctx.api.get('/link_setting/v1/link_setting/get', { show_unfollowed_msg: 1 });
      this.folds = { unfollow: Number(s.show_unfollowed_msg) === 1, group: Number(s.is_group_fold) === 1 };
    } catch (e) {
      if (e.code === -101) return;
    }
    this.reload();
  }

  destroy() {
    this.gen++;
    window.removeEventListener('unread', this.onUnread);
  }

  setView(view) {
    this.view = view;
    this.drawTitle();
    this.items.clear();
    this.foldInfo = {};
    this.scroller.scrollTop = 0;
    this.reload();
  }

  // reload reads the list again from its first page; what is shown stays until the
  // answer replaces it (no blank list after a reconnection).
  reload() {
    this.gen++;
    this.loading = false;
    this.hasMore = false;
    this.failed = false;
    this.endTs = 0;
    this.load();
    if (this.view === 'main') this.loadFolds();
    this.queueDraw();
  }

  drawTitle() {
    if (this.view === 'main') {
      this.title.replaceChildren(h('span', null, t('wl.recent')));
    } else {
      this.title.replaceChildren(
        h('button', { type: 'button', class: 'wl-back', id: 'session-back', title: t('wl.back'), 'aria-label': t('wl.back'), onclick: () => this.setView('main') }),
        h('span', null, t('wl.fold.' + this.view)));
    }
  }

  nearEnd() {
    const el = this.scroller;
    return el.scrollTop + el.clientHeight >= el.scrollHeight - 120;
  }

  // load reads the next page of the current category.
  async load() {
    if (this.loading || (this.endTs && !this.hasMore)) return;
    const gen = this.gen;
    this.loading = true;
    this.failed = false;
    this.queueDraw();
    const q = { session_type: CATEGORY[this.view], size: PAGE, sort_rule: 2 };
    if (this.view === 'main') {
      q.unfollow_fold = this.folds.unfollow ? 1 : 0;
      q.group_fold = this.folds.group ? 1 : 0;
    }
    if (this.endTs) q.end_ts = this.endTs;
    let page;
    try {
      page = await this.ctx.api.get('/session_svr/v1/session_svr/get_sessions', q);
    } catch (e) {
      if (gen !== this.gen) return;
      this.loading = false;
      this.failed = true;
      this.queueDraw();
      if (e.code !== -101) this.ctx.toast(e.message);
      return;
    }
    if (gen !== this.gen) return;
    const list = page.session_list || [];
    if (!q.end_ts) {
      // A first page replaces the list, except sessions that moved after it was read.
      const newest = list.length ? Number(list[0].session_ts) || 0 : 0;
      for (const [k, x] of this.items) if (!(Number(x.session_ts) > newest && this.categoryOf(x) === this.view)) this.items.delete(k);
    }
    for (const s of list) {
      this.learn(s);
      const k = keyOf(s.session_type, s.talker_id);
      if (!this.items.has(k)) this.items.set(k, s);
    }
    if (list.length) this.endTs = list[list.length - 1].session_ts;
    else this.endTs = this.endTs || 1;
    this.hasMore = Number(page.has_more) === 1 && list.length > 0;
    this.loading = false;
    this.draw();
    // A page that does not fill the list: read the next one at once.
    if (this.hasMore && this.scroller.scrollHeight <= this.scroller.clientHeight + 120) this.load();
  }

  // learn keeps the names of system accounts (account_info) for the chat and avatars.
  learn(s) {
    if (s.account_info && Number(s.session_type) === 1) {
      this.ctx.users.put(String(s.talker_id), String(s.account_info.name ?? ''), String(s.account_info.pic_url ?? ''));
    }
  }

  categoryOf(s) {
    if (Number(s.is_intercept) === 1) return 'dustbin';
    if (Number(s.session_type) === 2) return this.folds.group ? 'group' : 'main';
    if (Number(s.is_follow) !== 1 && !Number(s.system_msg_type) && !isSystemTalker(s.talker_id)) return this.folds.unfollow ? 'unfollow' : 'main';
    return 'main';
  }

  async loadFolds() {
    if (this.view !== 'main') return;
    const gen = this.gen;
    const get = (cat) => this.ctx.api.get('/session_svr/v1/session_svr/get_sessions', { session_type: cat, size: 1, sort_rule: 2 })
      .then((d) => (d.session_list || [])[0] || null).catch(() => null);
    const jobs = {
      unfollow: this.folds.unfollow ? get(2) : null,
      group: this.folds.group ? get(3) : null,
      dustbin: get(5),
      groupUnread: this.folds.group ? this.ctx.api.get('/session_svr/v1/session_svr/my_group_unread').catch(() => null) : null,
    };
    const [unfollow, group, dustbin, gu] = await Promise.all([jobs.unfollow, jobs.group, jobs.dustbin, jobs.groupUnread]);
    if (gen !== this.gen) return;
    this.foldInfo = { unfollow, group, dustbin };
    for (const s of [unfollow, group, dustbin]) if (s) this.learn(s);
    if (gu) this.groupUnread = Number(gu.unread_count) || 0;
    this.queueDraw();
  }

  // ----- live updates -----

  touch(key) {
    this.versions.set(key, (this.versions.get(key) || 0) + 1);
  }

  maxTs() {
    let m = 0;
    for (const s of this.items.values()) m = Math.max(m, Number(s.session_ts) || 0);
    return m;
  }

  onFrame(f) {
    const d = f.data;
    if (!d || d.talker_id == null) return;
    const key = keyOf(d.session_type, d.talker_id);
    if (f.type === 'message' && d.message) this.onMessage(key, d);
    else if (f.type === 'session') this.onSession(key, d);
  }

  onMessage(key, d) {
    this.touch(key);
    const m = d.message;
    const s = this.items.get(key);
    if (!s) {
      this.fetchDetail(key);
      return;
    }
    this.applyMessage(s, m);
    if (d.is_intercept != null) s.is_intercept = Number(d.is_intercept);
    if (d.unread_count != null) s.unread_count = Number(d.unread_count);
    else if (Number(d.session_type) === 2) this.fetchDetail(key); // fan groups: the client counts; read it
    if (this.opts.isRead(key)) s.unread_count = 0;
    this.recheck(key, s);
  }

  // applyLocal shows a message sent from this page at once (the frame may come later).
  applyLocal(type, talker, m) {
    const key = keyOf(type, talker);
    const s = this.items.get(key);
    if (!s) {
      this.fetchDetail(key);
      return;
    }
    this.applyMessage(s, m);
    this.queueDraw();
  }

  applyMessage(s, m) {
    const cur = s.last_msg;
    const newer = !cur || m.msg_seqno == null || cur.msg_seqno == null || big(m.msg_seqno) >= big(cur.msg_seqno);
    if (newer) {
      s.last_msg = m;
      if (m.msg_seqno != null) s.max_seqno = m.msg_seqno;
      s.session_ts = Math.max(Number(s.session_ts) || 0, Number(m.timestamp) * 1e6 || 0, this.maxTs() + 1);
    }
  }

  onSession(key, d) {
    this.touch(key);
    const s = this.items.get(key);
    if (!s) {
      if (!Number(d.removed)) this.fetchDetail(key);
      else if (this.view === 'main') this.refreshFolds();
      return;
    }
    if (Number(d.removed)) {
      this.items.delete(key);
      this.queueDraw();
      if (this.view === 'main') this.refreshFolds();
      return;
    }
    s.unread_count = Number(d.unread_count) || 0;
    s.ack_seqno = d.ack_seqno;
    s.top_ts = Number(d.top_ts) || 0;
    s.is_dnd = Number(d.is_dnd) || 0;
    s.is_intercept = Number(d.is_intercept) || 0;
    if (s.at_seqno && big(s.at_seqno) <= big(d.ack_seqno)) s.at_seqno = 0;
    this.recheck(key, s);
  }

  // recheck moves a session out of the list when it no longer belongs (intercepted,
  // trusted) and redraws.
  recheck(key, s) {
    if (this.categoryOf(s) !== this.view) {
      this.items.delete(key);
      if (this.view === 'main') this.refreshFolds();
    }
    this.queueDraw();
  }

  // fetchDetail reads one session (unknown to the list, or a fan group's count) and
  // puts it where it belongs.
  async fetchDetail(key) {
    const gen = this.gen;
    const v = this.versions.get(key) || 0;
    const [type, talker] = key.split(':');
    let s;
    try {
      s = await this.ctx.api.get('/session_svr/v1/session_svr/session_detail', { talker_id: talker, session_type: type });
    } catch {
      return;
    }
    if (gen !== this.gen || !s) return;
    if ((this.versions.get(key) || 0) !== v) return; // a newer frame asked again
    this.learn(s);
    if (this.opts.isRead(key)) s.unread_count = 0;
    const cur = this.items.get(key);
    if (this.categoryOf(s) !== this.view) {
      if (cur) this.items.delete(key);
      if (this.view === 'main') this.refreshFolds();
      this.queueDraw();
      return;
    }
    if (cur) {
      Object.assign(cur, s);
    } else {
      // Only inside what is loaded: an older session comes with its page.
      let oldest = Infinity;
      for (const x of this.items.values()) oldest = Math.min(oldest, Number(x.session_ts) || 0);
      if (this.hasMore && Number(s.session_ts) < oldest) return;
      this.items.set(key, s);
    }
    this.queueDraw();
  }

  // ----- actions -----

  async act(s, what) {
    const api = this.ctx.api;
    const type = Number(s.session_type);
    const talker = String(s.talker_id);
    const key = keyOf(type, talker);
    try {
      if (what === 'top' || what === 'untop') {
        await api.post('/session_svr/v1/session_svr/set_top', { talker_id: talker, session_type: type, op_type: what === 'top' ? 0 : 1 });
        s.top_ts = what === 'top' ? Date.now() * 1000 : 0;
      } else if (what === 'dnd' || what === 'undnd') {
        const q = { uid: this.me, setting: what === 'dnd' ? 1 : 0 };
        if (type === 2) q.dnd_group_id = talker;
        else q.dnd_uid = talker;
        await api.post('/link_setting/v1/link_setting/set_msg_dnd', q);
        s.is_dnd = what === 'dnd' ? 1 : 0;
      } else if (what === 'trust') {
        await api.post('/session_svr/v1/session_svr/update_intercept', { talker_id: talker, status: 0 });
        s.is_intercept = 0;
        this.recheck(key, s);
      } else if (what === 'remove') {
        await api.post('/session_svr/v1/session_svr/remove_session', { talker_id: talker, session_type: type });
        this.items.delete(key);
        if (this.opts.activeKey() === key) this.ctx.app.navigate('#/whisper');
      }
    } catch (e) {
      if (e.code !== -101) this.ctx.toast(e.message);
      return;
    }
    this.queueDraw();
  }

  showMenu(s, x, y, anchor) {
    const items = [
      Number(s.top_ts) ? { id: 'untop', label: t('wl.untop'), run: () => this.act(s, 'untop') } : { id: 'top', label: t('wl.top'), run: () => this.act(s, 'top') },
      Number(s.is_dnd) ? { id: 'undnd', label: t('wl.undnd'), run: () => this.act(s, 'undnd') } : { id: 'dnd', label: t('wl.dnd'), run: () => this.act(s, 'dnd') },
    ];
    if (Number(s.is_intercept) === 1 && Number(s.session_type) === 1) items.push({ id: 'trust', label: t('wl.trust'), run: () => this.act(s, 'trust') });
    items.push({ id: 'remove', label: t('wl.remove'), danger: true, run: () => this.act(s, 'remove') });
    menu(x, y, items, anchor);
  }

  // ----- drawing -----

  queueDraw() {
    if (this.drawQueued) return;
    this.drawQueued = true;
    queueMicrotask(() => {
      this.drawQueued = false;
      this.draw();
    });
  }

  nameOf(mid) {
    const u = this.ctx.users.peek(mid);
    if (u) return u.name;
    const k = String(mid);
    if (!this.asked.has(k)) {
      this.asked.add(k);
      this.ctx.users.get(k).then(() => this.queueDraw());
    }
    return '';
  }

  who(s) {
    const talker = String(s.talker_id);
    if (Number(s.session_type) === 2) return { name: String(s.group_name || t('wl.group')), face: s.group_cover };
    if (s.account_info) return { name: String(s.account_info.name ?? ''), face: s.account_info.pic_url };
    const u = this.ctx.users.peek(talker);
    if (u) return { name: u.name, face: u.face };
    this.nameOf(talker);
    return { name: talker, face: '' };
  }

  previewOf(s) {
    const group = Number(s.session_type) === 2;
    return preview(s.last_msg, { me: this.me, group, name: (mid) => this.nameOf(mid) });
  }

  sorted() {
    return [...this.items.values()].sort((a, b) => {
      const ta = Number(a.top_ts) || 0;
      const tb = Number(b.top_ts) || 0;
      if (!!ta !== !!tb) return ta ? -1 : 1;
      if (ta !== tb) return tb - ta;
      return (Number(b.session_ts) || 0) - (Number(a.session_ts) || 0);
    });
  }

  draw() {
    const active = this.opts.activeKey();
    const seen = new Set();
    const els = [];
    for (const s of this.sorted()) {
      const key = keyOf(s.session_type, s.talker_id);
      seen.add(key);
      els.push(this.item(s, key, key === active));
    }
    for (const k of [...this.nodes.keys()]) if (!seen.has(k)) this.nodes.delete(k);
    syncChildren(this.box, els);
    syncChildren(this.foldBox, this.view === 'main' ? this.foldEntries() : []);
    let foot = '';
    if (this.loading) foot = t('wl.loading');
    else if (this.failed) foot = t('wl.retry');
    else if (!els.length && !this.foldBox.childElementCount) foot = this.view === 'main' ? t('wl.empty') : t('wl.empty.sub');
    else if (!this.hasMore && els.length > PAGE) foot = t('wl.nomore');
    this.foot.textContent = foot;
    this.foot.className = 'wl-foot' + (!els.length && !this.loading && !this.failed && !this.foldBox.childElementCount ? ' wl-empty' : '') + (this.failed ? ' wl-failed' : '');
  }

  item(s, key, active) {
    const { name, face } = this.who(s);
    const last = s.last_msg;
    const ts = last?.timestamp ? Number(last.timestamp) : Math.floor((Number(s.session_ts) || 0) / 1e6);
    const unread = Number(s.unread_count) || 0;
    const dnd = Number(s.is_dnd) === 1;
    const pinned = Number(s.top_ts) > 0;
    const at = Number(s.session_type) === 2 && big(s.at_seqno) > big(s.ack_seqno) && big(s.at_seqno) > 0n;
    const node = this.nodes.get(key) || this.itemShell(s, key);
    // The item's elements stay; only their text and state change (no flicker, and a
    // click or hover in progress is not lost).
    node.el.className = 'session' + (active ? ' active' : '') + (pinned ? ' pinned' : '') + (dnd ? ' dnd' : '');
    node.el.dataset.unread = String(unread);
    node.el.title = pinned ? t('wl.pinned') : '';
    node.face(face, name);
    setText(node.name, name, name);
    node.official.hidden = !(Number(s.system_msg_type) > 0);
    setText(node.time, fmtTime(ts), ts ? fmtFull(ts) : '');
    const text = this.previewOf(s);
    node.at.hidden = !at;
    setText(node.text, text);
    node.preview.title = text;
    node.dot.hidden = !(dnd && unread > 0);
    setBadge(node.badge, dnd ? 0 : unread);
    node.dnd.hidden = !dnd;
    return node.el;
  }

  itemShell(s, key) {
    const cur = () => this.items.get(key) || s; // the list may hold a newer object for it
    const open = () => this.ctx.app.navigate(hashOf(s.session_type, s.talker_id));
    const node = {
      pic: h('div', { class: 'session-avatar' }),
      name: h('span', { class: 'session-name' }),
      official: h('span', { class: 'session-tag', hidden: true }, t('wl.official')),
      time: h('span', { class: 'session-time' }),
      at: h('span', { class: 'session-at', hidden: true }, t('msg.at')),
      text: h('span', { class: 'session-text' }),
      dot: h('span', { class: 'session-dot', title: t('wl.dnd.on'), hidden: true }),
      badge: badge(0, 'badge session-badge'),
      dnd: h('span', { class: 'session-dnd', title: t('wl.dnd.on'), 'aria-label': t('wl.dnd.on'), hidden: true }),
    };
    node.preview = h('span', { class: 'session-preview' }, node.at, node.text);
    let faceSig = null;
    let faceEl = null;
    node.face = (face, name) => {
      const sig = `${face}\u0001${name}`;
      if (sig === faceSig) return;
      faceSig = sig;
      const el = avatar(face, name, 'avatar');
      if (faceEl?.isConnected) faceEl.replaceWith(el);
      else node.pic.prepend(el);
      faceEl = el;
    };
    node.pic.append(node.dot, node.badge);
    const more = h('button', {
      type: 'button', class: 'session-more', title: t('wl.more'), 'aria-label': t('wl.more'), 'aria-haspopup': 'menu',
      onclick: (e) => {
        e.stopPropagation();
        const r = e.currentTarget.getBoundingClientRect();
        this.showMenu(cur(), r.left, r.bottom + 2, e.currentTarget);
      },
    });
    node.el = h('div', {
      class: 'session', role: 'listitem', tabIndex: 0,
      dataset: { key, talker: String(s.talker_id), type: String(s.session_type) },
      onclick: (e) => {
        if (!e.target.closest('.session-more')) open();
      },
      onkeydown: (e) => {
        if (e.key === 'Enter' && e.target === node.el) open();
      },
      oncontextmenu: (e) => {
        e.preventDefault();
        this.showMenu(cur(), e.clientX, e.clientY);
      },
    },
    node.pic,
    h('div', { class: 'session-main' },
      h('div', { class: 'session-row' }, node.name, node.official,
        Number(s.session_type) === 2 ? h('span', { class: 'session-tag session-tag-group' }, t('wl.group')) : null,
        node.time),
      h('div', { class: 'session-row' }, node.preview, node.dnd)),
    more);
    this.nodes.set(key, node);
    return node;
  }

  foldEntries() {
    const out = [];
    const single = this.unread || {};
    const entries = [
      ['group', this.folds.group, this.groupUnread],
      ['unfollow', this.folds.unfollow, Number(single.unfollow_unread) || 0],
      ['dustbin', true, Number(single.dustbin_unread) || 0],
    ];
    for (const [name, on, unread] of entries) {
      const s = on && this.foldInfo[name];
      if (!s) continue;
      const last = s.last_msg;
      const ts = last?.timestamp ? Number(last.timestamp) : Math.floor((Number(s.session_ts) || 0) / 1e6);
      const line = `${this.who(s).name}：${this.previewOf(s)}`;
      let node = this.foldNodes.get(name);
      if (!node) {
        node = {
          time: h('span', { class: 'session-time' }),
          preview: h('span', { class: 'session-preview' }),
          // The dustbin is not counted in the badges (bilibili's): a grey dot.
          badge: name === 'dustbin' ? h('span', { class: 'session-dot', hidden: true }) : badge(0, 'badge session-badge'),
        };
        node.el = h('div', {
          class: 'session session-fold', role: 'listitem', tabIndex: 0, dataset: { fold: name },
          onclick: () => this.setView(name),
          onkeydown: (e) => e.key === 'Enter' && this.setView(name),
        },
        h('div', { class: 'session-avatar' }, h('span', { class: `avatar fold-icon fold-${name}`, 'aria-hidden': 'true' }), node.badge),
        h('div', { class: 'session-main' },
          h('div', { class: 'session-row' }, h('span', { class: 'session-name' }, t('wl.fold.' + name)), node.time),
          h('div', { class: 'session-row' }, node.preview)),
        h('span', { class: 'session-arrow', 'aria-hidden': 'true' }));
        this.foldNodes.set(name, node);
      }
      node.el.dataset.unread = String(unread);
      setText(node.time, fmtTime(ts));
      setText(node.preview, line, line);
      if (name === 'dustbin') node.badge.hidden = unread <= 0;
      else setBadge(node.badge, unread);
      out.push(node.el);
    }
    return out;
  }
}
