// The viewer's timeline: where an image's time went (waiting in the queue, processing, reaching the
// notifier) as a bar of three proportional segments, with the server's milliseconds and the four
// absolute times. The durations are the server's; the page does not subtract timestamps.
import { el, toDate } from './format.js';

const SEGMENTS = [
  { key: 'queue', field: 'queue_ms', label: 'Waited in queue' },
  { key: 'processing', field: 'processing_ms', label: 'Processing' },
  { key: 'notification', field: 'notification_ms', label: 'Notification' },
];
const STEPS = [
  { key: 'uploaded', field: 'uploaded_at', label: 'Uploaded' },
  { key: 'started', field: 'started_at', label: 'Processor took it' },
  { key: 'finished', field: 'finished_at', label: 'Finished' },
  { key: 'notified', field: 'notified_at', label: 'Notifier learnt' },
];

const msFormat = new Intl.NumberFormat(undefined, { maximumFractionDigits: 0 });
const clockFormat = new Intl.DateTimeFormat(undefined, {
  hour: '2-digit', minute: '2-digit', second: '2-digit', fractionalSecondDigits: 3,
});

const isMs = (value) => typeof value === 'number' && Number.isFinite(value) && value >= 0;
const formatMs = (value) => `${msFormat.format(value)} ms`;

/** Builds the timeline's elements inside `container` once; returns them. */
function build(container) {
  const bar = el('div', 'timeline-bar');
  bar.setAttribute('role', 'img');
  const legend = el('ul', 'timeline-legend');
  const segments = {};
  for (const segment of SEGMENTS) {
    const piece = el('span', `timeline-seg seg-${segment.key}`);
    bar.append(piece);
    const item = el('li', 'timeline-item');
    item.dataset.segment = segment.key;
    const value = el('span', 'timeline-ms');
    item.append(el('span', `timeline-swatch seg-${segment.key}`), el('span', 'timeline-label', segment.label), value);
    legend.append(item);
    segments[segment.key] = { piece, item, value };
  }
  const total = el('li', 'timeline-item timeline-total');
  const totalValue = el('span', 'timeline-ms');
  total.append(el('span', 'timeline-label', 'Total'), totalValue);
  legend.append(total);

  const times = el('dl', 'timeline-times');
  const clocks = {};
  for (const step of STEPS) {
    const row = el('div', 'timeline-step');
    row.dataset.step = step.key;
    const time = el('time');
    const dd = el('dd');
    dd.append(time);
    row.append(el('dt', null, step.label), dd);
    times.append(row);
    clocks[step.key] = time;
  }
  const note = el('p', 'timeline-note');
  container.replaceChildren(bar, legend, times, note);
  return { bar, legend, times, segments, total, totalValue, clocks, note };
}

let view = null; // the elements, built on first use

/** Shows `image`'s timeline (state: its normalised state) in `container`; null fields read "not recorded". */
export function renderTimeline(container, image, state) {
  view ??= build(container);
  const timeline = image?.timeline && typeof image.timeline === 'object' ? image.timeline : {};
  // Unknown ends of a queued image are still to come; for anything else they were not recorded.
  const missing = state === 'queued' ? 'pending' : 'not recorded';

  const known = [];
  for (const segment of SEGMENTS) {
    const ms = timeline[segment.field];
    const { piece, item, value } = view.segments[segment.key];
    const ok = isMs(ms);
    value.textContent = ok ? formatMs(ms) : missing;
    item.classList.toggle('is-missing', !ok);
    item.dataset.ms = ok ? String(ms) : '';
    container.dataset[`${segment.key}Ms`] = ok ? String(ms) : '';
    piece.hidden = !ok;
    piece.style.flexGrow = ok ? String(ms) : '0';
    piece.classList.toggle('is-nonzero', ok && ms > 0);
    piece.title = `${segment.label}: ${value.textContent}`;
    if (ok) known.push(`${segment.label.toLowerCase()} ${formatMs(ms)}`);
  }
  const all = SEGMENTS.every((segment) => isMs(timeline[segment.field]));
  const totalMs = all ? SEGMENTS.reduce((total, segment) => total + timeline[segment.field], 0) : null;
  view.total.hidden = !all;
  view.totalValue.textContent = all ? formatMs(totalMs) : '';
  // A bar of zeros would be empty: it shows only when some segment has a length.
  const anyLength = SEGMENTS.some((segment) => timeline[segment.field] > 0);
  view.bar.hidden = !anyLength;
  view.bar.setAttribute('aria-label', known.length ? `Timeline: ${known.join(', ')}` : 'Timeline not recorded');

  let recorded = 0;
  for (const step of STEPS) {
    const time = view.clocks[step.key];
    const date = toDate(timeline[step.field]);
    if (date) {
      recorded += 1;
      time.dateTime = timeline[step.field];
      time.textContent = clockFormat.format(date);
      time.title = date.toLocaleString();
    } else {
      time.removeAttribute('datetime');
      time.textContent = missing;
      time.title = '';
    }
    time.closest('.timeline-step').classList.toggle('is-missing', !date);
  }

  // Images the notifier found in the buckets (after a restart) have no history at all: one
  // sentence says so instead of seven "not recorded".
  const unrecorded = recorded === 0 && state !== 'queued';
  view.note.textContent = unrecorded
    ? 'No timeline was recorded for this image (the notifier found it in the buckets, e.g. after a restart).' : '';
  view.note.hidden = !unrecorded;
  view.legend.hidden = unrecorded;
  view.times.hidden = unrecorded;
  container.dataset.recorded = String(recorded);
}
