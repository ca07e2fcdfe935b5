// Live updates: Server-Sent Events from /api/stream read with fetch() + ReadableStream, because
// EventSource cannot send the Authorization header. When the stream cannot be opened or breaks,
// the console polls every 2 s and tries the stream again every 30 s.

import {authHeaders, reportUnauthorized} from './api.js';

const POLL_MS = 2000;
const STREAM_RETRY_MS = 30000;

/** Splits an SSE byte stream (already decoded to text) into the JSON payloads of its events. */
export class SseParser {
  constructor(onData) {
    this.onData = onData;
    this.buffer = '';
  }

  push(text) {
    this.buffer += text;
    let boundary;
    while ((boundary = /\r?\n\r?\n/.exec(this.buffer)) !== null) {
      const block = this.buffer.slice(0, boundary.index);
      this.buffer = this.buffer.slice(boundary.index + boundary[0].length);
      this.dispatch(block);
    }
  }

  dispatch(block) {
    const data = [];
    for (const line of block.split(/\r?\n/)) {
      if (line.startsWith(':')) continue; // comment / keep-alive
      if (line.startsWith('data:')) data.push(line.slice(line.startsWith('data: ') ? 6 : 5));
    }
    if (data.length === 0) return;
    try {
      this.onData(JSON.parse(data.join('\n')));
    } catch (e) {
      console.warn('ignoring an event that is not JSON', data.join('\n'));
    }
  }
}

/**
 * onEvent(event) gets each streamed event; onPoll() is called every 2 s while polling;
 * onMode(mode) hears 'stream' | 'polling' | 'unauthorized' | 'stopped'.
 */
export class LiveFeed {
  constructor({onEvent, onPoll, onMode}) {
    this.onEvent = onEvent;
    this.onPoll = onPoll;
    this.onMode = onMode;
    this.running = false;
    this.abort = null;
    this.pollTimer = null;
    this.retryTimer = null;
  }

  start() {
    this.stop();
    this.running = true;
    this.openStream();
  }

  stop() {
    this.running = false;
    if (this.abort) this.abort.abort();
    this.abort = null;
    clearInterval(this.pollTimer);
    clearTimeout(this.retryTimer);
    this.pollTimer = null;
    this.retryTimer = null;
  }

  async openStream() {
    if (!this.running) return;
    const abort = new AbortController();
    this.abort = abort;
    try {
      const response = await fetch('/api/stream', {
        headers: authHeaders({Accept: 'text/event-stream'}), signal: abort.signal, cache: 'no-store'});
      if (response.status === 401) {
        this.running = false;
        this.onMode('unauthorized');
        reportUnauthorized('/api/stream');
        return;
      }
      if (!response.ok || !response.body) throw new Error(`/api/stream answered ${response.status}`);
      this.stopPolling();
      this.onMode('stream');
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      const parser = new SseParser((event) => this.onEvent(event));
      for (;;) {
        const {value, done} = await reader.read();
        if (done) break;
        parser.push(value);
      }
      throw new Error('/api/stream closed');
    } catch (e) {
      if (abort.signal.aborted || !this.running) return;
      console.info('live stream unavailable, polling instead:', e.message);
      this.startPolling();
    }
  }

  startPolling() {
    this.onMode('polling');
    if (!this.pollTimer) {
      this.onPoll();
      this.pollTimer = setInterval(() => this.onPoll(), POLL_MS);
    }
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => this.openStream(), STREAM_RETRY_MS);
  }

  stopPolling() {
    clearInterval(this.pollTimer);
    this.pollTimer = null;
  }
}
