// The pipeline panel: input backlog, dead letters and outcomes per minute, exactly as the notifier
// reports them (GET /api/pipeline, then `pipeline` frames on the event stream). Nothing is counted
// here: the page only draws the server's numbers.
import { getJson } from './api.js';
import { showDeadLetters } from './deadletters.js';
import { setListUnavailable, ui } from './dom.js';
import { el, toDate } from './format.js';

const SVG_NS = 'http://www.w3.org/2000/svg';
// The chart's viewBox (index.html): bars are stretched to the frame, so only proportions matter.
const CHART_WIDTH = 150;
const CHART_HEIGHT = 40;
// Frames come only when something changes, so an idle pipeline sends none: read the snapshot
// again when the shown one is this old, or the "now" bar and the rolling minute would go stale.
const STALE_AFTER_MS = 60000;

let shown = null; // the snapshot on screen
let shownAt = 0; // when it arrived (Date.now())

const numberFormat = new Intl.NumberFormat();
const timeFormat = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' });
const minuteFormat = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });

const isCount = (value) => Number.isInteger(value) && value >= 0;
const counts = (values) => (Array.isArray(values) ? values.map((value) => (isCount(value) ? value : 0)) : []);
const sum = (values) => values.reduce((total, value) => total + value, 0);

/** Shows a count (or a dash when unknown); data-value holds the raw number for tests and tools. */
function setCount(node, value) {
  node.textContent = isCount(value) ? numberFormat.format(value) : '–';
  node.dataset.value = isCount(value) ? String(value) : '';
}

/** Reads the snapshot once now and again whenever the shown one gets old; frames do the rest. */
export function initPipeline() {
  refresh();
  setInterval(() => {
    if (Date.now() - shownAt > STALE_AFTER_MS) refresh();
  }, 15000);
}

async function refresh() {
  try {
    applyPipeline(await getJson('/api/pipeline'));
  } catch (error) {
    console.warn('Reading /api/pipeline failed', error);
    if (!shown) {
      ui.pipeline.dataset.state = 'error';
      ui.pipelineUpdated.textContent = 'Pipeline status unavailable';
    }
  }
}

/** Applies a snapshot from GET /api/pipeline or a `pipeline` frame; an older one than shown is ignored. */
export function applyPipeline(snapshot) {
  if (!snapshot || typeof snapshot !== 'object') return;
  const updated = toDate(snapshot.updated_at);
  const current = shown && toDate(shown.updated_at);
  // The GET and the stream race at start: keep whichever is newer.
  if (updated && current && updated < current) return;
  shown = snapshot;
  shownAt = Date.now();
  render(snapshot, updated);
}

function render(snapshot, updated) {
  const windowMinutes = isCount(snapshot.window_minutes) && snapshot.window_minutes > 0 ? snapshot.window_minutes : 15;
  ui.pipeline.dataset.state = 'ready';
  // The notifier cannot write events to the image table: the list may be behind, so say so.
  setListUnavailable('panel', snapshot.image_list_available === false);
  ui.pipeline.dataset.updatedAt = snapshot.updated_at ?? '';
  for (const node of ui.pipeline.querySelectorAll('.pipeline-window')) node.textContent = String(windowMinutes);

  ui.pipelineUpdated.textContent = updated ? `Updated ${timeFormat.format(updated)}` : '';
  ui.pipelineUpdated.title = isCount(snapshot.poll_seconds) ? `Queues are polled every ${snapshot.poll_seconds} s` : '';

  renderInput(snapshot.input || {});
  const deadLetters = Array.isArray(snapshot.dead_letter) ? snapshot.dead_letter : [];
  renderDeadLetters(deadLetters, snapshot.input?.name);
  showDeadLetters(deadLetters, snapshot.input?.name);

  setCount(ui.pipelineRate, snapshot.processed_last_minute);
  setCount(ui.pipelineProcessedWindow, snapshot.processed_in_window);
  setCount(ui.pipelineFailedWindow, snapshot.failed_in_window);
  ui.pipelineFailedWindow.closest('.stat').classList.toggle('has-alert', snapshot.failed_in_window > 0);

  renderChart(counts(snapshot.processed_per_minute), counts(snapshot.failed_per_minute), updated, windowMinutes);
}

