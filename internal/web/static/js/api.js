// The page's client of bilibili's API, on the same origin (bilimsg serves the paths of
// api.vc.bilibili.com, api.bilibili.com and message.bilibili.com from one root). It
// reads the cookies the API set at login: DedeUserID (who I am) and bili_jct (the CSRF
// token every POST carries as csrf and csrf_token); SESSDATA is HttpOnly and never
// seen by the page.

export class ApiError extends Error {
  constructor(code, message, path) {
    super(message || String(code));
    this.code = code;
    this.path = path;
  }
}

export function cookie(name) {
  for (const part of document.cookie.split(';')) {
    const i = part.indexOf('=');
    if (i > 0 && part.slice(0, i).trim() === name) return decodeURIComponent(part.slice(i + 1).trim());
  }
  return '';
}

// myMid is the logged-in user's mid as a string ('' when not logged in).
export function myMid() {
  return cookie('DedeUserID');
}

// The server's clock, from the Date header of its answers: message times and the
// 120 s recall window are the server's (a demo or test server may run on a fake clock).
let offsetMs = 0;
export function now() {
  return Date.now() + offsetMs;
}

function noteServerTime(resp) {
  const d = Date.parse(resp.headers.get('Date') || '');
  if (Number.isNaN(d)) return;
  const off = d - Date.now();
  // The header has whole seconds: only a clearly different clock moves the offset.
  if (Math.abs(off - offsetMs) > 1500) offsetMs = off;
}

// parseJSON keeps integers beyond 2^53 exact (msg_key, ids) by returning them as
// their decimal strings, using JSON.parse's source text access. Code compares ids as
// String(x) so small and large ones behave alike.
export function parseJSON(text) {
  if (!hasSourceAccess) return JSON.parse(quoteBigInts(text));
  return JSON.parse(text, (key, value, ctx) => {
    if (typeof value === 'number' && !Number.isSafeInteger(value) && ctx && /^-?\d+$/.test(ctx.source)) return ctx.source;
    return value;
  });
}

const hasSourceAccess = (() => {
  try {
    let seen = false;
    JSON.parse('1', (k, v, ctx) => ((seen = !!ctx && ctx.source === '1'), v));
    return seen;
  } catch {
    return false;
  }
})();

// quoteBigInts is the fallback for browsers without source text access: it turns
// integers beyond 2^53 outside strings into strings, in one pass (as parseJSON does).
export function quoteBigInts(text) {
  let out = '';
  let last = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') {
      inString = true;
      continue;
    }
    if (c === '-' || (c >= '0' && c <= '9')) {
      let j = i + 1;
      while (j < text.length && text[j] >= '0' && text[j] <= '9') j++;
      const next = text[j];
      const digits = j - i - (c === '-' ? 1 : 0);
      if (digits >= 16 && next !== '.' && next !== 'e' && next !== 'E' && !Number.isSafeInteger(Number(text.slice(i, j)))) {
        out += text.slice(last, i) + '"' + text.slice(i, j) + '"';
        last = j;
      }
      i = j - 1;
    }
  }
  return out + text.slice(last);
}

const listeners = new Set();
// onLoggedOut registers fn to run when any call answers -101 (the login ended).
export function onLoggedOut(fn) {
  listeners.add(fn);
}

async function call(method, path, params) {
  // Every call carries build=0 and mobi_app=web, as bilibili's web page sends them.
  params = { build: 0, mobi_app: 'web', ...params };
  const url = new URL(path, location.origin);
  const init = { method, credentials: 'same-origin', headers: {} };
  if (method === 'GET') {
    for (const [k, v] of Object.entries(params || {})) if (v != null) url.searchParams.set(k, String(v));
  } else {
    const jct = cookie('bili_jct');
    const form = new URLSearchParams();
    for (const [k, v] of Object.entries(params || {})) if (v != null) form.append(k, String(v));
    form.set('csrf', jct);
    form.set('csrf_token', jct);
    init.body = form;
    init.headers['Content-Type'] = 'application/x-www-form-urlencoded';
  }
  let resp;
  try {
    resp = await fetch(url, init);
  } catch (e) {
    throw new ApiError(-1, String(e.message || e), path);
  }
  noteServerTime(resp);
  const text = await resp.text();
  let env;
  try {
    env = parseJSON(text);
  } catch {
    throw new ApiError(-resp.status || -500, `HTTP ${resp.status}`, path);
  }
  if (env.code !== 0) {
    if (env.code === -101) for (const fn of listeners) fn();
    throw new ApiError(env.code, env.message, path);
  }
  return env.data;
}

export const api = {
  get: (path, query) => call('GET', path, query),
  post: (path, form) => call('POST', path, form),
};
