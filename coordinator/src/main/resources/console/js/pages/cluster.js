// Cluster: every worker the coordinator knows, with what it offers and what it is doing.

import {Api} from '../api.js';
import {clear, fmtAgo, fmtMemory, h, message} from '../dom.js';

export const TITLE = 'Cluster';
export const INTERESTS = ['worker'];

// a worker silent for longer than this is drawn as stale (the coordinator decides when it is gone)
const STALE_MS = 15000;

export function mount(container) {
  const count = h('span', {id: 'worker-count', class: 'count'}, '…');
  const body = h('tbody');
  const status = h('div', {class: 'status'});
  container.append(
    h('h1', {}, 'Cluster ', count),
    status,
    h('table', {id: 'workers', class: 'grid'},
      h('thead', {}, h('tr', {},
        ['Worker', 'Host', 'Device', 'Cores', 'Memory', 'Plugins', 'Current task', 'Last heartbeat']
          .map((title) => h('th', {}, title)))),
      body));

  async function refresh() {
    let workers;
    try {
      workers = await Api.workers();
    } catch (e) {
      clear(status).append(message('error', `Could not load workers: ${e.message}`));
      throw e;
    }
    clear(status);
    const now = Date.now();
    workers = [...(workers || [])].sort((a, b) => String(a.id).localeCompare(String(b.id)));
    count.textContent = `${workers.length} worker${workers.length === 1 ? '' : 's'}`;
    count.dataset.count = workers.length;
    clear(body);
    if (workers.length === 0) {
      body.append(h('tr', {}, h('td', {colspan: 8, class: 'empty'}, 'No worker has joined yet.')));
    }
    for (const worker of workers) {
      const stale = worker.lastHeartbeat && now - worker.lastHeartbeat > STALE_MS;
      body.append(h('tr', {dataset: {workerId: worker.id}, class: stale ? 'stale' : ''},
        h('td', {class: 'mono'}, worker.id),
        h('td', {}, worker.host),
        h('td', {}, worker.device),
        h('td', {class: 'num'}, worker.cores),
        h('td', {class: 'num'}, fmtMemory(worker.memoryMb)),
        h('td', {}, (worker.plugins || []).length === 0 ? h('span', {class: 'idle'}, 'none loaded')
          : worker.plugins.map((p) => h('span', {class: 'chip', title: p.extensionPoint || ''}, `${p.id} ${p.version || ''}`.trim()))),
        h('td', {class: 'mono'}, worker.currentTask || h('span', {class: 'idle'}, 'idle')),
        h('td', {title: worker.lastHeartbeat ? new Date(worker.lastHeartbeat).toISOString() : ''},
          fmtAgo(worker.lastHeartbeat, now))));
    }
  }

  return {refresh, INTERESTS};
}
