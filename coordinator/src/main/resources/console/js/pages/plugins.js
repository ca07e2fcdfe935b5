// Plugins: the extension points, the plugins the pool offers for each, and their conformance.

import {Api} from '../api.js';
import {badge, clear, h, message} from '../dom.js';

export const TITLE = 'Plugins';
export const INTERESTS = ['worker'];

export function mount(container) {
  const status = h('div', {class: 'status'});
  const groups = h('div', {id: 'plugin-groups'});
  container.append(h('h1', {}, 'Plugins'), status, groups);

  async function refresh() {
    let plugins;
    try {
      plugins = await Api.plugins();
    } catch (e) {
      clear(status).append(message('error', `Could not load plugins: ${e.message}`));
      throw e;
    }
    clear(status);
    clear(groups);
    const byPoint = new Map();
    for (const plugin of plugins || []) {
      const point = plugin.extensionPoint || 'unknown extension point';
      if (!byPoint.has(point)) byPoint.set(point, []);
      byPoint.get(point).push(plugin);
    }
    if (byPoint.size === 0) groups.append(message('empty', 'No worker offers a plugin yet.'));
    for (const point of [...byPoint.keys()].sort()) {
      const rows = byPoint.get(point).sort((a, b) => String(a.id).localeCompare(String(b.id)));
      groups.append(h('section', {class: 'plugin-group', dataset: {extensionPoint: point}},
        h('h2', {class: 'mono'}, point),
        h('table', {class: 'grid plugins'},
          h('thead', {}, h('tr', {}, ['Plugin', 'Version', 'Workers', 'Conformance'].map((t) => h('th', {}, t)))),
          h('tbody', {}, rows.map((plugin) => h('tr', {dataset: {pluginId: plugin.id, conformance: plugin.conformance || 'unknown'}},
            h('td', {class: 'mono'}, plugin.id),
            h('td', {}, plugin.version),
            h('td', {title: (plugin.workers || []).join(', ')},
              `${(plugin.workers || []).length} `, h('span', {class: 'muted'}, (plugin.workers || []).join(', '))),
            conformanceCell(plugin)))))));
    }
  }

  return {refresh, INTERESTS};
}

// The aggregated verdict, and under it what each worker's kit said when it did not simply pass.
function conformanceCell(plugin) {
  const reports = plugin.conformanceReports || [];
  const notes = reports.filter((r) => r.status && r.status !== 'pass' && r.status !== 'pending' && r.message)
    .map((r) => h('div', {class: `conformance-note ${r.status}`, title: r.message},
      h('span', {class: 'mono'}, r.workerId), `: ${r.message}`));
  const timed = reports.filter((r) => r.status === 'pass' && r.millis !== undefined);
  const title = timed.length ? timed.map((r) => `${r.workerId}: ${r.millis} ms`).join(', ') : '';
  return h('td', {class: 'conformance', title}, badge(plugin.conformance || 'unknown'), ...notes);
}
