// Emoji: the server's catalog (/static/emoji.json, the one that fills e_infos) for the
// picker and for live messages, which arrive without e_infos; [name] tokens in texts
// become images with the name as their alt text, and the name as text again when the
// image does not load (bilibili's image hosts are often out of reach).
import { h } from './dom.js';
import { t, add } from './i18n.js';

add({
  zh: { 'emoji.title': '表情', 'emoji.loading': '加载中…', 'emoji.none': '暂无表情' },
  en: { 'emoji.title': 'Emoji', 'emoji.loading': 'Loading…', 'emoji.none': 'No emoji' },
});

let loading = null;
const byText = new Map(); // "[name]" -> {text, url, gif_url?, size?}

// catalog resolves to the list of {text, url} (empty when it cannot be read).
export function catalog() {
  loading ??= fetch('/static/emoji.json', { credentials: 'same-origin' })
    .then((r) => (r.ok ? r.json() : { emoji: [] }))
    .then((d) => {
      const list = Array.isArray(d?.emoji) ? d.emoji.filter((e) => e && typeof e.text === 'string') : [];
      for (const e of list) if (!byText.has(e.text)) byText.set(e.text, e);
      return list;
    })
    .catch(() => []);
  return loading;
}

// learn records e_infos from an API answer (they win over the catalog: same server).
export function learn(einfos) {
  if (!Array.isArray(einfos)) return;
  for (const e of einfos) if (e && typeof e.text === 'string' && typeof e.url === 'string') byText.set(e.text, e);
}

// emojiImg is one emoji as an image, which turns back into its name when it fails.
export function emojiImg(text, url, cls = 'emoji') {
  const fallback = () => h('span', { class: cls + ' emoji-text', title: text }, text);
  if (!url) return fallback();
  const img = h('img', { class: cls, src: url, alt: text, title: text, loading: 'lazy', referrerpolicy: 'no-referrer', draggable: 'false' });
  if (!img.getAttribute('src')) return fallback();
  img.addEventListener('error', () => img.replaceWith(fallback()), { once: true });
  return img;
}

const TOKEN = /\[[^[\]\n]{1,40}\]/g;

// renderText splits a text into strings and emoji images (nodes for h()).
export function renderText(text) {
  const out = [];
  let last = 0;
  const s = String(text ?? '');
  for (const m of s.matchAll(TOKEN)) {
    const e = byText.get(m[0]);
    if (!e) continue;
    if (m.index > last) out.push(s.slice(last, m.index));
    out.push(emojiImg(e.text, e.url, e.size === 2 ? 'emoji emoji-lg' : 'emoji'));
    last = m.index + m[0].length;
  }
  if (last < s.length) out.push(s.slice(last));
  return out;
}

// picker is the emoji panel: clicking one calls onPick with its "[name]".
export function picker(onPick) {
  const grid = h('div', { class: 'emoji-grid', role: 'listbox', 'aria-label': t('emoji.title') }, h('div', { class: 'emoji-empty' }, t('emoji.loading')));
  const el = h('div', { class: 'popover emoji-panel', id: 'emoji-panel' }, h('div', { class: 'popover-title' }, t('emoji.title')), grid);
  catalog().then((list) => {
    grid.replaceChildren();
    if (!list.length) grid.append(h('div', { class: 'emoji-empty' }, t('emoji.none')));
    for (const e of list) {
      // The name shows until the image has loaded, and stays when it cannot.
      const label = h('span', { class: 'emoji-label' }, e.text);
      const img = h('img', { class: 'emoji-pic', src: e.url, alt: e.text, loading: 'lazy', referrerpolicy: 'no-referrer', draggable: 'false' });
      img.addEventListener('load', () => label.remove(), { once: true });
      img.addEventListener('error', () => img.remove(), { once: true });
      grid.append(h('button', { type: 'button', class: 'emoji-item', title: e.text, 'aria-label': e.text, dataset: { emoji: e.text }, onclick: () => onPick(e.text) },
        label, img.getAttribute('src') ? img : null));
    }
  });
  return el;
}
