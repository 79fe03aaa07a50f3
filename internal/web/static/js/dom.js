// DOM helpers. The page's one rule about user content (message texts, names, card
// fields, anything that came from the API): it reaches the document as text nodes or
// attribute values, never through innerHTML or any other HTML parser. h() is how the
// page builds every element; there is no innerHTML anywhere in these files.
import { now } from './api.js';
import { t, lang } from './i18n.js';

const asProperty = new Set(['value', 'checked', 'disabled', 'selected', 'hidden', 'title', 'placeholder', 'type', 'name', 'autocomplete', 'tabIndex', 'htmlFor', 'id', 'maxLength', 'min', 'max', 'rows']);

// h(tag, props, ...children) makes an element. props: class, dataset, on<event>
// listeners, href/src (checked by safeURL), aria/role/other attributes. Children are
// nodes or strings (text), nested arrays, null/false (skipped).
export function h(tag, props, ...children) {
  const el = document.createElement(tag);
  if (props) {
    for (const [k, v] of Object.entries(props)) {
      if (v == null || v === false) continue;
      if (k === 'class') el.className = v;
      else if (k === 'dataset') Object.assign(el.dataset, v);
      else if (k === 'style') Object.assign(el.style, v);
      else if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
      else if (k === 'href' || k === 'src') {
        const u = safeURL(v);
        if (u) el.setAttribute(k, u);
      } else if (asProperty.has(k)) el[k] = v;
      else el.setAttribute(k, v === true ? '' : String(v));
    }
  }
  append(el, children);
  return el;
}

export function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c == null || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

// clear empties an element.
export function clear(el) {
  el.replaceChildren();
  return el;
}

// safeURL returns u as an absolute http(s) URL, or '' for anything else
// (javascript:, data:, vbscript:, garbage): links and images in messages and cards
// are user content too. Same-page links ("#/whisper") stay links.
export function safeURL(u) {
  if (u == null || u === '') return '';
  const s = String(u).trim();
  if (s.startsWith('#')) return s;
  try {
    const url = new URL(s.startsWith('//') ? 'https:' + s : s, location.href);
    if (url.protocol === 'http:' || url.protocol === 'https:') return url.href;
  } catch { /* not a URL */ }
  return '';
}

// avatar shows a face image, or the first letter of the name on a coloured disc when
// there is no image or it does not load (bilibili's image hosts are often out of reach
// of a self-hosted server's users).
export function avatar(face, name, cls = 'avatar') {
  const fallback = () => {
    const letter = Array.from(String(name || '?').trim())[0] || '?';
    return h('span', { class: cls + ' avatar-letter', 'aria-hidden': 'true', style: { background: colourOf(String(name)) } }, letter.toUpperCase());
  };
  const u = safeURL(face);
  if (!u || /noface\.(jpg|gif|png)$/.test(u)) return fallback();
  const img = h('img', { class: cls, src: u, alt: '', loading: 'lazy', referrerpolicy: 'no-referrer' });
  img.addEventListener('error', () => img.replaceWith(fallback()), { once: true });
  return img;
}

const palette = ['#f69', '#00aeec', '#ff9736', '#7bc549', '#9a6bff', '#f25d8e', '#23ade5', '#e5a823'];
function colourOf(s) {
  let x = 0;
  for (const ch of s) x = (x * 31 + ch.codePointAt(0)) >>> 0;
  return palette[x % palette.length];
}

const pad = (n) => String(n).padStart(2, '0');

// fmtTime formats a unix time (seconds) as bilibili's message center does: the time
// of day for today, month and day within the year, the full date before. "Now" is the
// server's clock (a demo server may run on a fake one).
export function fmtTime(sec) {
  if (!sec) return '';
  const d = new Date(Number(sec) * 1000);
  const n = new Date(now());
  if (d.toDateString() === n.toDateString()) return `${pad(d.getHours())}:${pad(d.getMinutes())}`;
  const y = new Date(n);
  y.setDate(n.getDate() - 1);
  if (d.toDateString() === y.toDateString()) return t('time.yesterday') + ` ${pad(d.getHours())}:${pad(d.getMinutes())}`;
  if (d.getFullYear() === n.getFullYear()) {
    return lang() === 'zh' ? `${d.getMonth() + 1}月${d.getDate()}日` : `${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
  }
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

// fmtFull is the long form for tooltips and the chat's time dividers.
export function fmtFull(sec) {
  const d = new Date(Number(sec) * 1000);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

// badge is an unread count as bilibili shows it: nothing for 0, 99+ above 99.
export function badge(n, cls = 'badge') {
  n = Number(n) || 0;
  return h('span', { class: cls, hidden: n <= 0, dataset: { count: String(n) } }, n > 99 ? '99+' : String(n));
}

export function setBadge(el, n) {
  n = Number(n) || 0;
  el.hidden = n <= 0;
  el.dataset.count = String(n);
  el.textContent = n > 99 ? '99+' : String(n);
}

// toast shows a short message at the top of the page, the way bilibili shows an API
// refusal ("对方主动回复或关注你前，最多发送1条消息~").
export function toast(message, kind = 'error') {
  let box = document.getElementById('toasts');
  if (!box) {
    box = h('div', { id: 'toasts', role: 'status', 'aria-live': 'polite' });
    document.body.append(box);
  }
  const el = h('div', { class: 'toast toast-' + kind }, String(message));
  box.append(el);
  setTimeout(() => el.remove(), 4000);
  return el;
}

// debounce runs fn once after calls stop for ms.
export function debounce(fn, ms) {
  let timer = 0;
  return (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  };
}
