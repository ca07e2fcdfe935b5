// Results: a job's runs side by side (table and bar charts), per-class IoU, and sample
// predictions (input | truth | prediction) as images.

import {Api, artifactUrl} from '../api.js';
import {barChart} from '../charts.js';
import {badge, clear, fmtNumber, h, message} from '../dom.js';

export const TITLE = 'Results';
export const INTERESTS = ['job'];

const RUN_FIELDS = ['run', 'encoder', 'captions', 'seed'];

/**
 * Which way a metric is better: 'lower' for errors and losses (rmse, absRel, sqRel, log10,
 * testLoss), 'higher' for accuracy, IoU, recall and the depth delta thresholds, null for
 * bookkeeping (pairs, steps, samples, seconds, parameters), where no value is best.
 */
export function betterDirection(metric) {
  if (/^(pairs|steps|samples|seconds|wallseconds|parameters|epochs|images)$/i.test(metric)) return null;
  return /rmse|absrel|sqrel|log10|loss|error|mae/i.test(metric) ? 'lower' : 'higher';
}

export function lowerIsBetter(metric) {
  return betterDirection(metric) === 'lower';
}

/** The best of the values for a metric, or undefined when it has no direction or one value. */
function bestOf(metric, values) {
  const direction = betterDirection(metric);
  if (direction === null || values.length < 2) return undefined;
  return direction === 'lower' ? Math.min(...values) : Math.max(...values);
}

/** ' ↓' / ' ↑' after a metric's name, nothing for bookkeeping. */
function arrow(metric) {
  const direction = betterDirection(metric);
  return direction === null ? '' : direction === 'lower' ? ' ↓' : ' ↑';
}

/**
 * What a row measured besides the run: protocol, fraction of the dense data and task
 * ("frozen @ 100% segmentation"); rows of one run in different settings are never averaged.
 */
export function settingOf(row) {
  const parts = [];
  if (row.protocol) parts.push(row.protocol);
  if (Number.isFinite(row.fraction) && row.protocol !== 'retrieval' && row.protocol !== 'pretrain') {
    parts.push(`@ ${Math.round(row.fraction * 100)}%`);
  }
  if (row.task && row.task !== row.protocol) parts.push(row.task);
  return parts.join(' ');
}

/**
 * Groups rows of the same run and setting over seeds: mean and sample standard deviation per
 * metric (sd is null for a single seed).
 */
export function summarizeSeeds(rows, metricNames) {
  const groups = new Map();
  for (const row of rows) {
    const key = `${row.run}\u0000${settingOf(row)}`;
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key).push(row);
  }
  return [...groups.values()].map((group) => {
    const mean = {};
    const sd = {};
    for (const m of metricNames) {
      const values = group.map((r) => (r.metrics || {})[m]).filter(Number.isFinite);
      if (values.length === 0) continue;
      mean[m] = values.reduce((a, b) => a + b, 0) / values.length;
      sd[m] = values.length > 1
        ? Math.sqrt(values.reduce((a, v) => a + (v - mean[m]) ** 2, 0) / (values.length - 1)) : null;
    }
    const setting = settingOf(group[0]);
    return {run: group[0].run, setting, label: setting ? `${group[0].run} · ${setting}` : group[0].run,
      encoder: group[0].encoder, captions: group[0].captions, seeds: group.map((r) => r.seed), mean, sd};
  });
}

export function mount(container, params) {
  return params[0] ? mountResults(container, params[0]) : mountPicker(container);
}

function mountPicker(container) {
  const status = h('div', {class: 'status'});
  const list = h('ul', {id: 'result-jobs', class: 'plain'});
  container.append(h('h1', {}, 'Results'), status, list);

  async function refresh() {
    let jobs;
    try {
      jobs = await Api.jobs();
    } catch (e) {
      clear(status).append(message('error', `Could not load jobs: ${e.message}`));
      throw e;
    }
    clear(status);
    clear(list);
    jobs = [...(jobs || [])].sort((a, b) => (b.submittedAt || 0) - (a.submittedAt || 0));
    if (jobs.length === 0) list.append(h('li', {}, message('empty', 'No job yet.')));
    for (const job of jobs) {
      list.append(h('li', {}, h('a', {href: `#/results/${encodeURIComponent(job.id)}`, dataset: {jobId: job.id}},
        job.name || job.id), ' ', badge(job.state)));
    }
  }

  return {refresh, INTERESTS};
}

