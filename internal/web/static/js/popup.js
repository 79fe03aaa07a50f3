// One floating thing at a time — a context menu or a composer popover — closed by a
// click elsewhere, Escape, or opening another.
import { h } from './dom.js';

let current = null; // {el, anchor, onClose}

export function closePopup() {
  const c = current;
  current = null;
  if (!c) return;
  c.el.remove();
  c.anchor?.setAttribute('aria-expanded', 'false');
  c.onClose?.();
}

export function isOpen(el) {
  return current?.el === el;
}

// openPopup shows el inside parent (a popover laid out by CSS next to its anchor).
export function openPopup(el, parent, anchor, onClose) {
  closePopup();
  current = { el, anchor, onClose };
  anchor?.setAttribute('aria-expanded', 'true');
  parent.append(el);
}

// menu shows a context menu at the viewport point (x, y). items: {id, label, run, danger}.
export function menu(x, y, items, anchor) {
  const el = h('div', { class: 'ctx-menu', role: 'menu' },
    items.map((it) => h('button', {
      type: 'button', role: 'menuitem', class: 'ctx-item' + (it.danger ? ' ctx-danger' : ''), dataset: { action: it.id },
      onclick: (e) => {
        e.stopPropagation();
        closePopup();
        it.run();
      },
    }, it.label)));
  openPopup(el, document.body, anchor);
  const r = el.getBoundingClientRect();
  const left = Math.max(4, Math.min(x, window.innerWidth - r.width - 4));
  const top = Math.max(4, Math.min(y, window.innerHeight - r.height - 4));
  el.style.left = left + 'px';
  el.style.top = top + 'px';
  el.querySelector('button')?.focus({ preventScroll: true });
  return el;
}

document.addEventListener('mousedown', (e) => {
  if (!current) return;
  if (current.el.contains(e.target) || current.anchor?.contains(e.target)) return;
  closePopup();
}, true);
document.addEventListener('keydown', (e) => {
  if (e.key === 'Escape' && current) closePopup();
});
window.addEventListener('hashchange', () => {
  if (current && !current.el.classList.contains('popover')) closePopup();
});
window.addEventListener('resize', () => {
  if (current && current.el.classList.contains('ctx-menu')) closePopup();
});
