// Messages as bilibili's message center shows them: the one-line preview of the
// session list, and the body of a message in the chat (text with emoji, images, the
// cards of pushes and shares, system lines). Every field of a content object is user
// content: it reaches the page as text nodes and checked URLs only (dom.js's rule).
import { parseJSON } from './api.js';
import { h } from './dom.js';
import { t, add, lang } from './i18n.js';
import { renderText } from './emoji.js';

add({
  zh: {
    'msg.image': '[图片]',
    'msg.emote': '[表情]',
    'msg.share': '[分享]',
    'msg.video': '[视频]',
    'msg.article': '[专栏]',
    'msg.mini': '[小程序]',
    'msg.notice': '[通知]',
    'msg.works': '[作品]',
    'msg.unsupported': '[当前版本暂不支持查看此消息]',
    'msg.recall.me': '你撤回了一条消息',
    'msg.recall.other': '对方撤回了一条消息',
    'msg.recall.name': '{name}撤回了一条消息',
    'msg.auto': '此条消息为自动回复',
    'msg.detail': '查看详情',
    'msg.at': '[有人@我]',
    'msg.views': '{n}播放',
    'msg.danmaku': '{n}弹幕',
    'msg.reads': '{n}阅读',
    'msg.likes': '{n}点赞',
    'msg.up': 'UP主：{name}',
    'msg.icon.play': '{n}播放',
    'msg.icon.danmaku': '{n}弹幕',
    'msg.icon.fav': '{n}收藏',
  },
  en: {
    'msg.image': '[Image]',
    'msg.emote': '[Sticker]',
    'msg.share': '[Share]',
    'msg.video': '[Video]',
    'msg.article': '[Article]',
    'msg.mini': '[Mini program]',
    'msg.notice': '[Notice]',
    'msg.works': '[Works]',
    'msg.unsupported': '[This message cannot be shown in this version]',
    'msg.recall.me': 'You recalled a message',
    'msg.recall.other': 'The other side recalled a message',
    'msg.recall.name': '{name} recalled a message',
    'msg.auto': 'This is an automatic reply',
    'msg.detail': 'Details',
    'msg.at': '[Mentioned]',
    'msg.views': '{n} views',
    'msg.danmaku': '{n} danmaku',
    'msg.reads': '{n} reads',
    'msg.likes': '{n} likes',
    'msg.up': 'By {name}',
    'msg.icon.play': '{n} plays',
    'msg.icon.danmaku': '{n} danmaku',
    'msg.icon.fav': '{n} favourites',
  },
});

// Kinds of message types.
export const SYSTEM_GROUP = new Set([301, 302, 303, 304, 305, 306]);
export const AUTO_REPLY = new Set([8, 9, 10, 11]);

// The talker ids of bilibili's system accounts (UP主小助手 and the others).
export function isSystemTalker(id) {
  const s = String(id);
  return s === '844424930131964' || s === '844424930131965' || s === '844424930131966' || s === '844424930131967';
}

// content parses a message's content (a JSON text, numbers beyond 2^53 kept as strings);
// {} when it is not an object.
export function content(msg) {
  if (msg._c !== undefined) return msg._c;
  let c = {};
  try {
    const v = parseJSON(String(msg.content ?? ''));
    if (v && typeof v === 'object' && !Array.isArray(v)) c = v;
  } catch { /* not JSON */ }
  Object.defineProperty(msg, '_c', { value: c, enumerable: false, writable: true });
  return c;
}

const str = (v) => (typeof v === 'string' ? v : v == null ? '' : typeof v === 'number' ? String(v) : '');

// hintRuns reads msg_type 18's content: its "content" is a JSON array of styled runs.
export function hintRuns(msg) {
  const raw = content(msg).content;
  let runs = [];
  try {
    const v = typeof raw === 'string' ? JSON.parse(raw) : raw;
    if (Array.isArray(v)) runs = v.filter((r) => r && typeof r === 'object');
  } catch {
    if (typeof raw === 'string') runs = [{ text: raw }];
  }
  return runs.map((r) => ({ text: str(r.text), color: str(r.color_day), url: str(r.jump_url) }));
}

