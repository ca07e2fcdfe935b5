// Reads the coordinator's answers into the shapes the pages draw. It accepts the HTTP contract
// the console was written against (see dev.recap.coordinator.console's package-info) and the
// coordinator's own REST shapes where they differ (wrapped lists, jobId, workerId, memoryBytes,
// lastSeenMillis, submittedAtMillis, problems), so neither side has to move first.

function list(answer, key) {
  if (Array.isArray(answer)) return answer;
  if (answer && Array.isArray(answer[key])) return answer[key];
  return [];
}

export function worker(w) {
  const memoryMb = w.memoryMb ?? (Number.isFinite(w.memoryBytes) ? Math.round(w.memoryBytes / (1024 * 1024)) : undefined);
  let currentTask = w.currentTask;
  if (currentTask === undefined && Number.isFinite(w.leases)) {
    currentTask = w.leases > 0 ? `${w.leases} task${w.leases === 1 ? '' : 's'} leased` : null;
  }
  return {...w, id: w.id ?? w.workerId, memoryMb, currentTask, lastHeartbeat: w.lastHeartbeat ?? w.lastSeenMillis};
}

export function workers(answer) {
  return list(answer, 'workers').map(worker);
}

export function job(j) {
  return {...j, id: j.id ?? j.jobId, submittedAt: j.submittedAt ?? j.submittedAtMillis, stages: j.stages || []};
}

export function jobs(answer) {
  return list(answer, 'jobs').map(job);
}

export function plugins(answer) {
  return list(answer, 'plugins');
}

/** The plugin jars published to the cluster (an older coordinator lists none). */
export function published(answer) {
  return (answer && Array.isArray(answer.published)) ? answer.published : [];
}

/** Without a plugins endpoint: the plugins the live workers advertise, conformance unknown. */
export function pluginsOfWorkers(workerList) {
  const byKey = new Map();
  for (const w of workerList) {
    for (const p of w.plugins || []) {
      const key = `${p.extensionPoint}|${p.id}|${p.version}`;
      if (!byKey.has(key)) byKey.set(key, {id: p.id, version: p.version, extensionPoint: p.extensionPoint, workers: [], conformance: 'unknown'});
      byKey.get(key).workers.push(w.id);
    }
  }
  return [...byKey.values()];
}

export function submitted(answer) {
  return {id: answer && (answer.id ?? answer.jobId)};
}

/**
 * Validation errors as [{field, line, message}]; a line missing from an error is read from a
 * field such as "line 3, column 5" (how a YAML syntax error is located).
 */
export function specErrors(body) {
  const raw = (body && (body.errors || body.problems)) || [];
  return raw.map((e) => {
    let line = Number.isInteger(e.line) ? e.line : undefined;
    if (line === undefined) {
      const match = /line (\d+)/i.exec(`${e.field || ''} ${e.message || ''}`);
      if (match) line = Number(match[1]);
    }
    return {field: e.field, line, message: e.message};
  });
}
