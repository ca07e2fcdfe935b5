// Jobs: every job with its stages' progress; one job's detail with live training charts and its
// events log.

import {Api} from '../api.js';
import {StepChart} from '../charts.js';
import {badge, clear, fmtDuration, fmtNumber, fmtTime, h, message} from '../dom.js';

export const TITLE = 'Jobs';
export const INTERESTS = ['job', 'event', 'metric'];

// series names end with these suffixes: "<stage>/loss", "<stage>/lr", ...
const CHARTS = [
  {suffix: 'loss', title: 'Training loss'},
  {suffix: 'logit_scale', title: 'Logit scale'},
  {suffix: 'lr', title: 'Learning rate'},
  {suffix: 'images_per_sec', title: 'Throughput (images/s)'},
];

/** Percent of tasks done over all stages, 0-100, as an integer (100 only when all are done). */
export function jobPercent(job) {
  let done = 0;
  let total = 0;
  for (const stage of job.stages || []) {
    done += stage.tasksDone || 0;
    total += stage.tasksTotal || 0;
  }
  if (total === 0) return 0;
  return done >= total ? 100 : Math.floor((100 * done) / total);
}

function finished(stage) {
  return /^(succeeded|completed|done|finished)$/i.test(stage.state || '');
}

function progress(done, total, attrs = {}) {
  return h('progress', {max: Math.max(total || 0, 1), value: Math.min(done || 0, total || 0), ...attrs});
}

function stageSummary(stage) {
  return h('div', {class: 'stage-mini', dataset: {stage: stage.name}, title: `${stage.name}: ${stage.state}`},
    h('span', {class: 'stage-name'}, stage.name),
    progress(stage.tasksDone, stage.tasksTotal),
    h('span', {class: 'muted'}, `${stage.tasksDone || 0}/${stage.tasksTotal || 0}`),
    h('span', {class: 'muted'}, stage.samplesPerSec ? `${fmtNumber(stage.samplesPerSec, 1)}/s` : ''),
    h('span', {class: 'muted'}, finished(stage) ? 'done' : (Number.isFinite(stage.etaSeconds) ? `ETA ${fmtDuration(stage.etaSeconds)}` : '')));
}

export function mount(container, params) {
  return params[0] ? mountDetail(container, params[0]) : mountList(container);
}

function mountList(container) {
  const status = h('div', {class: 'status'});
  const list = h('div', {id: 'job-list', class: 'cards'});
  container.append(h('h1', {}, 'Jobs'), status, list);

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
    if (jobs.length === 0) list.append(message('empty', 'No job yet. Submit one from the Submit page.'));
    for (const job of jobs) {
      const percent = jobPercent(job);
      list.append(h('a', {class: 'card job-card', href: `#/jobs/${encodeURIComponent(job.id)}`, dataset: {jobId: job.id}},
        h('div', {class: 'card-head'},
          h('strong', {}, job.name || job.id), h('span', {class: 'mono muted'}, job.id), badge(job.state),
          h('span', {class: 'muted right'}, job.submittedAt ? `submitted ${fmtTime(job.submittedAt)}` : '')),
        h('div', {class: 'job-overall'}, progress(percent, 100), h('span', {class: 'percent'}, `${percent}%`)),
        h('div', {class: 'stages-mini'}, (job.stages || []).map(stageSummary))));
    }
  }

  return {refresh, INTERESTS};
}

