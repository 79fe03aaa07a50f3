// The notification feeds, as message.bilibili.com shows them: 回复我的 (#/reply),
// @我的 (#/at), 收到的赞 (#/love) and 系统通知 (#/system). Each is a list, newest first,
// read a page at a time with the feed's cursor as the list scrolls (docs/feed.md).
// Reading a feed's first page marks it read on the server (its unread count drops to
// 0), so the menu badges are read again after it. A notification frame for the feed
// shown re-reads the first page and merges it in at the top.
import { h, clear, avatar, fmtTime, fmtFull, safeURL } from './dom.js';
import { t, add } from './i18n.js';

add({
  zh: {
    'feed.empty': '暂无消息',
    'feed.end': '没有更多消息了',
    'feed.loading': '加载中…',
    'feed.retry': '加载失败，点击重试',
    'feed.new': '有新消息',
    'feed.reply.comment': '回复了我的评论',
    'feed.reply.on': '评论了我的{what}',
    'feed.at': '在{what}中@了我',
    'feed.like': '赞了我的{what}',
    'feed.like.total': '等总计{n}人',
    'feed.sep': '、',
    'feed.open': '查看详情',
    'feed.sys.source': '系统通知',
    'feed.noun.video': '视频',
    'feed.noun.dynamic': '动态',
    'feed.noun.article': '专栏',
    'feed.noun.album': '相簿',
    'feed.noun.music': '音频',
    'feed.noun.reply': '评论',
    'feed.noun.danmu': '弹幕',
    'feed.noun.live': '直播',
    'feed.noun.other': '内容',
  },
  en: {
    'feed.empty': 'No messages yet',
    'feed.end': 'No more messages',
    'feed.loading': 'Loading…',
    'feed.retry': 'Could not load. Click to retry',
    'feed.new': 'New',
    'feed.reply.comment': 'replied to my comment',
    'feed.reply.on': 'commented on my {what}',
    'feed.at': 'mentioned me in a {what}',
    'feed.like': 'liked my {what}',
    'feed.like.total': 'and {others} more',
    'feed.sep': ', ',
    'feed.open': 'View details',
    'feed.sys.source': 'Notification',
    'feed.noun.video': 'video',
    'feed.noun.dynamic': 'post',
    'feed.noun.article': 'article',
    'feed.noun.album': 'album',
    'feed.noun.music': 'audio',
    'feed.noun.reply': 'comment',
    'feed.noun.danmu': 'danmaku',
    'feed.noun.live': 'live stream',
    'feed.noun.other': 'content',
  },
});

const COMMON = { platform: 'web' };
const SYS_PAGE = 20;

// newer tells whether position a comes before b: a later time, or the larger id within
// the same time.
function newer(a, b) {
  if (a.time !== b.time) return a.time > b.time;
  return a.id > b.id;
}

function big(x) {
  try {
    return BigInt(String(x ?? 0));
  } catch {
    return 0n;
  }
}

// The four feeds: how to ask for a page after a cursor and how to read the answer into
// {items, cursor: {id, time} | null, isEnd}. key() names an item across pages and
// re-reads (a like item is one per liked thing: it moves to the top with a new id).
const FEEDS = {
  reply: {
    path: '/x/msgfeed/reply',
    query: (c) => (c ? { id: String(c.id), reply_time: c.time } : {}),
    page: (d) => msgfeedPage(d || {}, (it) => it.reply_time),
    key: (it) => String(it.id),
    pos: (it) => ({ time: Number(it.reply_time) || 0, id: big(it.id) }),
    draw: replyItem,
  },
  at: {
    path: '/x/msgfeed/at',
    query: (c) => (c ? { id: String(c.id), at_time: c.time } : {}),
    page: (d) => msgfeedPage(d || {}, (it) => it.at_time),
    key: (it) => String(it.id),
    pos: (it) => ({ time: Number(it.at_time) || 0, id: big(it.id) }),
    draw: atItem,
  },
  love: {
    path: '/x/msgfeed/like',
    query: (c) => (c ? { id: String(c.id), like_time: c.time } : {}),
    page: (d) => msgfeedPage(d?.total || {}, (it) => it.like_time),
    key: (it) => `${it.item?.type}:${it.item?.item_id}`,
    pos: (it) => ({ time: Number(it.like_time) || 0, id: big(it.id) }),
    draw: likeItem,
  },
  system: {
    path: '/x/sys-msg/query_notify_list',
    query: (c) => ({ page_size: SYS_PAGE, ...(c ? { cursor: String(c.id) } : {}) }),
    page: (d) => {
      const items = Array.isArray(d) ? d : [];
      const last = items[items.length - 1];
      return { items, cursor: last ? { id: String(last.cursor ?? last.id), time: last.time_at } : null, isEnd: items.length < SYS_PAGE };
    },
    key: (it) => String(it.id),
    pos: (it) => ({ time: String(it.time_at || ''), id: big(it.id) }),
    draw: systemItem,
  },
};

