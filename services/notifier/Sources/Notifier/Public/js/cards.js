// The image cards: creating them, finding them again, and rendering what each one shows.
import { ui } from './dom.js';
import { createDownloadLink, setDownloadLink, setResultsAvailable } from './downloads.js';
import { el, formatBytes, formatDimensions, relativeTime, safeUrl, toDate } from './format.js';
import { STATE_LABELS, normalState } from './states.js';

/** Cards by image_id: an upload's card joins this map when its 202 arrives, so it is never duplicated. */
export const cardsById = new Map();
/** Card objects by their element, for event delegation. */
export const cardOfElement = new WeakMap();

// What the buttons of a refused card do: set by main.js (the uploads and the list build on this module).
const cardActions = { retry() {}, dismiss() {} };

/** Sets the handlers of the Retry and Dismiss buttons: { retry(card), dismiss(card) }. */
export function setCardActions({ retry, dismiss }) {
  Object.assign(cardActions, { retry, dismiss });
}

/**
 * A card is a plain object holding its elements and what it shows:
 * image (server data, possibly partial), upload (progress while sending), refusal (a 4xx/5xx/network error).
 */
export function createCard() {
  const li = el('li', 'card');
  const thumbs = el('div', 'thumbs');
  const original = el('figure', 'thumb');
  const processed = el('figure', 'thumb');
  original.append(el('figcaption', 'thumb-label', 'Original'));
  processed.append(el('figcaption', 'thumb-label', 'Result'));
  thumbs.append(original, processed);

  const body = el('div', 'card-body');
  const head = el('div', 'card-head');
  const title = el('p', 'card-title');
  const badge = el('span', 'badge');
  head.append(title, badge);
  const meta = el('p', 'card-meta');
  const time = el('time', 'card-time');
  const status = el('p', 'card-status');
  const progress = el('progress', 'card-progress');
  progress.max = 100;
  progress.setAttribute('aria-label', 'Upload progress');
  const error = el('p', 'card-error');
  const actions = el('div', 'card-actions');
  body.append(head, meta, time, status, progress, error, actions);
  li.append(thumbs, body);

  const card = {
    el: li, original, processed, title, badge, meta, time, status, progress, error, actions, download: null,
    image: null, upload: null, refusal: null, file: null, blobUrl: null, options: null,
    local: false, sortKey: Date.now(), addedAt: new Date().toISOString(),
  };
  cardOfElement.set(li, card);
  return card;
}

export function cardState(card) {
  if (card.refusal) return 'refused';
  if (card.upload) return 'uploading';
  return normalState(card.image?.state);
}

/** Puts an <img> with `className` in the slot, or a text placeholder when there is no URL. */
function setThumb(slot, className, url, placeholder) {
  let img = slot.querySelector('img');
  let note = slot.querySelector('.thumb-placeholder');
  if (url) {
    if (!img) {
      img = el('img', className);
      img.alt = className === 'thumb-original' ? 'Original' : 'Black and white result';
      img.loading = 'lazy';
      img.decoding = 'async';
      // A file the browser cannot show (e.g. a refused non-PNG) gets a note instead of a broken icon.
      img.addEventListener('error', () => { img.hidden = true; ensureNote(slot, 'No preview'); });
      slot.prepend(img);
    }
    if (img.getAttribute('src') !== url) {
      note?.remove();
      img.hidden = false;
      img.src = url;
    }
    return;
  }
  img?.remove();
  note = ensureNote(slot, placeholder);
  note.classList.toggle('is-busy', placeholder === 'Processing…');
}

function ensureNote(slot, text) {
  let note = slot.querySelector('.thumb-placeholder');
  if (!note) {
    note = el('span', 'thumb-placeholder');
    slot.prepend(note);
  }
  note.textContent = text;
  return note;
}

