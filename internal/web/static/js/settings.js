// 消息设置 (#/config): bilibili's message settings, in three tabs as its settings pages
// group them — the preferences of link_setting/get (each change saved at once with
// link_setting/set), the block words (屏蔽词) and the auto-replies (自动回复, in
// autoreply.js). #/config/block and #/config/autoreply open the other tabs. The
// server's refusals are shown as it words them (toast).
import { h, clear } from './dom.js';
import { t, add } from './i18n.js';
import { toggle, radios, counter } from './widgets.js';
import { autoReply } from './autoreply.js';

add({
  zh: {
    'set.tab.prefs': '基础设置',
    'set.tab.block': '屏蔽词设置',
    'set.tab.autoreply': '自动回复',
    'set.group.interact': '互动通知',
    'set.group.whisper': '私信设置',
    'set.group.fans': '应援团消息',
    'set.msg_notify': '消息提醒',
    'set.msg_notify.desc': '关闭后，消息将不再进行提醒',
    'set.set_comment': '回复我的消息提醒',
    'set.set_comment.desc': '接收谁的评论消息提醒',
    'set.set_at': '@我的消息提醒',
    'set.set_at.desc': '接收谁的@消息提醒',
    'set.who.all': '所有人',
    'set.who.followed': '关注的人',
    'set.who.none': '不接受任何消息提醒',
    'set.set_like': '收到的赞消息提醒',
    'set.set_like.desc': '是否接收点赞消息提醒',
    'set.ai_intercept': '私信智能拦截',
    'set.ai_intercept.desc': '开启后，未关注人发来的含有站外链接、联系方式等可能存在风险的私信将被拦截',
    'set.receive_unfollow_msg': '接收未关注人消息',
    'set.receive_unfollow_msg.desc': '关闭后，未关注的人将无法给你发送私信',
    'set.show_unfollowed_msg': '收起未关注人消息',
    'set.show_unfollowed_msg.desc': '开启后，未关注人消息将被折叠在未关注人消息内',
    'set.should_receive_group': '接收应援团消息',
    'set.should_receive_group.desc': '关闭后，应援团消息将不再提醒',
    'set.is_group_fold': '收起应援团消息',
    'set.is_group_fold.desc': '开启后，应援团消息将被折叠在我的应援团内',
    'set.block.title': '屏蔽词',
    'set.block.desc': '未关注人发来的私信含有屏蔽词时，将被放入被拦截的私信中',
    'set.block.placeholder': '请输入屏蔽词，不支持空格',
    'set.block.add': '添加',
    'set.block.count': '已添加屏蔽词（{n}/{max}）',
    'set.block.empty': '暂未添加屏蔽词',
    'set.block.del': '删除屏蔽词“{word}”',
    'set.load.error': '加载失败：{message}',
    'set.retry': '重试',
  },
  en: {
    'set.tab.prefs': 'General',
    'set.tab.block': 'Blocked words',
    'set.tab.autoreply': 'Auto-reply',
    'set.group.interact': 'Interactions',
    'set.group.whisper': 'Private messages',
    'set.group.fans': 'Fan groups',
    'set.msg_notify': 'Message notifications',
    'set.msg_notify.desc': 'When off, you are no longer notified of messages',
    'set.set_comment': 'Reply notifications',
    'set.set_comment.desc': 'Whose replies to notify you of',
    'set.set_at': 'Mention notifications',
    'set.set_at.desc': 'Whose @-mentions to notify you of',
    'set.who.all': 'Everyone',
    'set.who.followed': 'People I follow',
    'set.who.none': 'Nobody',
    'set.set_like': 'Like notifications',
    'set.set_like.desc': 'Notify you of likes',
    'set.ai_intercept': 'Smart message filter',
    'set.ai_intercept.desc': 'When on, messages from people you don\'t follow that carry outside links or contact details are intercepted',
    'set.receive_unfollow_msg': 'Messages from people I don\'t follow',
    'set.receive_unfollow_msg.desc': 'When off, people you don\'t follow cannot message you',
    'set.show_unfollowed_msg': 'Fold messages from people I don\'t follow',
    'set.show_unfollowed_msg.desc': 'When on, they are folded into "Unfollowed"',
    'set.should_receive_group': 'Fan group messages',
    'set.should_receive_group.desc': 'When off, fan group messages are not notified',
    'set.is_group_fold': 'Fold fan group messages',
    'set.is_group_fold.desc': 'When on, fan group messages are folded into "My fan groups"',
    'set.block.title': 'Blocked words',
    'set.block.desc': 'Messages from people you don\'t follow that contain a blocked word are intercepted',
    'set.block.placeholder': 'Enter a word (no spaces)',
    'set.block.add': 'Add',
    'set.block.count': 'Blocked words ({n}/{max})',
    'set.block.empty': 'No blocked words yet',
    'set.block.del': 'Delete "{word}"',
    'set.load.error': 'Could not load: {message}',
    'set.retry': 'Retry',
  },
});