// textOf is a plain-text summary of a message (the preview without sender or recall).
export function textOf(msg) {
  const c = content(msg);
  switch (Number(msg.msg_type)) {
    case 1: return str(c.content);
    case 2: return t('msg.image');
    case 6: return t('msg.emote');
    case 7: return t('msg.share') + (str(c.title) || str(c.headline));
    case 9: return t('msg.mini') + str(c.title);
    case 10: return str(c.title) || str(c.text) || t('msg.notice');
    case 11: return str(c.title) || t('msg.video');
    case 12: return str(c.title) || t('msg.article');
    case 13: return str(c.title) || t('msg.image');
    case 14: return (str(c.source) ? `[${str(c.source)}]` : t('msg.share')) + str(c.title);
    case 16: return str(c.reply_content) || str(c.main_title) || t('msg.works');
    case 18: return hintRuns(msg).map((r) => r.text).join('');
    default:
      if (SYSTEM_GROUP.has(Number(msg.msg_type))) return str(c.content);
      return t('msg.unsupported');
  }
}

// recallText is the line that replaces a recalled message.
export function recallText(senderUid, me, groupName) {
  if (String(senderUid) === String(me)) return t('msg.recall.me');
  if (groupName) return t('msg.recall.name', { name: groupName });
  return t('msg.recall.other');
}

// preview is the session list's line for a session's last message. opts: {me, group
// (a fan-group session), name(uid) → sender name or ''}.
export function preview(msg, opts) {
  if (!msg) return '';
  const type = Number(msg.msg_type);
  if (type === 5) {
    if (msg.sys_cancel) return '';
    return recallText(msg.sender_uid, opts.me, opts.group ? opts.name(msg.sender_uid) || String(msg.sender_uid) : '');
  }
  if (Number(msg.msg_status) === 1) return recallText(msg.sender_uid, opts.me, opts.group ? opts.name(msg.sender_uid) || String(msg.sender_uid) : '');
  const text = textOf(msg).replace(/\s+/g, ' ');
  if (opts.group && String(msg.sender_uid) !== '0' && String(msg.sender_uid) !== String(opts.me) && !SYSTEM_GROUP.has(type)) {
    const name = opts.name(msg.sender_uid);
    if (name) return `${name}：${text}`;
  }
  return text;
}

// isLine tells messages shown as a centred grey line rather than a bubble.
export function isLine(msg) {
  const type = Number(msg.msg_type);
  return type === 18 || SYSTEM_GROUP.has(type) || String(msg.sender_uid) === '0';
}

