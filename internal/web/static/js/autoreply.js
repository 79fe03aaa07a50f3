// 自动回复, the auto-reply tab of 消息设置: bilibili's four replies — 被关注回复 (type
// 1, switch followed_reply), 收到消息回复 (type 3, recv_reply), 关键词回复 (type 2 rules,
// keys_reply) and 大航海回复 (type 5, voyage_reply). A reply needs its switch on
// (link_setting/set: 1000 fans, else 700009 权限不足) and its text
// (x/im/auto_reply/set_reply_text, which does not switch anything). Refusals are shown
// in the server's words.
import { h } from './dom.js';
import { t, add } from './i18n.js';
import { toggle, counter, confirmDialog, saved } from './widgets.js';

add({
  zh: {
    'ar.unavailable': '粉丝数达到1000后可开启自动回复功能',
    'ar.followed': '被关注回复',
    'ar.followed.desc': '开启后，新关注你的用户将收到以下自动回复',
    'ar.recommend': '被关注后，向关注我的人推送我的往期作品',
    'ar.received': '收到消息回复',
    'ar.received.desc': '开启后，收到私信时将自动回复以下内容，对同一用户一段时间内只回复一次',
    'ar.keys': '关键词回复',
    'ar.keys.desc': '开启后，收到的私信与关键词匹配时将自动回复',
    'ar.voyage': '大航海回复',
    'ar.voyage.desc': '开启后，在你的直播间开通大航海的用户将收到以下自动回复',
    'ar.placeholder': '请输入回复内容',
    'ar.save': '保存',
    'ar.delete': '删除',
    'ar.edit': '编辑',
    'ar.saved': '保存成功',
    'ar.deleted': '删除成功',
    'ar.needReply': '请输入回复内容',
    'ar.delText.confirm': '确定删除这条自动回复吗？',
    'ar.rule.count': '已添加规则（{n}/{max}）',
    'ar.rule.new': '添加规则',
    'ar.rule.empty': '暂无关键词回复规则',
    'ar.rule.title': '规则名称',
    'ar.rule.title.ph': '请输入规则名称，不超过30个字',
    'ar.rule.key1': '精准匹配',
    'ar.rule.key1.ph': '收到的私信与关键词完全一致时回复，多个关键词用“，”隔开',
    'ar.rule.key2': '模糊匹配',
    'ar.rule.key2.ph': '收到的私信包含关键词时回复，多个关键词用“，”隔开',
    'ar.rule.reply': '回复内容',
    'ar.rule.cancel': '取消',
    'ar.rule.needTitle': '请输入规则名称',
    'ar.rule.needKey': '请至少填写一个关键词',
    'ar.rule.del.confirm': '确定删除规则“{title}”吗？',
  },
  en: {
    'ar.unavailable': 'Auto-replies can be switched on once you have 1,000 followers',
    'ar.followed': 'Reply to new followers',
    'ar.followed.desc': 'When on, people who follow you receive this reply',
    'ar.recommend': 'Also send new followers my latest works',
    'ar.received': 'Reply to messages',
    'ar.received.desc': 'When on, messages you receive get this reply, once per person for a while',
    'ar.keys': 'Keyword replies',
    'ar.keys.desc': 'When on, messages that match a rule\'s keywords get its reply',
    'ar.voyage': 'Reply to guards',
    'ar.voyage.desc': 'When on, viewers who buy a guard in your live room receive this reply',
    'ar.placeholder': 'Enter the reply',
    'ar.save': 'Save',
    'ar.delete': 'Delete',
    'ar.edit': 'Edit',
    'ar.saved': 'Saved',
    'ar.deleted': 'Deleted',
    'ar.needReply': 'Enter the reply',
    'ar.delText.confirm': 'Delete this auto-reply?',
    'ar.rule.count': 'Rules ({n}/{max})',
    'ar.rule.new': 'Add a rule',
    'ar.rule.empty': 'No keyword rules yet',
    'ar.rule.title': 'Rule name',
    'ar.rule.title.ph': 'Up to 30 characters',
    'ar.rule.key1': 'Exact match',
    'ar.rule.key1.ph': 'Reply when a message equals a keyword; separate keywords with commas',
    'ar.rule.key2': 'Contains',
    'ar.rule.key2.ph': 'Reply when a message contains a keyword; separate keywords with commas',
    'ar.rule.reply': 'Reply',
    'ar.rule.cancel': 'Cancel',
    'ar.rule.needTitle': 'Enter the rule\'s name',
    'ar.rule.needKey': 'Enter at least one keyword',
    'ar.rule.del.confirm': 'Delete the rule "{title}"?',
  },
});