const TABS = ['prefs', 'block', 'autoreply'];

export function mount(ctx) {
  const tabs = TABS.map((id) => h('a', {
    class: 'set-tab', href: id === 'prefs' ? '#/config' : '#/config/' + id, dataset: { tab: id }, role: 'tab',
  }, t('set.tab.' + id)));
  const body = h('div', { class: 'set-body', role: 'tabpanel' });
  const el = h('section', { class: 'panel settings', id: 'view-settings' },
    h('header', { class: 'panel-head' }, t('menu.config')),
    h('nav', { class: 'set-tabs', role: 'tablist' }, tabs),
    body);

  let current = '';
  let token = 0;
  let alive = true;

  // show draws tab id; a later show (or unmount) makes an earlier one drop its answer.
  async function show(id, force) {
    if (!TABS.includes(id)) id = 'prefs';
    if (id === current && !force) return;
    current = id;
    for (const a of tabs) {
      const on = a.dataset.tab === id;
      a.classList.toggle('active', on);
      a.setAttribute('aria-selected', on ? 'true' : 'false');
    }
    const my = ++token;
    const stale = () => !alive || my !== token;
    clear(body).append(h('div', { class: 'loading' }, t('app.loading')));
    let view;
    try {
      if (id === 'prefs') view = await prefsTab(ctx, stale);
      else if (id === 'block') view = await blockTab(ctx, stale);
      else view = await autoReplyTab(ctx, stale);
    } catch (e) {
      if (stale() || e.code === -101) return;
      view = h('div', { class: 'set-error' },
        h('p', null, t('set.load.error', { message: e.message })),
        h('button', { class: 'btn', type: 'button', onclick: () => show(id, true) }, t('set.retry')));
    }
    if (stale()) return;
    clear(body).append(view);
    body.dataset.tab = id;
  }

  show(ctx.param);
  // No onReset: the live stream says nothing about settings, and its first hello (a
  // reset) comes as the page opens — re-drawing then would wipe what is being typed.
  return {
    el,
    update(param) {
      show(param);
    },
    unmount() {
      alive = false;
      token++;
    },
  };
}

// --- preferences ---------------------------------------------------------------------

async function loadPrefs(ctx) {
  // msg_notify and show_unfollowed_msg are answered only when asked for (any integer).
  const [prefs, sys] = await Promise.all([
    ctx.api.get('/link_setting/v1/link_setting/get', { msg_notify: 1, show_unfollowed_msg: 1 }),
    ctx.api.get('/link_setting/v1/link_setting/get_sys_setting'),
  ]);
  return { prefs: prefs || {}, sys: sys || {} };
}

// savePrefs sends one change of link_setting/set, keeps prefs in step, and shows a
// refusal as the server words it (then rethrows, so the control goes back).
function prefSaver(ctx, prefs) {
  return async (patch) => {
    try {
      await ctx.api.post('/link_setting/v1/link_setting/set', patch);
    } catch (e) {
      if (e.code !== -101) ctx.toast(e.message);
      throw e;
    }
    Object.assign(prefs, patch);
  };
}

function setRow(key, control) {
  return h('div', { class: 'set-row', dataset: { setting: key } },
    h('div', { class: 'set-text' },
      h('div', { class: 'set-label', id: 'set-label-' + key }, t('set.' + key)),
      h('div', { class: 'set-desc' }, t('set.' + key + '.desc'))),
    h('div', { class: 'set-ctl' }, control));
}

function group(title, ...rows) {
  return h('div', { class: 'set-group' }, title ? h('h3', { class: 'set-group-title' }, title) : null, rows);
}