// lineBody is the content of such a line.
export function lineBody(msg) {
  if (Number(msg.msg_type) === 18) {
    return hintRuns(msg).map((r) => {
      const props = { class: 'hint-run' };
      if (/^#[0-9a-f]{3,8}$/i.test(r.color)) props.style = { color: r.color };
      if (r.url) {
        const a = h('a', { ...props, href: r.url, target: '_blank', rel: 'noopener noreferrer' }, r.text);
        return a.getAttribute('href') ? a : h('span', props, r.text);
      }
      return h('span', props, r.text);
    });
  }
  return textOf(msg);
}

// isCard tells the messages drawn as a card instead of a text bubble.
export function isCard(msg) {
  return [7, 9, 10, 11, 12, 13, 14, 16].includes(Number(msg.msg_type));
}

// link makes an anchor when the URL is safe, else a plain element with the same children.
function link(url, cls, ...children) {
  const a = h('a', { class: cls, href: url, target: '_blank', rel: 'noopener noreferrer' }, ...children);
  if (a.getAttribute('href')) return a;
  return h('div', { class: cls }, ...children);
}

// picture is a card's or a message's image; a broken one becomes a grey placeholder.
export function picture(url, cls, alt = '') {
  const box = h('div', { class: cls + ' pic-box' });
  const img = h('img', { class: 'pic', src: url, alt, loading: 'lazy', referrerpolicy: 'no-referrer' });
  if (!img.getAttribute('src')) {
    box.classList.add('pic-broken');
    return box;
  }
  img.addEventListener('error', () => {
    box.classList.add('pic-broken');
    img.remove();
  }, { once: true });
  box.append(img);
  return box;
}

const fmtCount = (n) => {
  const v = Number(n) || 0;
  if (lang() !== 'zh') return v >= 1e6 ? (v / 1e6).toFixed(1).replace(/\.0$/, '') + 'M' : v >= 1e4 ? (v / 1e3).toFixed(1).replace(/\.0$/, '') + 'K' : String(v);
  if (v >= 1e8) return (v / 1e8).toFixed(1).replace(/\.0$/, '') + '亿';
  if (v >= 1e4) return (v / 1e4).toFixed(1).replace(/\.0$/, '') + '万';
  return String(v);
};

const fmtDuration = (sec) => {
  const s = Math.max(0, Math.floor(Number(sec) || 0));
  if (!s) return '';
  const p = (n) => String(n).padStart(2, '0');
  return s >= 3600 ? `${Math.floor(s / 3600)}:${p(Math.floor(s / 60) % 60)}:${p(s % 60)}` : `${p(Math.floor(s / 60))}:${p(s % 60)}`;
};

const videoURL = (c) => {
  const bvid = str(c.bvid);
  if (/^BV[0-9A-Za-z]{10}$/.test(bvid)) return `https://www.bilibili.com/video/${bvid}`;
  const rid = str(c.rid ?? c.id);
  return /^\d+$/.test(rid) ? `https://www.bilibili.com/video/av${rid}` : '';
};

// stat is a works card's figure with what its icon code says it counts (§10.4:
// 1 plays, 3 danmaku, 5 favourites).
function stat(value, icon) {
  const v = str(value);
  if (!v) return '';
  const what = { 1: 'msg.icon.play', 3: 'msg.icon.danmaku', 5: 'msg.icon.fav' }[Number(icon)];
  return what ? t(what, { n: v }) : v;
}

function attach(c) {
  const a = c.attach_msg;
  if (!a || typeof a !== 'object' || !str(a.content)) return null;
  return h('div', { class: 'card-attach' }, renderText(str(a.content)));
}

// notification buttons (§10.1): the web URI of the config, else all_uri, else the root
// jump_uri; the label is the config's text, else jump_text, else 查看详情.
function noticeButtons(c) {
  const out = [];
  for (const suffix of ['', '_2', '_3']) {
    const cfg = c[`jump_uri${suffix}_config`];
    const conf = cfg && typeof cfg === 'object' ? cfg : {};
    const url = str(conf.web_uri) || str(conf.all_uri) || str(c[`jump_uri${suffix}`]);
    if (!url) continue;
    const label = str(conf.text) || str(c[`jump_text${suffix}`]) || t('msg.detail');
    const a = link(url, 'card-btn', label);
    if (a.tagName === 'A') out.push(a);
  }
  return out;
}

// card draws the receive-only card types (7, 9, 10, 11, 12, 13, 14, 16).
export function card(msg) {
  const c = content(msg);
  const type = Number(msg.msg_type);
  const title = (s) => h('div', { class: 'card-title', title: s }, s);
  switch (type) {
    case 7: { // share
      const url = str(c.url) || (str(c.bvid) ? `https://www.bilibili.com/video/${str(c.bvid)}` : '');
      return link(url, 'card card-share', h('div', { class: 'card-row' },
        str(c.thumb) ? picture(str(c.thumb), 'card-thumb') : null,
        h('div', { class: 'card-info' },
          title(str(c.title) || str(c.headline)),
          str(c.headline) && str(c.title) ? h('div', { class: 'card-desc' }, str(c.headline)) : null,
          h('div', { class: 'card-meta' }, [str(c.source_desc), str(c.author)].filter(Boolean).join(' · ')))));
    }
    case 9: // mini program
      return link(str(c.jump_uri), 'card card-mini',
        h('div', { class: 'card-meta' }, str(c.label_name) || t('msg.mini').replace(/[[\]]/g, '')),
        title(str(c.title) || str(c.name)),
        str(c.cover) ? picture(str(c.cover), 'card-cover') : null);
    case 10: { // notification
      const modules = Array.isArray(c.modules) ? c.modules.filter((m) => m && typeof m === 'object') : [];
      const buttons = noticeButtons(c);
      return h('div', { class: 'card card-notice' },
        title(str(c.title)),
        str(c.text) ? h('div', { class: 'card-text' }, renderText(str(c.text))) : null,
        modules.length ? h('dl', { class: 'card-modules' }, modules.map((m) => [h('dt', null, str(m.title)), h('dd', null, str(m.detail))])) : null,
        buttons.length ? h('div', { class: 'card-btns' }, buttons) : null);
    }
    case 11: { // video push
      const stats = [c.view != null ? t('msg.views', { n: fmtCount(c.view) }) : '', c.danmaku != null ? t('msg.danmaku', { n: fmtCount(c.danmaku) }) : ''].filter(Boolean).join('  ');
      return h('div', { class: 'card-wrap' },
        link(videoURL(c), 'card card-video',
          h('div', { class: 'card-cover-box' }, picture(str(c.cover), 'card-cover'), fmtDuration(c.times) ? h('span', { class: 'card-duration' }, fmtDuration(c.times)) : null),
          h('div', { class: 'card-body' }, title(str(c.title) || t('msg.video')),
            str(c.desc) ? h('div', { class: 'card-desc' }, str(c.desc)) : null,
            stats ? h('div', { class: 'card-meta' }, stats) : null)),
        attach(c));
    }
    case 12: { // article push
      const images = Array.isArray(c.image_urls) ? c.image_urls.filter((u) => typeof u === 'string') : [];
      const rid = str(c.rid);
      const stats = [c.view != null ? t('msg.reads', { n: fmtCount(c.view) }) : '', c.like != null ? t('msg.likes', { n: fmtCount(c.like) }) : ''].filter(Boolean).join('  ');
      return h('div', { class: 'card-wrap' },
        link(/^\d+$/.test(rid) ? `https://www.bilibili.com/read/cv${rid}` : '', 'card card-article',
          images.length ? picture(images[0], 'card-cover') : null,
          h('div', { class: 'card-body' }, title(str(c.title) || t('msg.article')),
            str(c.summary) ? h('div', { class: 'card-desc' }, str(c.summary)) : null,
            h('div', { class: 'card-meta' }, [str(c.author) ? t('msg.up', { name: str(c.author) }) : '', stats].filter(Boolean).join('  ')))),
        attach(c));
    }
    case 13: // picture card
      return link(str(c.jump_url), 'card card-picture', picture(str(c.pic_url), 'card-cover', str(c.title)), h('div', { class: 'card-body' }, title(str(c.title))));
    case 14: // other share (live rooms)
      return link(str(c.url), 'card card-share', h('div', { class: 'card-row' },
        str(c.cover) ? picture(str(c.cover), 'card-thumb') : null,
        h('div', { class: 'card-info' }, title(str(c.title)),
          str(c.desc) ? h('div', { class: 'card-desc' }, str(c.desc)) : null,
          h('div', { class: 'card-meta' }, [str(c.source), str(c.author)].filter(Boolean).join(' · ')))));
    case 16: { // works auto-push
      const subs = Array.isArray(c.sub_cards) ? c.sub_cards.filter((s) => s && typeof s === 'object') : [];
      return h('div', { class: 'card card-works' },
        title(str(c.main_title)),
        h('div', { class: 'works-list' }, subs.map((s) => link(str(s.jump_url), 'works-item',
          picture(str(s.cover_url), 'works-cover'),
          h('div', { class: 'works-info' },
            h('div', { class: 'works-title', title: str(s.field1) }, str(s.field1)),
            h('div', { class: 'card-meta' }, [str(s.field2), stat(s.field3, s.icon3), stat(s.field4, s.icon4)].filter(Boolean).join('  ')))))));
    }
    default:
      return h('div', { class: 'card' }, t('msg.unsupported'));
  }
}

// body is a bubble's content: text with emoji, an image, or the unsupported line.
export function body(msg) {
  const type = Number(msg.msg_type);
  const c = content(msg);
  if (type === 1) return renderText(str(c.content));
  if (type === 2 || type === 6) {
    const url = str(c.url);
    const pic = picture(url, type === 6 ? 'msg-pic msg-sticker' : 'msg-pic', t('msg.image'));
    const w = Number(c.width) || 0;
    const hgt = Number(c.height) || 0;
    if (w > 0 && hgt > 0 && type === 2) {
      const scale = Math.min(1, 240 / w, 240 / hgt);
      pic.style.width = Math.round(w * scale) + 'px';
      pic.style.height = Math.round(hgt * scale) + 'px';
    }
    return link(url, 'msg-pic-link', pic);
  }
  return t('msg.unsupported');
}