function mountDetail(container, jobId) {
  const heading = h('h1', {}, 'Job ', h('span', {class: 'mono'}, jobId));
  const status = h('div', {class: 'status'});
  const overallBar = progress(0, 100, {id: 'job-progress-bar'});
  const overallText = h('span', {id: 'job-progress', class: 'percent', dataset: {percent: 0}}, '0%');
  const stateBadge = h('span', {id: 'job-state'});
  const stagesBody = h('tbody');
  const eventsBody = h('tbody');
  const chartGrid = h('div', {class: 'chart-grid two'});
  const charts = new Map();
  for (const spec of CHARTS) {
    const canvas = h('canvas', {id: `chart-${spec.suffix}`});
    chartGrid.append(h('div', {class: 'chart-box', dataset: {series: spec.suffix}}, canvas));
    charts.set(spec.suffix, new StepChart(canvas, {title: spec.title, logScale: false}));
  }
  container.append(
    h('p', {}, h('a', {href: '#/jobs'}, '← all jobs'), ' · ',
      h('a', {href: `#/results/${encodeURIComponent(jobId)}`, id: 'results-link'}, 'results')),
    heading, status,
    h('div', {class: 'job-overall big'}, stateBadge, overallBar, overallText),
    h('table', {id: 'stages', class: 'grid'},
      h('thead', {}, h('tr', {}, ['Stage', 'Kind', 'State', 'Tasks', 'Samples/s', 'ETA'].map((t) => h('th', {}, t)))),
      stagesBody),
    h('h2', {}, 'Training'),
    chartGrid,
    h('h2', {}, 'Events'),
    h('div', {class: 'events-scroll'},
      h('table', {id: 'events', class: 'grid compact'},
        h('thead', {}, h('tr', {}, ['Time', 'Level', 'Kind', 'Message'].map((t) => h('th', {}, t)))),
        eventsBody)));

  let disposed = false;

  async function refresh() {
    let job;
    try {
      job = await Api.job(jobId);
      if (disposed) return; // the user moved on while the answer travelled
    } catch (e) {
      clear(status).append(message('error', e.status === 404 ? `No job ${jobId} on this coordinator.` : `Could not load job ${jobId}: ${e.message}`));
      throw e;
    }
    clear(status);
    clear(heading).append(job.name || 'Job', ' ', h('span', {class: 'mono muted'}, job.id));
    clear(stateBadge).append(badge(job.state));
    if (job.cause) status.append(message('error', `Cause: ${job.cause}`));
    const percent = jobPercent(job);
    overallBar.value = percent;
    overallText.textContent = `${percent}%`;
    overallText.dataset.percent = percent;
    clear(stagesBody);
    for (const stage of job.stages || []) {
      stagesBody.append(h('tr', {dataset: {stage: stage.name}},
        h('td', {class: 'mono'}, stage.name),
        h('td', {}, stage.kind),
        h('td', {}, badge(stage.state)),
        h('td', {class: 'progress-cell'}, progress(stage.tasksDone, stage.tasksTotal),
          h('span', {class: 'muted'}, ` ${stage.tasksDone || 0} / ${stage.tasksTotal || 0}`)),
        h('td', {class: 'num'}, fmtNumber(stage.samplesPerSec, 1)),
        h('td', {class: 'num'}, finished(stage) ? 'done' : fmtDuration(stage.etaSeconds))));
    }
    const series = job.series || {};
    for (const [suffix, chart] of charts) {
      const named = {};
      for (const [name, points] of Object.entries(series)) {
        if (name === suffix || name.endsWith(`/${suffix}`)) named[name] = points;
      }
      chart.setSeries(named);
    }
    clear(eventsBody);
    const events = [...(job.events || [])].reverse(); // newest first
    if (events.length === 0) eventsBody.append(h('tr', {}, h('td', {colspan: 4, class: 'empty'}, 'No events yet.')));
    for (const event of events) {
      const level = String(event.level || 'info').toLowerCase();
      eventsBody.append(h('tr', {class: `level-${level}`},
        h('td', {class: 'mono'}, fmtTime(event.time)),
        h('td', {}, level),
        h('td', {class: 'mono'}, event.kind),
        h('td', {}, event.message)));
    }
  }

  // A metric event for this job ({type: 'metric', jobId, series: "<stage>/loss", step, value})
  // goes straight into its chart; anything else about this job refreshes the page.
  function onEvent(event) {
    if (disposed) return true;
    if (event.type !== 'metric' || event.jobId !== jobId) return event.jobId !== undefined && event.jobId !== jobId;
    const name = event.series || event.name;
    if (typeof name !== 'string' || !Number.isFinite(event.step) || !Number.isFinite(event.value)) return false;
    const suffix = CHARTS.map((c) => c.suffix).find((s) => name === s || name.endsWith(`/${s}`));
    if (!suffix) return true;
    charts.get(suffix).append(name, event.step, event.value);
    return true;
  }

  function dispose() {
    disposed = true;
    for (const chart of charts.values()) chart.destroy();
  }

  return {refresh, onEvent, dispose, INTERESTS};
}
