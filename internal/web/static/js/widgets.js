// Small controls shared by the settings views, drawn the way bilibili's settings pages
// draw them: a pill switch, a row of round radio buttons, a confirmation dialog and a
// text counter. Everything is built with h(): labels and user texts stay text.
import { h } from './dom.js';
import { t, add } from './i18n.js';

add({
  zh: { 'ui.ok': '确定', 'ui.cancel': '取消' },
  en: { 'ui.ok': 'OK', 'ui.cancel': 'Cancel' },
});

// saved counts the changes a control saved (data-saved), which tests wait on.
export function saved(el) {
  el.dataset.saved = String(Number(el.dataset.saved || 0) + 1);
}

// toggle is a switch (role=switch, aria-checked). onchange(next) returns a promise; the
// switch shows the new state at once, is busy meanwhile, and goes back when it rejects.
export function toggle(on, onchange, label) {
  const el = h('button', { type: 'button', class: 'ui-switch', role: 'switch', 'aria-label': label || null });
  const set = (v) => {
    el.setAttribute('aria-checked', v ? 'true' : 'false');
    el.classList.toggle('on', !!v);
  };
  set(on);
  el.addEventListener('click', async () => {
    if (el.disabled) return;
    const next = el.getAttribute('aria-checked') !== 'true';
    set(next);
    el.disabled = true;
    el.classList.add('busy');
    try {
      await onchange(next);
      saved(el);
    } catch {
      set(!next);
    } finally {
      el.disabled = false;
      el.classList.remove('busy');
    }
  });
  el.setOn = set;
  return el;
}

// radios is a row of choices [{value, label}]; onchange(value) returns a promise, the
// previous choice comes back when it rejects.
export function radios(name, choices, value, onchange) {
  let current = value;
  const inputs = [];
  const group = h('div', { class: 'ui-radios', role: 'radiogroup' },
    choices.map((c) => {
      const input = h('input', { type: 'radio', name, value: String(c.value), checked: c.value === value, class: 'ui-radio' });
      inputs.push(input);
      input.addEventListener('change', async () => {
        if (!input.checked) return;
        const prev = current;
        current = c.value;
        for (const i of inputs) i.disabled = true;
        try {
          await onchange(c.value);
          saved(group);
        } catch {
          current = prev;
          for (const i of inputs) i.checked = i.value === String(prev);
        } finally {
          for (const i of inputs) i.disabled = false;
        }
      });
      return h('label', { class: 'ui-radio-label' }, input, h('span', null, c.label));
    }));
  group.setValue = (v) => {
    current = v;
    for (const i of inputs) i.checked = i.value === String(v);
  };
  return group;
}

// counter shows how many characters (code points, as the server counts) of max an
// input holds, red beyond it.
export function counter(input, max) {
  const el = h('span', { class: 'ui-counter' });
  const update = () => {
    const n = Array.from(input.value).length;
    el.textContent = `${n}/${max}`;
    el.classList.toggle('over', n > max);
  };
  input.addEventListener('input', update);
  update();
  el.update = update;
  return el;
}

// confirmDialog asks a question in a small modal; it resolves true for OK.
export function confirmDialog(message, okLabel) {
  return new Promise((resolve) => {
    const done = (v) => {
      document.removeEventListener('keydown', onKey, true);
      overlay.remove();
      resolve(v);
    };
    const onKey = (e) => {
      if (e.key === 'Escape') {
        e.preventDefault();
        done(false);
      }
    };
    const ok = h('button', { type: 'button', class: 'btn btn-primary ui-modal-ok', onclick: () => done(true) }, okLabel || t('ui.ok'));
    const overlay = h('div', { class: 'ui-modal-mask', onclick: (e) => { if (e.target === overlay) done(false); } },
      h('div', { class: 'ui-modal', role: 'dialog', 'aria-modal': 'true' },
        h('p', { class: 'ui-modal-text' }, message),
        h('div', { class: 'ui-modal-actions' },
          h('button', { type: 'button', class: 'btn ui-modal-cancel', onclick: () => done(false) }, t('ui.cancel')),
          ok)));
    document.addEventListener('keydown', onKey, true);
    document.body.append(overlay);
    ok.focus();
  });
}