function renderInput(input) {
  setCount(ui.pipelineVisible, input.visible);
  setCount(ui.pipelineInFlight, input.in_flight);
  const stat = ui.pipelineVisible.closest('.stat');
  stat.title = typeof input.name === 'string' ? input.name : '';
  // Null counts: either the first poll has not happened yet, or the last one failed (error says why).
  const error = typeof input.error === 'string' && input.error ? input.error : '';
  const unknown = !isCount(input.visible);
  ui.pipelineInputError.textContent = error ? `Not readable: ${error}` : unknown ? 'Not polled yet' : '';
  ui.pipelineInputError.title = error;
  ui.pipelineInputError.hidden = !error && !unknown;
  ui.pipelineInputError.classList.toggle('is-error', Boolean(error));
}

/** A short label for a dead-letter queue; the full name goes in its title. */
function deadLetterLabel(name, index, total, inputName) {
  const stem = (queue) => queue.replace(/\.fifo$/, '').replace(/-dlq$/, '');
  if (typeof inputName === 'string' && stem(name) === stem(inputName)) return 'input';
  if (/processed/.test(name) || (total === 2 && index === 1)) return 'processed';
  return stem(name);
}

function renderDeadLetters(queues, inputName) {
  const items = queues.map((queue, index) => {
    const name = typeof queue?.name === 'string' ? queue.name : `queue ${index + 1}`;
    const li = el('li', 'dlq');
    const count = el('span', 'dlq-count');
    setCount(count, queue?.messages);
    li.append(el('span', 'dlq-name', deadLetterLabel(name, index, queues.length, inputName)), count);
    li.dataset.name = name;
    li.dataset.value = count.dataset.value;
    const error = typeof queue?.error === 'string' && queue.error ? queue.error : '';
    li.title = error ? `${name}: not readable (${error})` : name;
    li.classList.toggle('is-alert', queue?.messages > 0);
    li.classList.toggle('is-unknown', !isCount(queue?.messages));
    return li;
  });
  // The notifier leaves the dead letters out for callers who are not administrators (they are every owner's).
  if (!items.length) items.push(el('li', 'dlq is-unknown', 'shown to administrators'));
  ui.pipelineDlq.replaceChildren(...items);
  ui.pipelineDlq.closest('.stat').classList.toggle('has-alert', queues.some((queue) => queue?.messages > 0));
}

function svg(tag, attributes) {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, String(value));
  return node;
}

/** Stacked bars, oldest minute first: processed from the baseline, failed on top in another colour. */
function renderChart(processed, failed, updated, windowMinutes) {
  const minutes = Math.max(processed.length, failed.length, 1);
  const totals = Array.from({ length: minutes }, (_, i) => (processed[i] ?? 0) + (failed[i] ?? 0));
  const peak = Math.max(...totals);
  const scale = Math.max(1, peak);
  const slot = CHART_WIDTH / minutes;
  const barWidth = slot * 0.72;
  // The last bar is the current minute (of the snapshot's time).
  const lastMinute = updated ? Math.floor(updated.getTime() / 60000) * 60000 : null;

  const bars = totals.map((total, i) => {
    const done = processed[i] ?? 0;
    const bad = failed[i] ?? 0;
    const x = i * slot + (slot - barWidth) / 2;
    const doneHeight = (done / scale) * CHART_HEIGHT;
    const badHeight = (bad / scale) * CHART_HEIGHT;
    const group = svg('g', { class: i === minutes - 1 ? 'chart-minute is-current' : 'chart-minute', 'data-processed': done, 'data-failed': bad });
    const when = lastMinute == null ? `${minutes - 1 - i} min ago` : minuteFormat.format(new Date(lastMinute - (minutes - 1 - i) * 60000));
    const title = svg('title', {});
    title.textContent = `${when}: ${done} processed, ${bad} failed`;
    group.append(
      title,
      svg('rect', { class: 'chart-slot', x, y: 0, width: barWidth, height: CHART_HEIGHT }),
      svg('rect', { class: 'chart-processed', x, y: CHART_HEIGHT - doneHeight, width: barWidth, height: doneHeight }),
      svg('rect', { class: 'chart-failed', x, y: CHART_HEIGHT - doneHeight - badHeight, width: barWidth, height: badHeight }),
    );
    return group;
  });
  ui.pipelineChartBars.replaceChildren(...bars);
  ui.pipelineChartMax.textContent = peak > 0 ? `peak ${peak} / min` : 'no outcomes yet';

  const processedTotal = sum(processed);
  const failedTotal = sum(failed);
  ui.pipelineChart.setAttribute('aria-label', `Outcomes per minute over the last ${windowMinutes} minutes: `
    + `${processedTotal} processed, ${failedTotal} failed; the busiest minute had ${peak}.`);
}
