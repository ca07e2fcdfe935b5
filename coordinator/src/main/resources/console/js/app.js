// The console's shell: hash routing between pages, the token prompt, and the live feed that
// tells the visible page to refresh.

import {onUnauthorized, setToken, takeTokenFromFragment, token} from './api.js';
import {LiveFeed} from './live.js';
import {clear, h} from './dom.js';
import * as cluster from './pages/cluster.js';
import * as jobs from './pages/jobs.js';
import * as results from './pages/results.js';
import * as plugins from './pages/plugins.js';
import * as submit from './pages/submit.js';

const PAGES = {cluster, jobs, results, plugins, submit};
const REFRESH_DEBOUNCE_MS = 300;

const view = document.getElementById('view');
const liveStatus = document.getElementById('live-status');
const dialog = document.getElementById('token-dialog');
const tokenInput = document.getElementById('token-input');
const tokenReason = document.getElementById('token-reason');

let page = null;
let refreshTimer = null;

function route() {
  const path = (location.hash.replace(/^#\/?/, '') || 'cluster').split('/').map(decodeURIComponent);
  const name = PAGES[path[0]] ? path[0] : 'cluster';
  return {name, params: path.slice(1)};
}

function show() {
  if (page && page.dispose) page.dispose();
  clearTimeout(refreshTimer);
  refreshTimer = null; // else refreshSoon() on the new page waits for a timer that will never fire
  const {name, params} = route();
  for (const link of document.querySelectorAll('#nav a')) {
    link.classList.toggle('active', link.dataset.page === name);
  }
  clear(view);
  const container = h('section', {id: `page-${name}`, class: 'page'});
  view.append(container);
  document.title = `Recap · ${PAGES[name].TITLE}`;
  page = PAGES[name].mount(container, params);
  refreshNow();
}

// One refresh per page at a time: a slow answer must not land after a newer one.
function refreshNow() {
  const current = page;
  if (!current || !current.refresh) return;
  if (current.busy) {
    current.again = true;
    return;
  }
  current.busy = true;
  current.refresh().catch((e) => {
    // 401s open the token prompt through onUnauthorized; anything else is shown on the page
    if (e.name !== 'Unauthorized') console.warn(e.message);
  }).finally(() => {
    current.busy = false;
    if (current.again && current === page) {
      current.again = false;
      refreshNow();
    }
  });
}

function refreshSoon() {
  if (refreshTimer) return;
  refreshTimer = setTimeout(() => {
    refreshTimer = null;
    refreshNow();
  }, REFRESH_DEBOUNCE_MS);
}

function setMode(mode) {
  liveStatus.dataset.mode = mode;
  liveStatus.textContent = {stream: 'live', polling: 'polling every 2 s', unauthorized: 'token needed',
    stopped: 'stopped', starting: 'starting'}[mode] || mode;
}

const feed = new LiveFeed({
  onEvent: (event) => {
    if (!page) return;
    const handled = page.onEvent ? page.onEvent(event) : false;
    if (!handled && (!page.INTERESTS || page.INTERESTS.includes(event.type))) refreshSoon();
  },
  onPoll: refreshNow,
  onMode: setMode,
});

function askForToken(reason) {
  tokenReason.textContent = reason;
  tokenInput.value = '';
  if (!dialog.open) dialog.showModal();
  tokenInput.focus();
}

document.getElementById('token-form').addEventListener('submit', (e) => {
  e.preventDefault();
  setToken(tokenInput.value);
  tokenInput.value = '';
  dialog.close();
  feed.start();
  show();
});
document.getElementById('token-forget').addEventListener('click', () => {
  setToken('');
  tokenInput.value = '';
});
document.getElementById('token-button').addEventListener('click', () =>
  askForToken('Enter the coordinator\'s access token (it replaces the one this tab holds).'));

onUnauthorized(() => {
  setMode('unauthorized');
  feed.stop();
  askForToken(token()
    ? 'The coordinator refused the token this tab holds (401). Enter the current token.'
    : 'The coordinator asks for its access token (401). It was printed once when the coordinator started, or set in its configuration.');
});

window.addEventListener('hashchange', show);
takeTokenFromFragment();
show();
feed.start();
