// Live is the page's end of bilimsg's live-event stream (docs/events.md). It keeps
// its position (epoch, seq) and, after a disconnection, reconnects from it: the server
// replays what was missed, or says reset, and then the page reads its state again
// through the API. Listeners get:
//   'frame'  detail: an event frame {seq, type, data}
//   'reset'  the page must reread what it shows
//   'status' detail: true (connected) / false
//   'loggedout' the login ended (close 1008): the page shows the login form
import { parseJSON } from './api.js';

export class Live extends EventTarget {
  constructor() {
    super();
    this.epoch = '';
    this.seq = 0;
    this.ws = null;
    this.stopped = true;
    this.delay = 1000;
    this.timer = 0;
    this.connected = false;
    this.resets = 0; // shown as body[data-live-resets]: a reconnection that resumed adds none
  }

  start() {
    if (!this.stopped) return;
    this.stopped = false;
    this.connect();
  }

  // hello resolves once the stream is connected, or after ms.
  hello(ms) {
    if (this.connected) return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = (v) => {
        clearTimeout(timer);
        this.removeEventListener('status', on);
        resolve(v);
      };
      const on = (e) => e.detail && done(true);
      const timer = setTimeout(() => done(false), ms);
      this.addEventListener('status', on);
    });
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.timer);
    if (this.ws) this.ws.close(1000);
    this.ws = null;
    this.setStatus(false);
  }

  connect() {
    const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
    let url = `${proto}//${location.host}/bilimsg/v1/events`;
    if (this.epoch) url += `?epoch=${encodeURIComponent(this.epoch)}&after=${this.seq}`;
    const ws = new WebSocket(url);
    this.ws = ws;
    ws.onmessage = (e) => {
      let f;
      try {
        f = parseJSON(e.data);
      } catch {
        return;
      }
      if (f.type === 'hello') {
        const reset = f.reset || f.epoch !== this.epoch;
        this.epoch = f.epoch;
        this.seq = f.seq;
        this.delay = 1000;
        this.setStatus(true);
        if (reset) {
          document.body.dataset.liveResets = String(++this.resets);
          this.dispatchEvent(new Event('reset'));
        }
        return;
      }
      if (typeof f.seq === 'number') this.seq = f.seq;
      this.dispatchEvent(new CustomEvent('frame', { detail: f }));
    };
    ws.onclose = (e) => {
      if (this.ws !== ws) return;
      this.ws = null;
      this.setStatus(false);
      if (this.stopped) return;
      if (e.code === 1008) {
        // The server closed the stream because this login ended (a logout elsewhere).
        this.stopped = true;
        this.dispatchEvent(new Event('loggedout'));
        return;
      }
      // Back off (1 s doubling to 30 s) so a server that is down or refuses the login
      // is not hammered; a hello resets the delay.
      this.timer = setTimeout(() => this.connect(), this.delay);
      this.delay = Math.min(this.delay * 2, 30000);
    };
  }

  setStatus(on) {
    if (this.connected === on) return;
    this.connected = on;
    document.body.dataset.live = on ? 'on' : 'off';
    this.dispatchEvent(new CustomEvent('status', { detail: on }));
  }
}