// The live frames name the like feed 'like'; its page is #/love.
const KIND_OF_FEED = { reply: 'reply', at: 'at', like: 'love', system: 'system' };

function msgfeedPage(d, timeOf) {
  const items = Array.isArray(d.items) ? d.items : [];
  const c = d.cursor || {};
  const last = items[items.length - 1];
  return {
    items,
    cursor: last ? { id: String(c.id || last.id), time: Number(c.time || timeOf(last)) || 0 } : null,
    isEnd: c.is_end !== false || items.length === 0,
  };
}

export function mount(ctx) {
  const kind = FEEDS[ctx.kind] ? ctx.kind : 'reply';
  const feed = FEEDS[kind];
  const list = h('ul', { class: 'feed-list' });
  const more = h('div', { class: 'feed-more' });
  const body = h('div', { class: 'feed-body' }, list, more);
  const el = h('section', { class: 'panel feed', id: 'view-feed', dataset: { feed: kind } },
    h('header', { class: 'panel-head' }, t('menu.' + kind)),
    body);

  const state = {
    items: [], // the feed items shown, newest first
    nodes: new Map(), // key -> li
    cursor: null,
    isEnd: false,
    loading: false, // a next page is being read
    failed: false,
    gen: 0, // bumped by a reset: answers of an older generation are dropped
    refreshing: false, // a first-page read is in flight
    again: false, // another first-page read is wanted after it
    alive: true,
  };

  function nodeOf(it) {
    const k = feed.key(it);
    const li = h('li', { class: 'feed-item', dataset: { key: k, id: String(it.id) } }, feed.draw(it));
    state.nodes.set(k, li);
    return li;
  }

  function drawFooter() {
    more.classList.remove('clickable');
    more.onclick = null;
    const busy = state.loading || (state.refreshing && state.items.length === 0);
    let st;
    if (state.failed) {
      st = 'failed';
      more.textContent = t('feed.retry');
      more.classList.add('clickable');
      more.onclick = () => {
        state.failed = false;
        if (state.items.length) loadMore();
        else reload();
      };
    } else if (busy) {
      st = 'loading';
      more.textContent = t('feed.loading');
    } else if (state.items.length === 0) {
      st = 'empty';
      more.replaceChildren(h('div', { class: 'feed-empty' }, h('div', { class: 'feed-empty-img', 'aria-hidden': 'true' }), h('p', null, t('feed.empty'))));
    } else if (state.isEnd) {
      st = 'end';
      more.textContent = t('feed.end');
    } else {
      st = 'more';
      more.textContent = '';
    }
    more.dataset.state = st;
  }

  async function fetchPage(cursor) {
    return feed.page(await ctx.api.get(feed.path, { ...COMMON, ...feed.query(cursor) }));
  }

  // reload reads the first page and shows only it (first view, reset).
  async function reload() {
    const gen = ++state.gen;
    state.items = [];
    state.nodes.clear();
    state.cursor = null;
    state.isEnd = false;
    clear(list);
    await refresh(gen);
  }

  // refresh reads the first page (marking the feed read) and merges it in at the top.
  // One read at a time: a frame arriving meanwhile asks for another one after it.
  async function refresh(gen = state.gen) {
    if (state.refreshing) {
      state.again = true;
      return;
    }
    state.refreshing = true;
    drawFooter();
    let page = null;
    let err = null;
    try {
      page = await fetchPage(null);
    } catch (e) {
      err = e;
    }
    state.refreshing = false;
    if (!state.alive) return;
    if (gen === state.gen) {
      if (page) {
        state.failed = false;
        merge(page);
        ctx.app.refreshFeeds(); // the server marked the feed read: the badge follows
      } else if (err.code !== -101) {
        console.warn('feed', err);
        state.failed = true;
        ctx.toast(err.message);
      }
    }
    drawFooter();
    if (state.again) {
      state.again = false;
      return refresh();
    }
    fill();
  }

  // merge puts a fresh first page at the top: the items it has replace theirs (a like
  // item moves up with new likers), and the older items already shown stay below it.
  function merge(page) {
    const fresh = page.items;
    const keys = new Set(fresh.map(feed.key));
    let rest = [];
    if (page.isEnd) {
      state.cursor = page.cursor; // the first page is the whole feed
      state.isEnd = true;
    } else if (state.items.length && !state.items.some((it) => keys.has(feed.key(it)))) {
      // A whole page of new items: what lies between it and what is shown is unknown,
      // so the list starts again from this page.
      state.cursor = page.cursor;
      state.isEnd = false;
    } else {
      const last = feed.pos(fresh[fresh.length - 1]);
      rest = state.items.filter((it) => !keys.has(feed.key(it)) && newer(last, feed.pos(it)));
      if (!state.cursor || rest.length === 0) {
        state.cursor = page.cursor;
        state.isEnd = page.isEnd;
      }
    }
    const had = new Set(state.items.map(feed.key));
    const first = state.items.length === 0;
    state.items = [...fresh, ...rest];
    const keep = new Set(state.items.map(feed.key));
    for (const k of [...state.nodes.keys()]) if (!keep.has(k)) state.nodes.delete(k);
    const nodes = state.items.map((it) => {
      const k = feed.key(it);
      let li = state.nodes.get(k);
      const moved = li && li.dataset.id !== String(it.id);
      if (!li || moved) li = nodeOf(it); // a like item that moved has new likers: redraw
      if (!first && (!had.has(k) || moved)) li.classList.add('feed-item-new');
      return li;
    });
    list.replaceChildren(...nodes);
  }

  async function loadMore() {
    if (state.loading || state.refreshing || state.isEnd || state.failed || !state.cursor) return;
    const gen = state.gen;
    state.loading = true;
    drawFooter();
    try {
      const page = await fetchPage(state.cursor);
      if (gen !== state.gen || !state.alive) return;
      const have = new Set(state.items.map(feed.key));
      const add = page.items.filter((it) => !have.has(feed.key(it)));
      state.items.push(...add);
      list.append(...add.map(nodeOf));
      if (page.cursor) state.cursor = page.cursor;
      state.isEnd = page.isEnd;
    } catch (e) {
      if (gen !== state.gen || !state.alive) return;
      if (e.code !== -101) {
        state.failed = true;
        ctx.toast(e.message);
      }
    } finally {
      state.loading = false;
      if (state.alive) drawFooter();
    }
    fill();
  }

  // fill reads further pages while the end of the list is in sight (a short page, a
  // tall window); the observer takes over once the list overflows.
  function fill() {
    if (!state.alive || state.isEnd || state.loading || state.refreshing || state.failed) return;
    const b = body.getBoundingClientRect();
    const m = more.getBoundingClientRect();
    if (b.height > 0 && m.top <= b.bottom + 200) loadMore();
  }

  // An observer's entry tells where the footer was when the browser last laid the page
  // out, which may be before the first page arrived and pushed it down: fill() looks
  // again before reading more.
  const io = new IntersectionObserver((entries) => {
    if (entries.some((e) => e.isIntersecting)) fill();
  }, { root: body, rootMargin: '0px 0px 200px 0px' });
  io.observe(more);

  drawFooter();
  reload();

  return {
    el,
    onFrame(f) {
      if (f.type === 'notification' && KIND_OF_FEED[f.data?.feed] === kind) refresh();
    },
    onReset() {
      // The stream lost events (or just connected): re-read the first page and merge
      // it, keeping the pages already read and the scroll position.
      refresh();
    },
    unmount() {
      state.alive = false;
      state.gen++;
      io.disconnect();
    },
  };
}