const MAX_REPLY = 500;
const MAX_TITLE = 30;
const MAX_RULES = 20; // bilimsg's cap (1500002); bilibili does not document its own

async function loadTexts(ctx) {
  const d = await ctx.api.get('/x/im/auto_reply/get_reply_text', { 'type[]': '1,2,3,5', uid: ctx.me.mid });
  return Array.isArray(d?.texts) ? d.texts : [];
}

// autoReply builds the tab; o = {prefs, sys, save(patch), stale()}.
export async function autoReply(ctx, o) {
  let texts = await loadTexts(ctx);
  if (o.stale()) return null;
  const n = (k) => Number(o.prefs[k] ?? 0);
  const ofType = (type) => texts.filter((x) => Number(x.type) === type);
  const refresh = async () => {
    texts = await loadTexts(ctx);
  };

  const sw = (key, label) => toggle(n(key) === 1, (v) => o.save({ [key]: v ? 1 : 0 }), label);

  // One text of type 1, 3 or 5: a textarea, its counter, save and delete.
  const textCard = (type, key, name, extra) => {
    const area = h('textarea', { class: 'ui-textarea', id: 'reply-text-' + type, rows: 4, placeholder: t('ar.placeholder') });
    const cur = () => ofType(type)[0];
    area.value = cur()?.reply ?? '';
    const cnt = counter(area, MAX_REPLY);
    const saveBtn = h('button', { type: 'button', class: 'btn btn-primary', id: 'reply-save-' + type }, t('ar.save'));
    const delBtn = h('button', { type: 'button', class: 'btn', id: 'reply-del-' + type, hidden: !cur() }, t('ar.delete'));
    saveBtn.addEventListener('click', async () => {
      if (!area.value.trim()) {
        ctx.toast(t('ar.needReply'));
        area.focus();
        return;
      }
      saveBtn.disabled = true;
      try {
        await ctx.api.post('/x/im/auto_reply/set_reply_text', { type, reply: area.value });
        await refresh();
        delBtn.hidden = !cur();
        ctx.toast(t('ar.saved'), 'ok');
      } catch (e) {
        if (e.code !== -101) ctx.toast(e.message);
      } finally {
        saveBtn.disabled = false;
      }
    });
    delBtn.addEventListener('click', async () => {
      const it = cur();
      if (!it || !(await confirmDialog(t('ar.delText.confirm'), t('ar.delete')))) return;
      delBtn.disabled = true;
      try {
        await ctx.api.post('/x/im/auto_reply/del_reply_text', { id: String(it.id) });
        await refresh();
        area.value = cur()?.reply ?? '';
        cnt.update();
        delBtn.hidden = !cur();
        ctx.toast(t('ar.deleted'), 'ok');
      } catch (e) {
        if (e.code !== -101) ctx.toast(e.message);
      } finally {
        delBtn.disabled = false;
      }
    });
    return card(key, name, sw(key, t(name)), t(name + '.desc'),
      h('div', { class: 'ar-edit' }, h('div', { class: 'ui-textarea-wrap' }, area, cnt)),
      extra,
      h('div', { class: 'ar-actions' }, delBtn, saveBtn));
  };

  // The keyword rules: a list, and a form to add or edit one.
  const rulesList = h('ul', { class: 'rule-list', id: 'reply-rules' });
  const rulesCount = h('span', { class: 'rule-count' });
  const form = ruleForm(ctx, async () => {
    await refresh();
    drawRules();
  });
  const newBtn = h('button', { type: 'button', class: 'btn btn-primary', id: 'rule-new', onclick: () => form.open(null) }, '+ ' + t('ar.rule.new'));
  const drawRules = () => {
    const rules = ofType(2);
    rulesCount.textContent = t('ar.rule.count', { n: rules.length, max: MAX_RULES });
    newBtn.disabled = rules.length >= MAX_RULES;
    if (!rules.length) {
      rulesList.replaceChildren(h('li', { class: 'rule-empty' }, t('ar.rule.empty')));
      return;
    }
    rulesList.replaceChildren(...rules.map((r) => ruleItem(r, {
      edit: () => form.open(r),
      del: async () => {
        if (!(await confirmDialog(t('ar.rule.del.confirm', { title: r.title }), t('ar.delete')))) return;
        try {
          await ctx.api.post('/x/im/auto_reply/del_reply_text', { id: String(r.id) });
          await refresh();
          drawRules();
          ctx.toast(t('ar.deleted'), 'ok');
        } catch (e) {
          if (e.code !== -101) ctx.toast(e.message);
        }
      },
    })));
  };
  drawRules();

  const showRecommend = o.sys.is_auto_reply_recommend_available === 1 || n('recommend_followed_reply') === 1;
  const recommend = showRecommend ? h('label', { class: 'ui-check-label', dataset: { setting: 'recommend_followed_reply' } },
    checkbox(n('recommend_followed_reply') === 1, (v) => o.save({ recommend_followed_reply: v ? 1 : 0 })),
    h('span', null, t('ar.recommend'))) : null;
  const showVoyage = o.sys.is_voyage === 1 || n('voyage_reply') === 1 || ofType(5).length > 0;

  // bilibili's auto-reply page shows one reply at a time under a row of tabs.
  const subs = [
    { id: 'followed', label: t('ar.followed'), el: textCard(1, 'followed_reply', 'ar.followed', recommend) },
    {
      id: 'keys', label: t('ar.keys'), el: card('keys_reply', 'ar.keys', sw('keys_reply', t('ar.keys')), t('ar.keys.desc'),
        h('div', { class: 'rule-bar' }, rulesCount, newBtn),
        form.el,
        rulesList),
    },
    { id: 'received', label: t('ar.received'), el: textCard(3, 'recv_reply', 'ar.received') },
    showVoyage ? { id: 'voyage', label: t('ar.voyage'), el: textCard(5, 'voyage_reply', 'ar.voyage') } : null,
  ].filter(Boolean);
  const tabs = subs.map((c) => h('button', { type: 'button', class: 'ar-tab', role: 'tab', dataset: { sub: c.id }, onclick: () => select(c.id) }, c.label));
  const select = (id) => {
    if (!subs.some((c) => c.id === id)) id = subs[0].id;
    lastSub = id;
    subs.forEach((c, i) => {
      c.el.hidden = c.id !== id;
      tabs[i].classList.toggle('active', c.id === id);
      tabs[i].setAttribute('aria-selected', c.id === id ? 'true' : 'false');
    });
  };
  select(lastSub);

  return h('div', { class: 'set-autoreply' },
    o.sys.is_auto_reply_available === 1 ? null : h('p', { class: 'set-notice', id: 'autoreply-unavailable' }, t('ar.unavailable')),
    h('div', { class: 'ar-tabs', role: 'tablist' }, tabs),
    subs.map((c) => c.el));
}