async function prefsTab(ctx, stale) {
  const { prefs, sys } = await loadPrefs(ctx);
  if (stale()) return null;
  const save = prefSaver(ctx, prefs);
  const n = (k, d = 0) => (typeof prefs[k] === 'number' ? prefs[k] : Number(prefs[k] ?? d));

  // A plain 0/1 switch.
  const sw = (key, on = 1, off = 0) =>
    setRow(key, toggle(n(key) === on, (v) => save({ [key]: v ? on : off }), t('set.' + key)));

  // 回复我的 and @我的: bilibili's web page sets the old keys (set_comment, set_at);
  // the app's newer set_recv_reply ("replies and @") applies as well, the stricter of
  // the two winning. The page shows what applies, and a change lowers set_recv_reply
  // when it would override the choice.
  const who = [
    { value: 0, label: t('set.who.all') },
    { value: 1, label: t('set.who.followed') },
    { value: 2, label: t('set.who.none') },
  ];
  const shown = (key) => Math.max(n(key), n('set_recv_reply'));
  const groups = {};
  const whoRow = (key, other) => {
    groups[key] = radios('pref-' + key, who, shown(key), async (v) => {
      const patch = { [key]: v };
      const floor = Math.min(v, n(other));
      if (n('set_recv_reply') > floor) patch.set_recv_reply = floor;
      await save(patch);
      groups.set_comment?.setValue(shown('set_comment'));
      groups.set_at?.setValue(shown('set_at'));
    });
    return setRow(key, groups[key]);
  };
  const likeOn = () => n('set_like') === 0 && n('set_recv_like') === 0;
  const likeRow = setRow('set_like', toggle(likeOn(), (v) => save(v ? { set_like: 0, set_recv_like: 0 } : { set_like: 5 }), t('set.set_like')));

  return h('div', { class: 'set-prefs' },
    group(null,
      setRow('msg_notify', toggle(n('msg_notify', 1) !== 3, (v) => save({ msg_notify: v ? 1 : 3 }), t('set.msg_notify')))),
    group(t('set.group.interact'),
      whoRow('set_comment', 'set_at'),
      whoRow('set_at', 'set_comment'),
      likeRow),
    group(t('set.group.whisper'),
      sw('ai_intercept'),
      sys.is_receive_unfollow_wl === 0 && n('receive_unfollow_msg', 1) === 1 ? null : sw('receive_unfollow_msg'),
      sw('show_unfollowed_msg')),
    group(t('set.group.fans'),
      sw('should_receive_group'),
      sw('is_group_fold')));
}

// --- block words ---------------------------------------------------------------------

async function blockTab(ctx, stale) {
  const input = h('input', { class: 'ui-input', id: 'block-word-input', name: 'block-word', placeholder: t('set.block.placeholder'), autocomplete: 'off' });
  const count = counter(input, 20);
  const addBtn = h('button', { class: 'btn btn-primary', id: 'block-word-add', type: 'submit' }, t('set.block.add'));
  const form = h('form', { class: 'block-form', novalidate: true }, h('div', { class: 'ui-input-wrap' }, input, count), addBtn);
  const summary = h('div', { class: 'block-summary' });
  const list = h('ul', { class: 'block-list', id: 'block-words' });

  const draw = (d) => {
    const words = Array.isArray(d?.words) ? d.words : [];
    const max = d?.max_words_size || 200;
    summary.textContent = t('set.block.count', { n: words.length, max });
    if (!words.length) {
      list.replaceChildren(h('li', { class: 'block-empty' }, t('set.block.empty')));
      return;
    }
    list.replaceChildren(...words.map((w) => {
      const word = String(w.content ?? '');
      const del = h('button', { type: 'button', class: 'block-del', 'aria-label': t('set.block.del', { word }), title: t('set.block.del', { word }) });
      del.addEventListener('click', async () => {
        del.disabled = true;
        try {
          await ctx.api.post('/x/im/link_setting/del_block_word', { content: word });
          await reload();
        } catch (e) {
          del.disabled = false;
          if (e.code !== -101) ctx.toast(e.message);
        }
      });
      return h('li', { class: 'block-chip', dataset: { word } }, h('span', { class: 'block-text' }, word), del);
    }));
  };
  const reload = async () => {
    const d = await ctx.api.get('/x/im/link_setting/get_block_words');
    if (!stale()) draw(d);
  };

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const word = input.value.trim();
    if (!word) {
      input.focus();
      return;
    }
    addBtn.disabled = true;
    try {
      await ctx.api.post('/x/im/link_setting/add_block_word', { content: word });
      input.value = '';
      count.update();
      await reload();
    } catch (err) {
      // 1900004 too long, 1900005 too many, 1900006 duplicate, 1900007 spaces: the
      // server's own words.
      if (err.code !== -101) ctx.toast(err.message);
    } finally {
      addBtn.disabled = false;
      input.focus();
    }
  });

  draw(await ctx.api.get('/x/im/link_setting/get_block_words'));
  if (stale()) return null;
  return h('div', { class: 'set-block' },
    h('div', { class: 'set-card' },
      h('h3', { class: 'set-group-title' }, t('set.block.title')),
      h('p', { class: 'set-desc' }, t('set.block.desc')),
      form,
      summary,
      list));
}

// --- auto-replies --------------------------------------------------------------------

async function autoReplyTab(ctx, stale) {
  const { prefs, sys } = await loadPrefs(ctx);
  if (stale()) return null;
  return autoReply(ctx, { prefs, sys, save: prefSaver(ctx, prefs), stale });
}