// --- drawing the items ---------------------------------------------------------------

function noun(item) {
  const k = 'feed.noun.' + String(item.type || '');
  const s = t(k);
  if (s !== k) return s;
  return item.business || t('feed.noun.other');
}

function space(u) {
  return { mid: String(u?.mid ?? ''), name: u?.nickname || String(u?.mid ?? ''), face: u?.avatar || '' };
}

function linkProps(uri) {
  return { class: 'feed-link', href: uri || '', target: '_blank', rel: 'noopener noreferrer' };
}

// richText shows a reply's text with its @-mentions (the users in at_details) in blue,
// as bilibili does. Only text nodes and spans: the text is the commenter's.
function richText(text, atDetails) {
  const s = String(text ?? '');
  const names = [...new Set((atDetails || []).map((u) => String(u?.nickname || '')).filter(Boolean))]
    .sort((a, b) => b.length - a.length)
    .map((n) => n.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  if (!names.length || !s.includes('@')) return [s];
  const re = new RegExp('@(?:' + names.join('|') + ')', 'g');
  const out = [];
  let at = 0;
  for (const m of s.matchAll(re)) {
    if (m.index > at) out.push(s.slice(at, m.index));
    out.push(h('span', { class: 'feed-at' }, m[0]));
    at = m.index + m[0].length;
  }
  if (at < s.length) out.push(s.slice(at));
  return out;
}

// preview is the box on the right: the picture of what it is about, or its text.
function preview(item, text) {
  if (safeURL(item.image)) {
    return h('div', { class: 'feed-preview feed-preview-img' }, h('img', { src: item.image, alt: '', loading: 'lazy', referrerpolicy: 'no-referrer' }));
  }
  const s = String(text || '').trim();
  if (!s) return null;
  return h('div', { class: 'feed-preview feed-preview-text', title: s }, s);
}

function timeEl(sec) {
  return h('time', { class: 'feed-time', title: fmtFull(sec) }, fmtTime(sec));
}

function row({ users, names, action, content, quote, time, uri, side }) {
  const faces = users.slice(0, 2).map((u) => avatar(u.face, u.name, 'avatar feed-avatar'));
  return h('div', { class: 'feed-row' },
    h('div', { class: 'feed-faces' + (faces.length > 1 ? ' multi' : '') }, faces),
    h('a', linkProps(uri),
      h('div', { class: 'feed-main' },
        h('div', { class: 'feed-line' }, names, ' ', h('span', { class: 'feed-action' }, action)),
        content ? h('div', { class: 'feed-content' }, content) : null,
        quote ? h('div', { class: 'feed-quote' }, quote) : null,
        h('div', { class: 'feed-meta' }, time)),
      side));
}

function nameEl(u) {
  return h('span', { class: 'feed-name', title: u.name }, u.name);
}

function replyItem(it) {
  const item = it.item || {};
  const u = space(it.user);
  const toComment = item.target_id && String(item.target_id) !== '0';
  return row({
    users: [u],
    names: nameEl(u),
    action: toComment ? t('feed.reply.comment') : t('feed.reply.on', { what: noun(item) }),
    content: richText(item.source_content, item.at_details),
    time: timeEl(it.reply_time),
    uri: item.uri,
    side: preview(item, item.target_reply_content || item.root_reply_content || item.title || item.desc),
  });
}

function atItem(it) {
  const item = it.item || {};
  const u = space(it.user);
  return row({
    users: [u],
    names: nameEl(u),
    action: t('feed.at', { what: noun(item) }),
    content: richText(item.source_content, item.at_details),
    time: timeEl(it.at_time),
    uri: item.uri,
    side: preview(item, item.title),
  });
}

function likeItem(it) {
  const item = it.item || {};
  const users = (it.users || []).map(space);
  const shown = users.slice(0, 2);
  const n = Number(it.counts) || users.length || 1;
  const names = [];
  shown.forEach((u, i) => {
    if (i) names.push(t('feed.sep'));
    names.push(nameEl(u));
  });
  if (n > shown.length) names.push(' ', h('span', { class: 'feed-total' }, t('feed.like.total', { n, others: n - shown.length })));
  return row({
    users: shown,
    names,
    action: t('feed.like', { what: noun(item) }),
    content: null,
    time: timeEl(it.like_time),
    uri: item.uri,
    side: preview(item, item.title || item.desc),
  });
}

// A system notice's content may carry bilibili's link mark-up, #{text}{"url"}: the text
// becomes a link (through safeURL, like every link).
function sysContent(s) {
  s = String(s ?? '');
  const out = [];
  const re = /#\{([^}]*)\}\{"([^"]*)"\}/g;
  let at = 0;
  for (const m of s.matchAll(re)) {
    if (m.index > at) out.push(s.slice(at, m.index));
    out.push(h('a', { class: 'sys-link', href: m[2], target: '_blank', rel: 'noopener noreferrer' }, m[1]));
    at = m.index + m[0].length;
  }
  if (at < s.length) out.push(s.slice(at));
  return out;
}

function systemItem(it) {
  const when = String(it.time_at || '').replace(/:\d\d$/, '');
  return h('div', { class: 'sys-card' },
    h('div', { class: 'sys-head' },
      h('span', { class: 'sys-title' }, it.title || t('feed.sys.source')),
      h('span', { class: 'sys-time', title: String(it.time_at || '') }, when)),
    h('div', { class: 'sys-content' }, sysContent(it.content)),
    it.card_link ? h('a', { class: 'sys-more', href: it.card_link, target: '_blank', rel: 'noopener noreferrer' }, t('feed.open')) : null);
}
