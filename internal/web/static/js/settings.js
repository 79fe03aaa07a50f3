// Placeholder; the real view lands with the rest of the page.
import { h } from './dom.js';

export function mount(ctx) {
  return { el: h('section', { class: 'panel', id: 'view-settings' }, h('header', { class: 'panel-head' }, ctx.kind)) };
}
