// The message center: the login page, or the frame (the left menu with its live
// unread badges) around one view at a time, chosen by the URL's hash the way
// message.bilibili.com does: #/whisper (chats; #/whisper/mid123 or
// #/whisper/group456 opens one), #/reply, #/at, #/love, #/system, #/config.
//
// A view is a module exporting mount(ctx) → {el, update(param)?, onFrame(frame)?,
// onReset()?, unmount()?}. ctx: {api, users, live, me, param, app, toast}.
import { api, myMid, onLoggedOut } from './api.js';
import { h, clear, avatar, badge, setBadge, toast, debounce } from './dom.js';
import { t, lang, setLang } from './i18n.js';
import { Live } from './live.js';
import { Users } from './users.js';
import { loginPage } from './login.js';

const MENU = [
  { id: 'whisper', load: () => import('./whisper.js') },
  { id: 'reply', load: () => import('./feed.js') },
  { id: 'at', load: () => import('./feed.js') },
  { id: 'love', load: () => import('./feed.js') },
  { id: 'system', load: () => import('./feed.js') },
  { id: 'config', load: () => import('./settings.js') },
];

class App {
  constructor(root) {
    this.root = root;
    this.users = new Users();
    this.live = new Live();
    this.me = null;
    this.view = null; // {id, param, inst}
    this.counts = { whisper: 0, reply: 0, at: 0, love: 0, system: 0 };
    this.badges = {};
    this.refreshWhisper = debounce(() => this.loadWhisperCounts(), 150);
    this.refreshFeeds = debounce(() => this.loadFeedCounts(), 150);
    onLoggedOut(() => this.loggedOut());
    window.addEventListener('hashchange', () => this.route());
    window.addEventListener('langchange', () => this.redraw());
    this.live.addEventListener('frame', (e) => this.onFrame(e.detail));
    this.live.addEventListener('reset', () => this.onReset());
    this.live.addEventListener('status', (e) => this.showLive(e.detail));
    this.live.addEventListener('loggedout', () => this.loggedOut());
  }

  async boot() {
    document.documentElement.lang = lang() === 'zh' ? 'zh-CN' : 'en';
    document.title = t('app.title');
    const mid = myMid();
    if (!mid) return this.showLogin();
    try {
      this.me = await this.users.get(mid);
      // Is the login alive? (users.get falls back to the mid on any error, so it cannot
      // tell.) A -101 here shows the login page through onLoggedOut. The counts are read
      // again after the stream's hello, below: badges must not predate the stream.
      await api.get('/session_svr/v1/session_svr/single_unread', { unread_type: 0 });
    } catch (e) {
      if (e.code !== -101) this.fatal(e);
      return;
    }
    this.drawFrame();
    // The first reads wait for the stream's hello (up to 2 s): what they read is then
    // at least as new as the stream's start, nothing falls between the two, and the
    // hello's reset needs no second read. A stream that does not come in time resets
    // the page when it does.
    this.ready = false;
    this.live.start();
    await this.live.hello(2000);
    this.ready = true;
    this.loadWhisperCounts();
    this.loadFeedCounts();
    this.route();
  }

  showLogin() {
    this.live.stop();
    this.me = null;
    this.view = null;
    this.root.removeAttribute('aria-busy');
    clear(this.root).append(loginPage(() => this.boot()));
    document.body.dataset.page = 'login';
  }

  loggedOut() {
    if (document.body.dataset.page !== 'login') this.showLogin();
  }

  fatal(e) {
    clear(this.root).append(h('div', { class: 'fatal' },
      h('p', null, t('app.error', { message: e.message })),
      h('button', { class: 'btn', onclick: () => location.reload() }, t('app.retry'))));
  }

