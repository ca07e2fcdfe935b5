// Small DOM helpers: every text goes in through textContent, never innerHTML, so nothing the API
// returns (a caption, an error message, a plugin id) can inject markup.

/** h('td', {class: 'num'}, 'text', child, [more]) builds an element. */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'class') el.className = value;
    else if (key === 'dataset') Object.assign(el.dataset, value);
    else if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), value);
    else if (key in el && typeof value !== 'string') el[key] = value;
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children) {
    if (child === undefined || child === null || child === false) continue;
    if (Array.isArray(child)) append(el, child);
    else el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

export function clear(el) {
  while (el.firstChild) el.removeChild(el.firstChild);
  return el;
}

export function fmtNumber(value, digits = 3) {
  if (value === undefined || value === null || Number.isNaN(value)) return '–';
  if (typeof value !== 'number') return String(value);
  if (Number.isInteger(value) && Math.abs(value) < 1e6) return String(value);
  const abs = Math.abs(value);
  if (abs !== 0 && (abs < 1e-3 || abs >= 1e6)) return value.toExponential(2);
  return value.toFixed(digits);
}

export function fmtMemory(mb) {
  if (mb === undefined || mb === null) return '–';
  return mb >= 1024 ? `${(mb / 1024).toFixed(1)} GiB` : `${mb} MiB`;
}

export function fmtDuration(seconds) {
  if (seconds === undefined || seconds === null || !Number.isFinite(seconds) || seconds < 0) return '–';
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}

export function fmtAgo(epochMs, now = Date.now()) {
  if (!epochMs) return '–';
  const seconds = Math.max(0, (now - epochMs) / 1000);
  return seconds < 1 ? 'just now' : `${fmtDuration(seconds)} ago`;
}

export function fmtTime(value) {
  if (value === undefined || value === null) return '–';
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? String(value) : date.toLocaleTimeString();
}

/** A state word as a coloured badge: RUNNING, SUCCEEDED, FAILED, pass, fail, ... */
export function badge(state) {
  const word = state === undefined || state === null ? 'unknown' : String(state);
  return h('span', {class: `badge state-${word.toLowerCase()}`}, word);
}

export function message(kind, text) {
  return h('p', {class: `message ${kind}`}, text);
}