// The reply tab last shown, shown again when the page comes back to auto-replies.
let lastSub = 'followed';

function card(key, name, control, desc, ...children) {
  return h('div', { class: 'set-card ar-card', dataset: { setting: key } },
    h('div', { class: 'ar-head' },
      h('div', { class: 'set-text' }, h('h3', { class: 'set-group-title' }, t(name)), h('div', { class: 'set-desc' }, desc)),
      h('div', { class: 'set-ctl' }, control)),
    children);
}

// checkbox saves at once like a switch and goes back when the save is refused.
function checkbox(on, onchange) {
  const box = h('input', { type: 'checkbox', class: 'ui-checkbox', checked: on });
  box.addEventListener('change', async () => {
    const v = box.checked;
    box.disabled = true;
    try {
      await onchange(v);
      saved(box);
    } catch {
      box.checked = !v;
    } finally {
      box.disabled = false;
    }
  });
  return box;
}

function keywords(s) {
  return String(s ?? '').split(/[，,]/).map((k) => k.trim()).filter(Boolean);
}

function ruleItem(r, on) {
  const keys = (label, s, cls) => {
    const ks = keywords(s);
    if (!ks.length) return null;
    return h('div', { class: 'rule-line' }, h('span', { class: 'rule-label' }, label),
      h('span', { class: 'rule-keys' }, ks.map((k) => h('span', { class: 'rule-key ' + cls }, k))));
  };
  return h('li', { class: 'rule', dataset: { id: String(r.id) } },
    h('div', { class: 'rule-head' },
      h('span', { class: 'rule-title' }, String(r.title ?? '')),
      h('span', { class: 'rule-ops' },
        h('button', { type: 'button', class: 'link-btn rule-edit', onclick: on.edit }, t('ar.edit')),
        h('button', { type: 'button', class: 'link-btn rule-del', onclick: on.del }, t('ar.delete')))),
    keys(t('ar.rule.key1'), r.key1, 'exact'),
    keys(t('ar.rule.key2'), r.key2, 'fuzzy'),
    h('div', { class: 'rule-line' }, h('span', { class: 'rule-label' }, t('ar.rule.reply')), h('span', { class: 'rule-reply' }, String(r.reply ?? ''))));
}

