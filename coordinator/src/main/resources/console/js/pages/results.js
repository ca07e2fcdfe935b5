// Results: a job's runs side by side (table and bar charts), per-class IoU, and sample
// predictions (input | truth | prediction) as images.

import {Api, artifactUrl} from '../api.js';
import {barChart} from '../charts.js';
import {badge, clear, fmtNumber, h, message} from '../dom.js';

export const TITLE = 'Results';
export const INTERESTS = ['job'];

const RUN_FIELDS = ['run', 'encoder', 'captions', 'seed'];

/** Depth errors are better low; accuracy, IoU and recall are better high. */
export function lowerIsBetter(metric) {
  return /rmse|absrel|loss|error|mae/i.test(metric);
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
  const table = h('table', {id: 'results-table', class: 'grid'});
  const bars = h('div', {id: 'metric-charts', class: 'chart-grid'});
  const perClass = h('div', {id: 'per-class'});
  const gallery = h('div', {id: 'predictions', class: 'gallery'});
  container.append(
    h('p', {}, h('a', {href: `#/jobs/${encodeURIComponent(jobId)}`}, '← job'), ' · ', h('a', {href: '#/results'}, 'all results')),
    h('h1', {}, 'Results ', h('span', {class: 'mono muted'}, jobId)),
    status, table,
    h('h2', {}, 'Metrics by run'), bars,
    h('h2', {}, 'Per-class IoU'), perClass,
    h('h2', {}, 'Sample predictions'), gallery);

  let charts = [];
  let objectUrls = [];
  let shown = null; // the JSON last drawn: a refresh that changes nothing redraws nothing

  async function refresh() {
    let results;
    try {
      results = await Api.results(jobId);
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
    drawTable(rows, metricNames);
    drawBars(rows, metricNames);
    drawPerClass(rows);
    drawImages(results.images || []);
  }

  function drawTable(rows, metricNames) {
    const best = {};
    for (const m of metricNames) {
      const values = rows.map((r) => (r.metrics || {})[m]).filter(Number.isFinite);
      if (values.length > 1) best[m] = lowerIsBetter(m) ? Math.min(...values) : Math.max(...values);
    }
    clear(table).append(
      h('thead', {}, h('tr', {}, ['Run', 'Encoder', 'Captions', 'Seed'].map((t) => h('th', {}, t)),
        metricNames.map((m) => h('th', {class: 'num', title: lowerIsBetter(m) ? 'lower is better' : 'higher is better'},
          m, lowerIsBetter(m) ? ' ↓' : ' ↑')))),
      h('tbody', {}, rows.length === 0
        ? h('tr', {}, h('td', {colspan: 4 + metricNames.length, class: 'empty'}, 'No run has finished yet.'))
        : rows.map((row) => h('tr', {dataset: {run: row.run}},
          h('td', {class: 'mono'}, row.run), h('td', {}, row.encoder), h('td', {}, row.captions), h('td', {class: 'num'}, row.seed),
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
      charts.push(barChart(canvas, {title: m, labels: rows.map((r) => r.run), values, lowerIsBetter: lowerIsBetter(m)}));
    }
  }

  function drawPerClass(rows) {
    clear(perClass);
    const classes = [...new Set(rows.flatMap((r) => Object.keys(r.perClassIoU || {})))].sort();
    if (classes.length === 0) {
      perClass.append(message('empty', 'No per-class IoU in these results.'));
      return;
    }
    const withClasses = rows.filter((r) => r.perClassIoU);
    perClass.append(h('table', {class: 'grid compact', id: 'per-class-table'},
      h('thead', {}, h('tr', {}, h('th', {}, 'Class'), withClasses.map((r) => h('th', {class: 'num mono'}, r.run)))),
      h('tbody', {}, classes.map((cls) => h('tr', {},
        h('td', {}, cls),
        withClasses.map((r) => h('td', {class: 'num'}, fmtNumber(r.perClassIoU[cls]))))))));
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
    charts.forEach((c) => c.destroy());
    objectUrls.forEach((u) => URL.revokeObjectURL(u));
  }

  return {refresh, dispose, INTERESTS};
}
