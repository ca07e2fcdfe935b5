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
          h('tbody', {}, rows.map((plugin) => h('tr', {dataset: {pluginId: plugin.id}},
            h('td', {class: 'mono'}, plugin.id),
            h('td', {}, plugin.version),
            h('td', {title: (plugin.workers || []).join(', ')},
              `${(plugin.workers || []).length} `, h('span', {class: 'muted'}, (plugin.workers || []).join(', '))),
            h('td', {class: 'conformance'}, badge(plugin.conformance || 'unknown'))))))));
    }
  }

  return {refresh, INTERESTS};
}
