// The login page: an operator-created user logs in with mid or name and password.
// POST /bilimsg/v1/login sets the same cookies the API reads (SESSDATA HttpOnly).
import { api } from './api.js';
import { h } from './dom.js';
import { t, lang, setLang } from './i18n.js';

export function loginPage(done) {
  const account = h('input', { id: 'login-account', name: 'account', autocomplete: 'username', placeholder: t('login.account.hint'), required: true, maxLength: 64 });
  const password = h('input', { id: 'login-password', name: 'password', type: 'password', autocomplete: 'current-password', required: true, maxLength: 128 });
  const error = h('p', { class: 'login-error', id: 'login-error', role: 'alert' });
  const submit = h('button', { class: 'btn btn-primary', type: 'submit', id: 'login-submit' }, t('login.submit'));
  const form = h('form', { class: 'login-form', novalidate: true },
    h('label', { htmlFor: 'login-account' }, t('login.account')), account,
    h('label', { htmlFor: 'login-password' }, t('login.password')), password,
    error, submit);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    error.textContent = '';
    if (!account.value.trim() || !password.value) {
      (account.value.trim() ? password : account).focus();
      return;
    }
    submit.disabled = true;
    submit.textContent = t('login.busy');
    try {
      await api.post('/bilimsg/v1/login', { account: account.value.trim(), password: password.value });
      done();
    } catch (err) {
      error.textContent = err.message; // bilibili's words: 账号或者密码错误, 请求过于频繁…
      submit.disabled = false;
      submit.textContent = t('login.submit');
      password.select();
    }
  });
  setTimeout(() => account.focus(), 0);
  return h('div', { class: 'login-page' },
    h('div', { class: 'login-card' },
      h('div', { class: 'login-head' }, h('span', { class: 'side-title-icon', 'aria-hidden': 'true' }), h('h1', null, t('app.title'))),
      h('h2', null, t('login.title')),
      form,
      h('p', { class: 'login-note' }, t('login.note')),
      h('button', { class: 'link-btn', id: 'lang-switch', onclick: () => setLang(lang() === 'zh' ? 'en' : 'zh') }, t('app.lang'))));
}