// ruleForm adds a rule (id 0) or changes one; done() runs after the server took it.
function ruleForm(ctx, done) {
  let editing = null;
  const title = h('input', { class: 'ui-input', id: 'rule-title', placeholder: t('ar.rule.title.ph'), autocomplete: 'off' });
  const key1 = h('input', { class: 'ui-input', id: 'rule-key1', placeholder: t('ar.rule.key1.ph'), autocomplete: 'off' });
  const key2 = h('input', { class: 'ui-input', id: 'rule-key2', placeholder: t('ar.rule.key2.ph'), autocomplete: 'off' });
  const reply = h('textarea', { class: 'ui-textarea', id: 'rule-reply', rows: 3, placeholder: t('ar.placeholder') });
  const titleCount = counter(title, MAX_TITLE);
  const replyCount = counter(reply, MAX_REPLY);
  const saveBtn = h('button', { type: 'submit', class: 'btn btn-primary', id: 'rule-save' }, t('ar.save'));
  const cancel = h('button', { type: 'button', class: 'btn', id: 'rule-cancel' }, t('ar.rule.cancel'));
  const field = (label, input, extra) => h('label', { class: 'rule-field' }, h('span', { class: 'rule-label' }, label), h('span', { class: 'ui-input-wrap' }, input, extra));
  const el = h('form', { class: 'rule-form', id: 'rule-form', hidden: true, novalidate: true },
    field(t('ar.rule.title'), title, titleCount),
    field(t('ar.rule.key1'), key1),
    field(t('ar.rule.key2'), key2),
    field(t('ar.rule.reply'), h('span', { class: 'ui-textarea-wrap' }, reply, replyCount)),
    h('div', { class: 'ar-actions' }, cancel, saveBtn));

  const close = () => {
    el.hidden = true;
    editing = null;
  };
  cancel.addEventListener('click', close);
  el.addEventListener('submit', async (e) => {
    e.preventDefault();
    if (!title.value.trim()) {
      ctx.toast(t('ar.rule.needTitle'));
      return title.focus();
    }
    if (!keywords(key1.value).length && !keywords(key2.value).length) {
      ctx.toast(t('ar.rule.needKey'));
      return key1.focus();
    }
    if (!reply.value.trim()) {
      ctx.toast(t('ar.needReply'));
      return reply.focus();
    }
    saveBtn.disabled = true;
    try {
      await ctx.api.post('/x/im/auto_reply/set_reply_text', {
        type: 2, id: editing ? String(editing.id) : '0', title: title.value.trim(), key1: key1.value, key2: key2.value, reply: reply.value,
      });
      close();
      await done();
      ctx.toast(t('ar.saved'), 'ok');
    } catch (err) {
      if (err.code !== -101) ctx.toast(err.message);
    } finally {
      saveBtn.disabled = false;
    }
  });
  return {
    el,
    open(r) {
      editing = r;
      title.value = r?.title ?? '';
      key1.value = r?.key1 ?? '';
      key2.value = r?.key2 ?? '';
      reply.value = r?.reply ?? '';
      titleCount.update();
      replyCount.update();
      el.hidden = false;
      title.focus();
    },
  };
}