export function renderCard(card) {
  const image = card.image || {};
  const state = cardState(card);
  const name = image.filename || card.file?.name || 'image.png';
  const li = card.el;
  li.dataset.state = state;
  if (image.image_id) li.dataset.imageId = image.image_id;

  card.title.textContent = name;
  card.title.title = name;
  card.badge.textContent = state === 'uploading' && card.upload?.phase === 'waiting' ? 'Waiting' : STATE_LABELS[state];
  card.badge.className = `badge badge-${state}`;

  const size = image.original_size ?? card.file?.size;
  card.meta.textContent = [formatBytes(size), formatDimensions(image)].filter(Boolean).join(' · ');
  const when = image.uploaded_at || image.updated_at || card.addedAt;
  card.time.dateTime = when;
  card.time.title = toDate(when)?.toLocaleString() ?? '';
  card.time.textContent = toDate(when) ? relativeTime(toDate(when)) : '';

  // Once the notifier knows the image, its own URL replaces the local preview.
  const serverOriginal = safeUrl(image.original_url);
  if (serverOriginal && card.blobUrl) {
    URL.revokeObjectURL(card.blobUrl);
    card.blobUrl = null;
  }
  setThumb(card.original, 'thumb-original', serverOriginal || card.blobUrl, 'No preview');
  const processedUrl = state === 'processed' ? safeUrl(image.processed_url) : null;
  const placeholders = { uploading: 'Not sent yet', queued: 'Processing…', failed: 'Failed', refused: 'Not accepted', processed: 'Unavailable' };
  setThumb(card.processed, 'thumb-processed', processedUrl, placeholders[state]);

  renderProgress(card, state);
  const errorText = renderError(card, state, image);
  renderActions(card, state);

  const openable = Boolean(image.image_id);
  if (openable) {
    li.tabIndex = 0;
    li.setAttribute('aria-haspopup', 'dialog');
  } else {
    li.removeAttribute('tabindex');
    li.removeAttribute('aria-haspopup');
  }
  const label = [`${name}, ${card.badge.textContent}`, errorText, openable ? 'Press Enter to compare' : ''];
  li.setAttribute('aria-label', label.filter(Boolean).join('. '));
  scheduleResultsCheck();
}

let resultsCheckPending = false;

/** Offers "Download all results" while any known image is processed; checked once per batch of renders. */
export function scheduleResultsCheck() {
  if (resultsCheckPending) return;
  resultsCheckPending = true;
  queueMicrotask(() => {
    resultsCheckPending = false;
    setResultsAvailable([...cardsById.values()].some((card) => card.el.isConnected && cardState(card) === 'processed'));
  });
}

export function renderProgress(card, state) {
  const upload = state === 'uploading' ? card.upload : null;
  card.progress.hidden = !upload;
  if (upload) {
    if (upload.phase === 'sending' && upload.total > 0) {
      const percent = Math.min(100, Math.round((upload.loaded / upload.total) * 100));
      card.progress.value = percent;
      card.status.textContent = percent >= 100 ? 'Checking the image…' : `Uploading… ${percent}%`;
    } else {
      card.progress.removeAttribute('value'); // indeterminate
      card.status.textContent = upload.phase === 'waiting' ? 'Waiting for a free upload slot…' : 'Uploading…';
    }
  } else {
    card.status.textContent = state === 'queued' ? 'Waiting for the processor…' : '';
  }
  card.status.hidden = !card.status.textContent;
}

/** Shows the refusal or processing failure, if any; returns its text for the card's label. */
function renderError(card, state, image) {
  let message = '';
  let detail = '';
  if (state === 'refused') {
    message = card.refusal.message;
    const { status, code, local } = card.refusal;
    detail = local ? `${status} · ${code} · checked before sending` : status ? `HTTP ${status} · ${code}` : 'No response (status 0)';
  } else if (state === 'failed') {
    message = image.error || 'Processing failed.';
  }
  card.error.replaceChildren();
  if (message) card.error.append(el('span', 'error-message', message));
  if (detail) card.error.append(el('span', 'error-code', detail));
  card.error.hidden = !message;
  return [message, detail].filter(Boolean).join(' ');
}

function renderActions(card, state) {
  if (state === 'processed') {
    // Kept across renders, so a live update does not steal the focus from it.
    card.download ??= createDownloadLink();
    if (card.download.parentNode !== card.actions) card.actions.replaceChildren(card.download);
    card.actions.hidden = !setDownloadLink(card.download, card.image);
    return;
  }
  card.actions.replaceChildren();
  if (state !== 'refused') { card.actions.hidden = true; return; }
  if (card.refusal.retryable) {
    const retry = el('button', 'button small', 'Retry');
    retry.type = 'button';
    retry.addEventListener('click', () => cardActions.retry(card));
    card.actions.append(retry);
  }
  const dismiss = el('button', 'button small quiet', 'Dismiss');
  dismiss.type = 'button';
  dismiss.addEventListener('click', () => cardActions.dismiss(card));
  card.actions.append(dismiss);
  card.actions.hidden = false;
}

/** Keeps "2 minutes ago" honest without re-rendering everything (main.js calls this every minute). */
export function refreshCardTimes() {
  for (const time of ui.cards.querySelectorAll('time.card-time')) {
    const date = toDate(time.dateTime);
    if (date) time.textContent = relativeTime(date);
  }
}