  drawFrame() {
    document.body.dataset.page = 'app';
    this.root.removeAttribute('aria-busy');
    const items = MENU.map((m) => {
      const b = badge(this.counts[m.id] || 0, 'badge menu-badge');
      this.badges[m.id] = b;
      return h('li', null, h('a', { class: 'menu-item', href: '#/' + m.id, dataset: { menu: m.id } },
        h('span', { class: 'menu-label' }, t('menu.' + m.id)), m.id === 'config' ? null : b));
    });
    this.liveEl = h('span', { class: 'live-dot', title: t(this.live.connected ? 'app.live.on' : 'app.live.off') });
    const side = h('nav', { class: 'side', 'aria-label': t('app.title') },
      h('div', { class: 'side-title' }, h('span', { class: 'side-title-icon', 'aria-hidden': 'true' }), t('app.title'), this.liveEl),
      h('ul', { class: 'menu' }, items),
      h('div', { class: 'side-foot' },
        h('div', { class: 'me' }, avatar(this.me.face, this.me.name, 'avatar avatar-sm'), h('span', { class: 'me-name', title: this.me.name }, this.me.name)),
        h('div', { class: 'side-actions' },
          h('button', { class: 'link-btn', id: 'lang-switch', onclick: () => setLang(lang() === 'zh' ? 'en' : 'zh') }, t('app.lang')),
          h('button', { class: 'link-btn', id: 'logout', onclick: () => this.logout() }, t('app.logout')))));
    this.main = h('main', { class: 'main' });
    clear(this.root).append(h('div', { class: 'shell' }, side, this.main));
  }

  redraw() {
    document.title = t('app.title');
    if (!this.me) return this.showLogin();
    const current = this.view;
    this.drawFrame();
    this.view = null;
    if (current?.inst?.unmount) current.inst.unmount();
    this.route();
  }

  showLive(on) {
    if (this.liveEl) this.liveEl.title = t(on ? 'app.live.on' : 'app.live.off');
  }

  async logout() {
    try {
      await api.post('/bilimsg/v1/logout');
    } catch (e) {
      if (e.code !== -101) return toast(e.message);
    }
    location.hash = '';
    this.showLogin();
  }

  parseHash() {
    const parts = location.hash.replace(/^#\/?/, '').split('/');
    const id = MENU.some((m) => m.id === parts[0]) ? parts[0] : 'whisper';
    return { id, param: parts.slice(1).join('/') };
  }

  async route() {
    if (!this.me) return;
    const { id, param } = this.parseHash();
    for (const a of this.root.querySelectorAll('.menu-item')) a.classList.toggle('active', a.dataset.menu === id);
    if (this.view && this.view.id === id) {
      if (this.view.param !== param) {
        this.view.param = param;
        this.view.inst?.update?.(param);
      }
      return;
    }
    if (this.view?.inst?.unmount) this.view.inst.unmount();
    const token = {};
    this.view = { id, param, inst: null, token };
    clear(this.main).append(h('div', { class: 'loading' }, t('app.loading')));
    try {
      const mod = await MENU.find((m) => m.id === id).load();
      if (this.view?.token !== token) return; // navigated away meanwhile
      const inst = mod.mount({ api, users: this.users, live: this.live, me: this.me, param, kind: id, app: this, toast });
      this.view.inst = inst;
      clear(this.main).append(inst.el);
    } catch (e) {
      console.error(e);
      this.fatal(e);
    }
  }

  navigate(hash) {
    if (location.hash !== hash) location.hash = hash;
  }

  onFrame(f) {
    if (f.type === 'message' || f.type === 'session') this.refreshWhisper();
    if (f.type === 'notification') this.refreshFeeds();
    this.view?.inst?.onFrame?.(f);
  }

  onReset() {
    if (!this.ready) return; // boot reads everything after the first hello
    this.refreshWhisper();
    this.refreshFeeds();
    this.view?.inst?.onReset?.();
  }

  // The 我的消息 badge is bilibili's: unread chats with followed and unfollowed users
  // plus fan groups; intercepted (dustbin) messages are not counted.
  async loadWhisperCounts() {
    try {
      const [single, group] = await Promise.all([
        api.get('/session_svr/v1/session_svr/single_unread', { unread_type: 0, show_unfollow_list: 1, show_dustbin: 1 }),
        api.get('/session_svr/v1/session_svr/my_group_unread'),
      ]);
      this.setCount('whisper', single.follow_unread + single.unfollow_unread + (group.unread_count || 0));
      this.single = single;
      window.dispatchEvent(new CustomEvent('unread', { detail: single }));
    } catch (e) {
      if (e.code !== -101) console.warn('unread', e);
    }
  }

  async loadFeedCounts() {
    try {
      const u = await api.get('/x/msgfeed/unread');
      this.setCount('reply', u.reply);
      this.setCount('at', u.at);
      this.setCount('love', u.like);
      this.setCount('system', u.sys_msg);
    } catch (e) {
      if (e.code !== -101) console.warn('feed unread', e);
    }
  }

  setCount(id, n) {
    this.counts[id] = Number(n) || 0;
    if (this.badges[id]) setBadge(this.badges[id], this.counts[id]);
  }
}

new App(document.getElementById('app')).boot();
