// Plugins: the extension points, the plugins the pool offers for each, and their conformance.

import {Api} from '../api.js';
import {badge, clear, h, message} from '../dom.js';

export const TITLE = 'Plugins';
export const INTERESTS = ['worker', 'plugins'];

export function mount(container) {
  const status = h('div', {class: 'status'});
  const publishedSection = h('section', {id: 'published-plugins'});
  const groups = h('div', {id: 'plugin-groups'});
  container.append(h('h1', {}, 'Plugins'), status, publishedSection, groups);

  async function refresh() {
    let plugins;
    let published;
    try {
      ({offered: plugins, published} = await Api.pluginsAndPublished());
    } catch (e) {
      clear(status).append(message('error', `Could not load plugins: ${e.message}`));
      throw e;
    }
    clear(status);
    clear(publishedSection);
    if (published.length) publishedSection.append(publishedTable(published));
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

// Jars published with `recap plugin push`: version, checksum, the kit's verdict, and what each worker did with it.
function publishedTable(published) {
  return h('div', {},
    h('h2', {}, 'Published'),
    h('table', {class: 'grid published'},
      h('thead', {}, h('tr', {}, ['Plugin', 'Version', 'SHA-256', 'Kit', 'Workers'].map((t) => h('th', {}, t)))),
      h('tbody', {}, published.map((p) => h('tr', {dataset: {publishedPlugin: p.pluginId, kit: p.kit || 'pending'}},
        h('td', {class: 'mono'}, p.pluginId),
        h('td', {}, p.version),
        h('td', {class: 'mono', title: p.sha256}, p.shortSha || String(p.sha256 || '').slice(0, 12)),
        h('td', {class: 'conformance'}, badge(p.kit || 'pending'),
          p.kitMessage ? h('div', {class: `conformance-note ${p.kit}`, title: p.kitMessage}, p.kitMessage) : ''),
        h('td', {}, (p.workers || []).length === 0 ? h('span', {class: 'muted'}, 'no worker has reported it yet')
          : (p.workers || []).map((w) => h('div', {class: 'published-worker', dataset: {workerId: w.workerId, state: w.state}},
            h('span', {class: 'mono'}, w.workerId), ' ', badge(w.state),
            w.kit ? [' kit ', badge(w.kit)] : '',
            w.message ? h('div', {class: 'conformance-note', title: w.message}, w.message) : ''))))))));
}
