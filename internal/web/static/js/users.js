// Users resolves mids to names and faces through x/im/user_infos, as bilibili's page
// does: lookups made in the same tick go out as one request (at most 200 mids each),
// and answers are kept for the page's life.
import { api } from './api.js';

export class Users {
  constructor() {
    this.cache = new Map(); // mid string -> Promise<{mid, name, face}>
    this.known = new Map(); // mid string -> {mid, name, face} once resolved
    this.pending = new Map(); // mid string -> resolve
    this.timer = 0;
  }

  // peek returns what is known of mid now (or null).
  peek(mid) {
    return this.known.get(String(mid)) || null;
  }

  // get resolves to {mid, name, face}; an unknown mid gets its number as its name.
  get(mid) {
    const key = String(mid);
    let p = this.cache.get(key);
    if (!p) {
      p = new Promise((resolve) => this.pending.set(key, resolve));
      this.cache.set(key, p);
      if (!this.timer) this.timer = setTimeout(() => this.flush(), 0);
    }
    return p;
  }

  // put records a user the page learnt from elsewhere (a session's account_info).
  put(mid, name, face) {
    const u = { mid: String(mid), name, face };
    this.known.set(u.mid, u);
    this.cache.set(u.mid, Promise.resolve(u));
  }

  async flush() {
    this.timer = 0;
    const batch = [...this.pending.entries()];
    this.pending.clear();
    for (let i = 0; i < batch.length; i += 200) {
      const part = batch.slice(i, i + 200);
      const found = new Map();
      try {
        const list = await api.get('/x/im/user_infos', { uids: part.map(([k]) => k).join(',') });
        for (const u of list || []) found.set(String(u.mid), { mid: String(u.mid), name: u.name, face: u.face });
      } catch (e) {
        // Not fatal: the page shows mids instead of names; a later get tries again.
        for (const [k] of part) this.cache.delete(k);
      }
      for (const [k, resolve] of part) {
        const u = found.get(k) || { mid: k, name: k, face: '' };
        if (found.has(k)) this.known.set(k, u);
        resolve(u);
      }
    }
  }
}