function mountResults(container, jobId) {
  const status = h('div', {class: 'status'});
  const reportBlock = h('div', {id: 'report-block'});
  const summaryBlock = h('div', {id: 'results-summary-block'});
  const table = h('table', {id: 'results-table', class: 'grid'});
  const bars = h('div', {id: 'metric-charts', class: 'chart-grid'});
  const perClass = h('div', {id: 'per-class'});
  const gallery = h('div', {id: 'predictions', class: 'gallery'});
  container.append(
    h('p', {}, h('a', {href: `#/jobs/${encodeURIComponent(jobId)}`}, '← job'), ' · ', h('a', {href: '#/results'}, 'all results')),
    h('h1', {}, 'Results ', h('span', {class: 'mono muted'}, jobId)),
    status, reportBlock, summaryBlock, table,
    h('h2', {}, 'Metrics by run'), bars,
    h('h2', {}, 'Per-class IoU'), perClass,
    h('h2', {}, 'Sample predictions'), gallery);

  let charts = [];
  let objectUrls = [];
  let disposed = false;
  let shown = null; // the JSON last drawn: a refresh that changes nothing redraws nothing

  async function refresh() {
    let results;
    try {
      results = await Api.results(jobId);
      if (disposed) return;
    } catch (e) {
      clear(status).append(message(e.status === 404 ? 'empty' : 'error', e.status === 404
        ? `Job ${jobId} has no results yet; they appear when its evaluation stage finishes.`
        : `Could not load results of ${jobId}: ${e.message}`));
      throw e;
    }
    clear(status);
    const json = JSON.stringify(results);
    if (json === shown) return;
    shown = json;
    draw(results || {});
  }

  function draw(results) {
    const rows = results.rows || [];
    const metricNames = (results.columns && results.columns.length ? results.columns : [...new Set(rows.flatMap((r) => Object.keys(r.metrics || {})))])
      .filter((c) => !RUN_FIELDS.includes(c) && c !== 'perClassIoU');
    const summary = summarizeSeeds(rows, metricNames);
    const severalSeeds = summary.some((g) => g.seeds.length > 1);
    drawSummary(severalSeeds ? summary : [], metricNames);
    drawTable(rows, metricNames);
    // with several seeds the bars show each run's mean; with one seed per run, the runs themselves
    drawBars(severalSeeds ? summary.map((g) => ({label: g.label, metrics: g.mean}))
      : rows.map((r) => ({label: settingOf(r) ? `${r.run} · ${settingOf(r)}` : r.run, metrics: r.metrics})), metricNames);
    drawPerClass(rows);
    drawImages(results.images || []);
    drawReport(results.report || {});
  }

  // the report's headline table (headline.json, the table report.md/html open with) and links to
  // the report and its rows; the files come through the authenticated artifact route as blobs
  function drawReport(report) {
    clear(reportBlock);
    if (!report.headline) return;
    const links = h('p', {id: 'report-links'});
    const headline = h('div', {id: 'report-headline'});
    reportBlock.append(h('h2', {}, 'Report'), links, headline);
    for (const [role, label] of [['html', 'report.html'], ['md', 'report.md'], ['csv', 'results.csv'], ['json', 'results.json']]) {
      if (!report[role]) continue;
      const a = h('a', {dataset: {role}, target: '_blank', rel: 'noopener'}, label);
      links.append(a, ' ');
      artifactUrl(report[role]).then((url) => {
        objectUrls.push(url);
        a.href = url;
        if (role !== 'html') a.download = label;
      }).catch((e) => a.replaceWith(message('error', `Could not load ${label}: ${e.message}`)));
    }
    artifactUrl(report.headline).then(async (url) => {
      objectUrls.push(url);
      const table = await (await fetch(url)).json();
      if (disposed) return;
      headline.append(h('table', {id: 'headline-table', class: 'grid'},
        h('thead', {}, h('tr', {}, h('th', {}, 'Run'), table.columns.map((c) => h('th', {class: 'num'}, c.heading)))),
        h('tbody', {}, table.rows.map((row) => h('tr', {dataset: {run: row.run}}, h('td', {class: 'mono'}, row.run),
          row.cells.map((cell, k) => h('td', {class: `num${row.best[k] ? ' best' : ''}`, dataset: {metric: table.columns[k].metric,
            protocol: table.columns[k].protocol, fraction: String(table.columns[k].fraction)}},
          cell === null ? '—' : fmtNumber(cell.mean),
          cell === null || cell.std === null ? '' : h('span', {class: 'muted'}, ` ± ${fmtNumber(cell.std)}`))))))),
        h('p', {class: 'muted'}, table.caption));
    }).catch((e) => headline.append(message('error', `Could not load the headline table: ${e.message}`)));
  }

  function drawSummary(summary, metricNames) {
    clear(summaryBlock);
    if (summary.length === 0) return;
    const best = {};
    for (const m of metricNames) {
      best[m] = bestOf(m, summary.map((g) => g.mean[m]).filter(Number.isFinite));
    }
    summaryBlock.append(
      h('h2', {}, 'Mean ± sd over seeds'),
      h('table', {id: 'results-summary', class: 'grid'},
        h('thead', {}, h('tr', {}, ['Run', 'Setting', 'Encoder', 'Captions', 'Seeds'].map((t) => h('th', {}, t)),
          metricNames.map((m) => h('th', {class: 'num'}, m, arrow(m))))),
        h('tbody', {}, summary.map((g) => h('tr', {dataset: {run: g.run}},
          h('td', {class: 'mono'}, g.run), h('td', {}, g.setting), h('td', {}, g.encoder), h('td', {}, g.captions), h('td', {class: 'num'}, g.seeds.join(', ')),
          metricNames.map((m) => h('td', {class: `num${g.mean[m] === best[m] ? ' best' : ''}`, dataset: {metric: m}},
            fmtNumber(g.mean[m]), g.sd[m] === null || g.sd[m] === undefined ? '' : h('span', {class: 'muted'}, ` ± ${fmtNumber(g.sd[m])}`))))))),
      h('h2', {}, 'Every run and seed'));
  }

  function drawTable(rows, metricNames) {
    const best = {};
    for (const m of metricNames) {
      best[m] = bestOf(m, rows.map((r) => (r.metrics || {})[m]).filter(Number.isFinite));
    }
    clear(table).append(
      h('thead', {}, h('tr', {}, ['Run', 'Setting', 'Encoder', 'Captions', 'Seed'].map((t) => h('th', {}, t)),
        metricNames.map((m) => h('th', betterDirection(m) === null ? {class: 'num'}
          : {class: 'num', title: `${betterDirection(m)} is better`}, m, arrow(m))))),
      h('tbody', {}, rows.length === 0
        ? h('tr', {}, h('td', {colspan: 5 + metricNames.length, class: 'empty'}, 'No run has finished yet.'))
        : rows.map((row) => h('tr', {dataset: {run: row.run}},
          h('td', {class: 'mono'}, row.run), h('td', {}, settingOf(row)), h('td', {}, row.encoder), h('td', {}, row.captions), h('td', {class: 'num'}, row.seed),
          metricNames.map((m) => {
            const value = (row.metrics || {})[m];
            return h('td', {class: `num${value === best[m] ? ' best' : ''}`, dataset: {metric: m}}, fmtNumber(value));
          })))));
  }

  function drawBars(rows, metricNames) {
    charts.forEach((c) => c.destroy());
    charts = [];
    clear(bars);
    for (const m of metricNames) {
      const values = rows.map((r) => (r.metrics || {})[m]);
      if (!values.some(Number.isFinite)) continue;
      const canvas = h('canvas', {});
      bars.append(h('div', {class: 'chart-box', dataset: {metric: m}}, canvas));
      // only the rows that have this metric: a depth metric gets no empty bars for segmentation rows
      const shown = rows.filter((r) => Number.isFinite((r.metrics || {})[m]));
      charts.push(barChart(canvas, {title: m, labels: shown.map((r) => r.label), values: shown.map((r) => r.metrics[m]),
        better: betterDirection(m)}));
    }
  }

  // one column per run; with several seeds of a run, the mean over its seeds
  function drawPerClass(rows) {
    clear(perClass);
    const classes = [...new Set(rows.flatMap((r) => Object.keys(r.perClassIoU || {})))].sort();
    if (classes.length === 0) {
      perClass.append(message('empty', 'No per-class IoU in these results.'));
      return;
    }
    const byRun = new Map();
    for (const row of rows.filter((r) => r.perClassIoU)) {
      if (!byRun.has(row.run)) byRun.set(row.run, []);
      byRun.get(row.run).push(row.perClassIoU);
    }
    const meanOf = (tables, cls) => {
      const values = tables.map((t) => t[cls]).filter(Number.isFinite);
      return values.length ? values.reduce((a, b) => a + b, 0) / values.length : null;
    };
    perClass.append(h('table', {class: 'grid compact', id: 'per-class-table'},
      h('thead', {}, h('tr', {}, h('th', {}, 'Class'), [...byRun.keys()].map((run) => h('th', {class: 'num mono'}, run)))),
      h('tbody', {}, classes.map((cls) => h('tr', {},
        h('td', {}, cls),
        [...byRun.values()].map((tables) => h('td', {class: 'num'}, fmtNumber(meanOf(tables, cls)))))))));
  }

  function drawImages(images) {
    objectUrls.forEach((u) => URL.revokeObjectURL(u));
    objectUrls = [];
    clear(gallery);
    if (images.length === 0) gallery.append(message('empty', 'No prediction images in these results.'));
    for (const image of images) {
      const img = h('img', {class: 'prediction', alt: `${image.kind} prediction of ${image.run}`,
        dataset: {run: image.run, kind: image.kind}});
      const caption = h('figcaption', {}, h('span', {class: 'mono'}, image.run), ` · ${image.kind} · input | truth | prediction`);
      gallery.append(h('figure', {}, img, caption));
      artifactUrl(image.url).then((url) => {
        objectUrls.push(url);
        img.src = url;
        img.dataset.loaded = 'true';
      }).catch((e) => {
        img.replaceWith(message('error', `Could not load ${image.url}: ${e.message}`));
      });
    }
  }

  function dispose() {
    disposed = true;
    charts.forEach((c) => c.destroy());
    objectUrls.forEach((u) => URL.revokeObjectURL(u));
  }

  return {refresh, dispose, INTERESTS};
}
