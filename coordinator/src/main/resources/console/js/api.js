// The one place that talks to the coordinator's REST API. The token lives in sessionStorage
// (gone when the tab closes) and travels only in the Authorization header, never in a URL.

import * as shapes from './shapes.js';

const TOKEN_KEY = 'recap.console.token';
const unauthorizedListeners = new Set();

/** An API call answered 401: the token is missing or wrong. */
export class Unauthorized extends Error {
  constructor(path) {
    super(`The coordinator refused ${path}: the access token is missing or wrong.`);
    this.name = 'Unauthorized';
  }
}

/** An API call answered with an error status; body is the parsed JSON answer when there is one. */
export class ApiError extends Error {
  constructor(path, status, body, text) {
    super(describe(path, status, body, text));
    this.name = 'ApiError';
    this.status = status;
    this.body = body;
  }
}

function describe(path, status, body, text) {
  const detail = body && (body.message || body.error) ? `: ${body.message || body.error}` : (text ? `: ${text.slice(0, 200)}` : '');
  return `${path} answered ${status}${detail}`;
}

/**
 * On first load the token may arrive as /console/#token=...; keep it and take it out of the
 * address bar (and so out of history and of anything copied from it).
 */
export function takeTokenFromFragment() {
  const match = /^#token=([^&]*)/.exec(location.hash);
  if (!match) return false;
  setToken(decodeURIComponent(match[1]));
  history.replaceState(null, '', `${location.pathname}${location.search}#/cluster`);
  return true;
}

export function token() {
  return sessionStorage.getItem(TOKEN_KEY);
}

export function setToken(value) {
  const trimmed = (value || '').trim();
  if (trimmed) sessionStorage.setItem(TOKEN_KEY, trimmed);
  else sessionStorage.removeItem(TOKEN_KEY);
}

export function onUnauthorized(listener) {
  unauthorizedListeners.add(listener);
  return () => unauthorizedListeners.delete(listener);
}

export function reportUnauthorized(path) {
  for (const listener of unauthorizedListeners) listener(path);
}

export function authHeaders(extra = {}) {
  const headers = {Accept: 'application/json', ...extra};
  const current = token();
  if (current) headers.Authorization = `Bearer ${current}`;
  return headers;
}

/** Calls the API and returns the parsed JSON answer (null for an empty one). */
export async function api(path, {method = 'GET', body, contentType, signal} = {}) {
  const headers = authHeaders(body !== undefined && contentType ? {'Content-Type': contentType} : {});
  const response = await fetch(path, {method, headers, body, signal, cache: 'no-store', credentials: 'same-origin'});
  if (response.status === 401) {
    reportUnauthorized(path);
    throw new Unauthorized(path);
  }
  const text = await response.text();
  let data = null;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch (e) {
      if (response.ok) throw new ApiError(path, response.status, null, `not JSON: ${text.slice(0, 100)}`);
    }
  }
  if (!response.ok) throw new ApiError(path, response.status, data, text);
  return data;
}

/**
 * Fetches an artifact (a prediction image) with the token and returns an object URL for an
 * <img>: an <img src> cannot send an Authorization header. Only same-origin /api/ paths are
 * fetched, so a results file cannot make the console send the token elsewhere.
 */
export async function artifactUrl(path) {
  const url = new URL(path, location.href);
  if (url.origin !== location.origin || !url.pathname.startsWith('/api/')) {
    throw new Error(`refusing to fetch artifact outside this coordinator's /api/: ${path}`);
  }
  const response = await fetch(url.pathname + url.search, {headers: authHeaders({Accept: 'image/*'}), cache: 'no-store'});
  if (response.status === 401) {
    reportUnauthorized(path);
    throw new Unauthorized(path);
  }
  if (!response.ok) throw new ApiError(path, response.status, null, '');
  return URL.createObjectURL(await response.blob());
}

export const Api = {
  workers: async () => shapes.workers(await api('/api/workers')),
  jobs: async () => shapes.jobs(await api('/api/jobs')),
  job: async (id) => shapes.job(await api(`/api/jobs/${encodeURIComponent(id)}`)),
  results: (id) => api(`/api/jobs/${encodeURIComponent(id)}/results`),
  plugins: async () => (await Api.pluginsAndPublished()).offered,
  /** {offered: the extensions live workers offer, published: the plugin jars published to the cluster}. */
  pluginsAndPublished: async () => {
    try {
      const answer = await api('/api/plugins');
      return {offered: shapes.plugins(answer), published: shapes.published(answer)};
    } catch (e) {
      // a coordinator without the plugins endpoint: show what the workers advertise
      if (e.status === 404) return {offered: shapes.pluginsOfWorkers(await Api.workers()), published: []};
      throw e;
    }
  },
  submit: async (yaml) => shapes.submitted(await api('/api/jobs', {method: 'POST', body: yaml, contentType: 'application/yaml'})),
};
