// Submit: a YAML editor for a job spec; the coordinator validates it and answers 201 {id} or
// 400 {errors: [{field, line, message}]}, which are drawn against their lines.

import {Api} from '../api.js';
import {specErrors} from '../shapes.js';
import {clear, h, message} from '../dom.js';

export const TITLE = 'Submit';
export const INTERESTS = [];

const DRAFT_KEY = 'recap.console.draft';
// the coordinator limits request bodies too; this only spares a round trip
const MAX_SPEC_BYTES = 256 * 1024;

export function mount(container) {
  const gutter = h('pre', {class: 'gutter', 'aria-hidden': 'true'});
  const editor = h('textarea', {id: 'spec-editor', spellcheck: 'false', wrap: 'off',
    placeholder: '# a Recap job spec in YAML; see examples/ in the repository'});
  editor.value = sessionStorage.getItem(DRAFT_KEY) || '';
  const start = h('button', {id: 'submit-job', type: 'button'}, 'Start job');
  const outcome = h('div', {id: 'submit-outcome'});
  const errorList = h('ul', {id: 'spec-errors', class: 'errors'});
  container.append(
    h('h1', {}, 'Submit a job'),
    h('div', {class: 'editor'}, gutter, editor),
    h('div', {class: 'actions'}, start),
    outcome, errorList);

  let errorLines = new Set();

  function drawGutter() {
    const lines = editor.value.split('\n').length;
    clear(gutter);
    for (let i = 1; i <= lines; i++) {
      gutter.append(h('span', {class: errorLines.has(i) ? 'error-line' : '', dataset: {line: i}}, String(i)));
    }
    gutter.scrollTop = editor.scrollTop;
  }

  function goToLine(line) {
    const lines = editor.value.split('\n');
    const offset = lines.slice(0, Math.max(0, line - 1)).reduce((n, l) => n + l.length + 1, 0);
    editor.focus();
    editor.setSelectionRange(offset, offset + (lines[line - 1] || '').length);
    const lineHeight = parseFloat(getComputedStyle(editor).lineHeight) || 18;
    editor.scrollTop = Math.max(0, (line - 3) * lineHeight);
  }

  function showErrors(errors) {
    errorLines = new Set(errors.map((e) => e.line).filter(Number.isInteger));
    clear(errorList);
    for (const error of errors) {
      const where = [error.line ? `line ${error.line}` : null, error.field || null].filter(Boolean).join(' · ');
      errorList.append(h('li', {class: 'spec-error', dataset: {line: error.line ?? '', field: error.field ?? ''}},
        error.line ? h('a', {href: '#', onclick: (e) => { e.preventDefault(); goToLine(error.line); }}, where) : h('strong', {}, where || 'spec'),
        ': ', error.message));
    }
    drawGutter();
  }

  async function submit() {
    const yaml = editor.value;
    clear(outcome);
    showErrors([]);
    if (!yaml.trim()) {
      outcome.append(message('error', 'The spec is empty: write or paste a job spec in YAML.'));
      return;
    }
    if (new Blob([yaml]).size > MAX_SPEC_BYTES) {
      outcome.append(message('error', `The spec is larger than ${MAX_SPEC_BYTES / 1024} KiB; a job spec names data, it does not carry it.`));
      return;
    }
    start.disabled = true;
    try {
      const answer = await Api.submit(yaml);
      outcome.append(message('ok', `Job ${answer.id} started.`));
      location.hash = `#/jobs/${encodeURIComponent(answer.id)}`;
    } catch (e) {
      const errors = e.status === 400 ? specErrors(e.body) : [];
      if (errors.length > 0) {
        outcome.append(message('error', `The coordinator rejected the spec: ${errors.length} error${errors.length === 1 ? '' : 's'}.`));
        showErrors(errors);
      } else if (e.status === 400) {
        outcome.append(message('error', `The coordinator rejected the spec: ${e.message}`));
      } else if (e.name !== 'Unauthorized') {
        outcome.append(message('error', `Could not submit: ${e.message}`));
      } else {
        outcome.append(message('error', 'Not submitted: the coordinator asks for the access token.'));
      }
    } finally {
      start.disabled = false;
    }
  }

  editor.addEventListener('input', () => {
    sessionStorage.setItem(DRAFT_KEY, editor.value);
    drawGutter();
  });
  editor.addEventListener('scroll', () => { gutter.scrollTop = editor.scrollTop; });
  editor.addEventListener('keydown', (e) => {
    if (e.key === 'Tab') { // YAML wants spaces, and Tab should not leave the editor
      e.preventDefault();
      editor.setRangeText('  ', editor.selectionStart, editor.selectionEnd, 'end');
      editor.dispatchEvent(new Event('input'));
    }
  });
  start.addEventListener('click', submit);
  drawGutter();

  return {refresh: async () => {}, INTERESTS};
}
