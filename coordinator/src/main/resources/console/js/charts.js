// Thin wrappers over the vendored Chart.js (window.Chart): line charts of step series and bar
// charts of run metrics, updated in place so live data does not rebuild the canvas.

const PALETTE = ['#2563eb', '#dc2626', '#16a34a', '#9333ea', '#ea580c', '#0891b2', '#ca8a04', '#db2777'];

export function colour(i) {
  return PALETTE[i % PALETTE.length];
}

function library() {
  if (!window.Chart) throw new Error('Chart.js did not load (vendor/chart.umd.min.js)');
  return window.Chart;
}

/** A line chart of named [[step, value], ...] series; setSeries() replaces them, append() adds a point. */
export class StepChart {
  constructor(canvas, {title, logScale = false}) {
    const Chart = library();
    this.title = title;
    this.raw = new Map();
    this.chart = new Chart(canvas, {
      type: 'line',
      data: {datasets: []},
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        parsing: false,
        normalized: true,
        interaction: {mode: 'nearest', intersect: false},
        plugins: {
          title: {display: true, text: title},
          legend: {position: 'bottom', labels: {boxWidth: 12}},
          // long runs have many thousands of steps: draw a shape-preserving sample of them
          decimation: {enabled: true, algorithm: 'lttb', samples: 600},
        },
        scales: {
          x: {type: 'linear', title: {display: true, text: 'step'}},
          y: {type: logScale ? 'logarithmic' : 'linear'},
        },
        elements: {point: {radius: 0}, line: {borderWidth: 1.5}},
      },
    });
  }

  // The decimation plugin swaps a dataset's `data` for a sample of it, so the full series are kept
  // here and handed to Chart.js whole on every change.
  setSeries(named) {
    const names = Object.keys(named).sort();
    this.raw = new Map(names.map((name) => [name, (named[name] || []).map(([x, y]) => ({x, y}))]));
    this.sync();
  }

  append(name, step, value) {
    if (!this.raw.has(name)) this.raw.set(name, []);
    this.raw.get(name).push({x: step, y: value});
    this.sync();
  }

  sync() {
    const datasets = this.chart.data.datasets;
    const names = [...this.raw.keys()];
    names.forEach((name, i) => {
      let dataset = datasets.find((d) => d.label === name);
      if (!dataset) {
        dataset = {label: name, borderColor: colour(i), backgroundColor: colour(i)};
        datasets.push(dataset);
      }
      dataset.data = this.raw.get(name);
    });
    this.chart.data.datasets = datasets.filter((d) => names.includes(d.label));
    this.chart.options.plugins.title.text = this.pointCount() > 0 ? this.title : `${this.title}: no points yet`;
    this.chart.update('none');
  }

  pointCount() {
    let n = 0;
    for (const points of this.raw.values()) n += points.length;
    return n;
  }

  destroy() {
    this.chart.destroy();
  }
}

/**
 * A bar chart of one metric across runs; better ('lower', 'higher' or null for a
 * bookkeeping metric) picks the highlighted bar and the title's hint.
 */
export function barChart(canvas, {title, labels, values, better}) {
  const Chart = library();
  const finite = values.filter(Number.isFinite);
  const best = better && finite.length > 1 ? (better === 'lower' ? Math.min(...finite) : Math.max(...finite)) : null;
  return new Chart(canvas, {
    type: 'bar',
    data: {
      labels,
      datasets: [{
        label: title,
        data: values,
        backgroundColor: values.map((v) => (v === best ? '#16a34a' : '#93c5fd')),
      }],
    },
    options: {
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      plugins: {
        title: {display: true, text: better ? `${title} (${better} is better)` : title},
        legend: {display: false},
      },
      scales: {x: {ticks: {autoSkip: false, maxRotation: 45}}},
    },
  });
}
