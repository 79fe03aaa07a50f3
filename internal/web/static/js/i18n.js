// Labels in Chinese (bilibili's own, the default) and English. Each module adds its
// own strings with add(), so views do not share one big table.
const dicts = { zh: {}, en: {} };
const KEY = 'bilimsg.lang';
let current = 'zh';
try {
  const saved = localStorage.getItem(KEY);
  if (saved === 'en' || saved === 'zh') current = saved;
} catch { /* storage may be off */ }

export function lang() {
  return current;
}

export function add(d) {
  for (const [l, strings] of Object.entries(d)) Object.assign((dicts[l] ??= {}), strings);
}

// t looks key up in the current language, then Chinese, then shows the key. {name}
// placeholders are filled from vars (as text: the result is always used as text).
export function t(key, vars) {
  let s = dicts[current][key] ?? dicts.zh[key] ?? key;
  if (vars) s = s.replace(/\{(\w+)\}/g, (m, k) => (k in vars ? String(vars[k]) : m));
  return s;
}

// setLang switches the language and tells the app to draw itself again.
export function setLang(l) {
  if (l !== 'zh' && l !== 'en') return;
  current = l;
  try {
    localStorage.setItem(KEY, l);
  } catch { /* ignore */ }
  document.documentElement.lang = l === 'zh' ? 'zh-CN' : 'en';
  window.dispatchEvent(new Event('langchange'));
}

add({
  zh: {
    'time.yesterday': '昨天',
    'app.title': '消息中心',
    'menu.whisper': '我的消息',
    'menu.reply': '回复我的',
    'menu.at': '@ 我的',
    'menu.love': '收到的赞',
    'menu.system': '系统通知',
    'menu.config': '消息设置',
    'app.logout': '退出登录',
    'app.lang': 'English',
    'app.live.on': '实时连接',
    'app.live.off': '正在重新连接…',
    'app.loading': '加载中…',
    'app.error': '出错了：{message}',
    'app.retry': '重试',
    'login.title': '登录',
    'login.account': '账号',
    'login.account.hint': 'UID 或昵称',
    'login.password': '密码',
    'login.submit': '登录',
    'login.busy': '登录中…',
    'login.note': '由 bilimsg 服务器的管理员创建的账号可以登录。',
  },
  en: {
    'time.yesterday': 'Yesterday',
    'app.title': 'Messages',
    'menu.whisper': 'My messages',
    'menu.reply': 'Replies',
    'menu.at': 'Mentions',
    'menu.love': 'Likes',
    'menu.system': 'Notifications',
    'menu.config': 'Settings',
    'app.logout': 'Log out',
    'app.lang': '中文',
    'app.live.on': 'Live',
    'app.live.off': 'Reconnecting…',
    'app.loading': 'Loading…',
    'app.error': 'Something went wrong: {message}',
    'app.retry': 'Retry',
    'login.title': 'Log in',
    'login.account': 'Account',
    'login.account.hint': 'UID or name',
    'login.password': 'Password',
    'login.submit': 'Log in',
    'login.busy': 'Logging in…',
    'login.note': 'Accounts created by this bilimsg server\'s operator can log in.',
  },
});
