'use strict';
// The page of the image pipeline: uploads PNGs to the upload API, lists the images the notifier
// knows, and follows their state live over Server-Sent Events. No framework, no build step.
// Everything that comes from users or the server is inserted with textContent, never as HTML.

const PAGE_SIZE = 24;
const MAX_PARALLEL_UPLOADS = 4;
const DEFAULT_CONFIG = { upload_url: 'http://localhost:8081/upload', max_upload_bytes: 52428800 };
const STATE_LABELS = {
  uploading: 'Uploading', queued: 'Queued', processed: 'Processed', failed: 'Failed', refused: 'Refused',
};
// Later states win when facts arrive out of order (the notifier's own rule): processed is final,
// a failure may still be followed by success, queued never overrides.
const STATE_RANK = { queued: 0, failed: 1, processed: 2 };
// Used when a refusal carries no readable JSON message.
const FALLBACK_MESSAGES = {
  400: 'The upload request was not valid.',
  413: 'The file is too large.',
  415: 'The file is not a PNG image.',
  422: 'The PNG image could not be accepted.',
  503: 'The upload service is temporarily unavailable.',
};

const $ = (id) => document.getElementById(id);
const ui = {
  cards: $('cards'), empty: $('empty'), loadMore: $('load-more'), listStatus: $('list-status'),
  fileInput: $('file-input'), maxSize: $('max-size'), threshold: $('threshold'),
  thresholdValue: $('threshold-value'), live: $('live-status'), announcer: $('announcer'),
  viewer: $('viewer'), viewerTitle: $('viewer-title'), viewerBadge: $('viewer-badge'),
  viewerDetails: $('viewer-details'), viewerOriginal: $('viewer-original'),
  viewerProcessed: $('viewer-processed'), viewerOriginalLink: $('viewer-original-link'),
  viewerProcessedLink: $('viewer-processed-link'), viewerPlaceholder: $('viewer-placeholder'),
  viewerFit: $('viewer-fit'), viewerClose: $('viewer-close'),
};

/** Cards by image_id: an upload's card joins this map when its 202 arrives, so it is never duplicated. */
const cardsById = new Map();
/** Card objects by their element, for event delegation. */
const cardOfElement = new WeakMap();

// ---------------------------------------------------------------------------------------------
// Small helpers

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text != null) node.textContent = text;
  return node;
}

function parseJson(text) {
  try { return JSON.parse(text); } catch { return null; }
}

async function getJson(url) {
  const response = await fetch(url, { headers: { Accept: 'application/json' } });
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  return response.json();
}

/** Server data ends up in src/href: accept only same-origin http(s) and blob: URLs. */
function safeUrl(url) {
  if (typeof url !== 'string' || !url) return null;
  try {
    const parsed = new URL(url, location.href);
    if (parsed.origin === location.origin && ['http:', 'https:', 'blob:'].includes(parsed.protocol)) return parsed.href;
  } catch { /* not a URL */ }
  return null;
}

function formatBytes(bytes) {
  if (typeof bytes !== 'number' || !Number.isFinite(bytes)) return '';
  const units = ['B', 'KB', 'MB', 'GB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) { value /= 1024; unit += 1; }
  return `${value.toFixed(unit === 0 || value >= 10 ? 0 : 1)} ${units[unit]}`;
}

function formatDimensions(image) {
  return image.width && image.height ? `${image.width} × ${image.height} px` : '';
}

const relativeFormat = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });
const TIME_UNITS = [['year', 31536000], ['month', 2592000], ['week', 604800], ['day', 86400], ['hour', 3600], ['minute', 60]];

function relativeTime(date) {
  const seconds = (date.getTime() - Date.now()) / 1000;
  for (const [unit, size] of TIME_UNITS) {
    if (Math.abs(seconds) >= size) return relativeFormat.format(Math.round(seconds / size), unit);
  }
  return 'just now';
}

function toDate(value) {
  const time = typeof value === 'string' ? Date.parse(value) : NaN;
  return Number.isNaN(time) ? null : new Date(time);
}

function normalState(state) {
  return state in STATE_RANK ? state : 'queued';
}

/** The list's order key, as the notifier sorts: uploaded_at, else updated_at. */
function sortKeyOf(image) {
  const date = toDate(image.uploaded_at) || toDate(image.updated_at);
  return date ? date.getTime() : Date.now();
}

/** Whether `incoming` is older news than what the card already shows. */
function isStale(incoming, current) {
  if (!current) return false;
  const rankIn = STATE_RANK[normalState(incoming.state)];
  const rankNow = STATE_RANK[normalState(current.state)];
  if (rankIn !== rankNow) return rankIn < rankNow;
  const dateIn = toDate(incoming.updated_at);
  const dateNow = toDate(current.updated_at);
  return Boolean(dateIn && dateNow && dateIn < dateNow);
}

function announce(text) {
  ui.announcer.textContent = text;
}

// ---------------------------------------------------------------------------------------------
// Configuration (the upload API is on another origin; its URL comes from the notifier)

const configReady = getJson('/api/config')
  .then((config) => ({
    upload_url: typeof config.upload_url === 'string' && config.upload_url ? config.upload_url : DEFAULT_CONFIG.upload_url,
    max_upload_bytes: Number.isFinite(config.max_upload_bytes) ? config.max_upload_bytes : DEFAULT_CONFIG.max_upload_bytes,
  }))
  .catch((error) => {
    console.warn('Could not read /api/config, using defaults', error);
    return DEFAULT_CONFIG;
  });

configReady.then((config) => { ui.maxSize.textContent = formatBytes(config.max_upload_bytes); });

// ---------------------------------------------------------------------------------------------
// Cards

/**
 * A card is a plain object holding its elements and what it shows:
 * image (server data, possibly partial), upload (progress while sending), refusal (a 4xx/5xx/network error).
 */
function createCard() {
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
    el: li, original, processed, title, badge, meta, time, status, progress, error, actions,
    image: null, upload: null, refusal: null, file: null, blobUrl: null, options: null,
    local: false, sortKey: Date.now(), addedAt: new Date().toISOString(),
  };
  cardOfElement.set(li, card);
  return card;
}

function cardState(card) {
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

function renderCard(card) {
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
}

function renderProgress(card, state) {
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
  card.actions.replaceChildren();
  if (state !== 'refused') { card.actions.hidden = true; return; }
  if (card.refusal.retryable) {
    const retry = el('button', 'button small', 'Retry');
    retry.type = 'button';
    retry.addEventListener('click', () => retryUpload(card));
    card.actions.append(retry);
  }
  const dismiss = el('button', 'button small quiet', 'Dismiss');
  dismiss.type = 'button';
  dismiss.addEventListener('click', () => removeCard(card));
  card.actions.append(dismiss);
  card.actions.hidden = false;
}

function removeCard(card) {
  const id = card.image?.image_id;
  if (id && cardsById.get(id) === card) cardsById.delete(id);
  if (card.blobUrl) URL.revokeObjectURL(card.blobUrl);
  card.el.remove();
  updateEmpty();
}

/** Places a new server card by time, newest first (most land at the end while paging). */
function insertCard(card) {
  const children = ui.cards.children;
  const last = children[children.length - 1];
  if (!last || (cardOfElement.get(last)?.sortKey ?? 0) >= card.sortKey) {
    ui.cards.append(card.el);
    return;
  }
  for (const child of children) {
    if ((cardOfElement.get(child)?.sortKey ?? 0) < card.sortKey) {
      ui.cards.insertBefore(card.el, child);
      return;
    }
  }
}

/** Applies an Image from the list or the event stream. */
function upsertImage(image) {
  if (!image || typeof image.image_id !== 'string') return;
  let card = cardsById.get(image.image_id);
  if (card) {
    if (isStale(image, card.image)) return;
    const before = normalState(card.image?.state);
    card.image = { ...card.image, ...image };
    renderCard(card);
    const after = normalState(image.state);
    if (card.local && before !== after && after !== 'queued') {
      announce(`${card.image.filename || 'Image'}: ${STATE_LABELS[after].toLowerCase()}.`);
    }
  } else {
    card = createCard();
    card.image = image;
    card.sortKey = sortKeyOf(image);
    cardsById.set(image.image_id, card);
    renderCard(card);
    insertCard(card);
    updateEmpty();
  }
  if (viewerId === image.image_id) renderViewer();
}

/** The notifier dropped an image (a queued upload whose object is gone). */
function removeImage(imageId) {
  const card = cardsById.get(imageId);
  if (card) removeCard(card);
  if (viewerId === imageId) ui.viewer.close();
}

function updateEmpty() {
  ui.empty.hidden = ui.cards.children.length > 0 || !list.done;
}

// Keeps "2 minutes ago" honest without re-rendering everything.
setInterval(() => {
  for (const time of ui.cards.querySelectorAll('time.card-time')) {
    const date = toDate(time.dateTime);
    if (date) time.textContent = relativeTime(date);
  }
}, 60000);

// ---------------------------------------------------------------------------------------------
// Uploads: each file gets a card at once; at most MAX_PARALLEL_UPLOADS are sent at a time.

const uploadQueue = [];
let activeUploads = 0;

function currentOptions() {
  const method = document.querySelector('input[name="method"]:checked')?.value === 'otsu' ? 'otsu' : 'fixed';
  const threshold = Math.min(255, Math.max(0, Number.parseInt(ui.threshold.value, 10) || 0));
  return { method, threshold };
}

function addFiles(fileList) {
  const files = Array.from(fileList || []);
  if (!files.length) return;
  const options = currentOptions();
  const fragment = document.createDocumentFragment();
  for (const file of files) {
    const card = createCard();
    Object.assign(card, { file, options, local: true, blobUrl: URL.createObjectURL(file), upload: { phase: 'waiting', loaded: 0, total: file.size } });
    renderCard(card);
    fragment.append(card.el);
    uploadQueue.push(card);
  }
  ui.cards.prepend(fragment); // the first chosen file ends up on top
  updateEmpty();
  announce(files.length === 1 ? `Uploading ${files[0].name}.` : `Uploading ${files.length} files.`);
  pumpUploads();
}

function pumpUploads() {
  while (activeUploads < MAX_PARALLEL_UPLOADS && uploadQueue.length) {
    const card = uploadQueue.shift();
    activeUploads += 1;
    uploadCard(card).finally(() => {
      activeUploads -= 1;
      pumpUploads();
    });
  }
}

function retryUpload(card) {
  card.refusal = null;
  card.upload = { phase: 'waiting', loaded: 0, total: card.file.size };
  renderCard(card);
  uploadQueue.push(card);
  pumpUploads();
}

async function uploadCard(card) {
  const config = await configReady;
  const { file } = card;
  // The server would refuse it too, but only after the browser sent every byte (or cut the
  // connection, which the page would see as a network error): refuse it here instead.
  if (file.size > config.max_upload_bytes) {
    refuse(card, {
      status: 413, code: 'too_large', retryable: false, local: true,
      message: `The file is ${formatBytes(file.size)}, over the limit of ${formatBytes(config.max_upload_bytes)}. It was not sent.`,
    });
    return;
  }
  card.upload = { phase: 'sending', loaded: 0, total: file.size };
  renderCard(card);
  const response = await postFile(config.upload_url, file, card.options, (loaded, total) => {
    card.upload = { phase: 'sending', loaded, total };
    renderProgress(card, 'uploading');
  });
  if (response.status >= 200 && response.status < 300 && typeof response.body?.image_id === 'string') {
    acceptUpload(card, response.body);
  } else {
    refuse(card, describeRefusal(response));
  }
}

/** POSTs one file as multipart field "image"; resolves (never rejects) with status 0 on network failure. */
function postFile(url, file, options, onProgress) {
  return new Promise((resolve) => {
    const form = new FormData();
    form.append('method', options.method);
    if (options.method === 'fixed') form.append('threshold', String(options.threshold));
    form.append('image', file, file.name);
    const xhr = new XMLHttpRequest();
    xhr.open('POST', url);
    xhr.setRequestHeader('Accept', 'application/json');
    xhr.upload.addEventListener('progress', (event) => onProgress(event.loaded, event.lengthComputable ? event.total : 0));
    xhr.addEventListener('load', () => resolve({
      status: xhr.status,
      body: parseJson(xhr.responseText),
      // Readable only if the upload API exposes it to other origins.
      retryAfter: xhr.getResponseHeader('Retry-After'),
    }));
    const failed = () => resolve({ status: 0, body: null, retryAfter: null });
    xhr.addEventListener('error', failed);
    xhr.addEventListener('abort', failed);
    xhr.addEventListener('timeout', failed);
    xhr.send(form);
  });
}

function describeRefusal({ status, body, retryAfter }) {
  if (status === 0) {
    return { status: 0, code: 'network_error', retryable: true, message: 'Network error: the upload service could not be reached.' };
  }
  const code = typeof body?.error === 'string' && body.error ? body.error : `http_${status}`;
  let message = typeof body?.message === 'string' && body.message ? body.message
    : FALLBACK_MESSAGES[status] || (status >= 200 && status < 300 ? 'Unexpected answer from the upload service.' : 'The upload was refused.');
  if (status === 503 && retryAfter && /^\d+$/.test(retryAfter)) message += ` Try again in ${retryAfter} s.`;
  return { status, code, message, retryable: status === 503 || status >= 500 };
}

function refuse(card, refusal) {
  card.upload = null;
  card.refusal = refusal;
  renderCard(card);
  announce(`${card.file.name} was not accepted: ${refusal.message}`);
}

/** The 202: from now on this card is the image's only card, whatever the list or the stream say. */
function acceptUpload(card, body) {
  const id = body.image_id;
  card.upload = null;
  const base = {
    image_id: id, filename: card.file.name, original_key: body.object_key ?? null, state: 'queued',
    original_size: card.file.size, uploaded_at: card.addedAt,
  };
  const other = cardsById.get(id);
  if (other && other !== card) {
    // The stream or the list was faster than the 202: keep their facts, drop their card.
    card.image = { ...base, ...other.image };
    other.el.remove();
  } else {
    card.image = base;
  }
  cardsById.set(id, card);
  renderCard(card);
  if (viewerId === id) renderViewer();
}

// ---------------------------------------------------------------------------------------------
// The list of images, newest first, one page at a time

const list = { cursor: null, done: false, loading: false, failed: false, pages: 0, generation: 0 };

async function loadPage() {
  if (list.loading || list.done) return;
  list.loading = true;
  list.failed = false;
  const { generation } = list;
  ui.listStatus.textContent = 'Loading…';
  updateLoadMore();
  try {
    const params = new URLSearchParams({ limit: String(PAGE_SIZE) });
    if (list.cursor) params.set('cursor', list.cursor);
    const page = await getJson(`/api/images?${params}`);
    if (generation !== list.generation) return; // a resync started meanwhile
    for (const image of Array.isArray(page.images) ? page.images : []) upsertImage(image);
    list.cursor = typeof page.next_cursor === 'string' && page.next_cursor ? page.next_cursor : null;
    list.done = !list.cursor;
    list.pages += 1;
    ui.listStatus.textContent = '';
  } catch (error) {
    if (generation !== list.generation) return;
    list.failed = true;
    ui.listStatus.textContent = 'Could not load the images.';
    console.warn('Loading images failed', error);
  } finally {
    if (generation === list.generation) {
      list.loading = false;
      updateLoadMore();
      updateEmpty();
    }
  }
}

function updateLoadMore() {
  ui.loadMore.hidden = list.done;
  ui.loadMore.disabled = list.loading;
  ui.loadMore.textContent = list.loading ? 'Loading…' : list.failed ? 'Try again' : 'Load more';
  ui.listStatus.classList.toggle('is-error', list.failed);
}

/** The stream said we missed too much: read again as many pages as were shown, updating cards in place. */
async function resync() {
  const pages = Math.max(1, list.pages);
  list.generation += 1;
  Object.assign(list, { cursor: null, done: false, loading: false, failed: false, pages: 0 });
  for (let i = 0; i < pages && !list.done && !list.failed; i += 1) await loadPage();
}

ui.loadMore.addEventListener('click', () => loadPage());

// Infinite scroll: the "Load more" button loads by itself when it comes into view (not after an
// error, so that a failing server is not hammered).
if ('IntersectionObserver' in window) {
  new IntersectionObserver((entries) => {
    if (entries.some((entry) => entry.isIntersecting) && !list.failed) loadPage();
  }, { rootMargin: '400px' }).observe(ui.loadMore);
}

// ---------------------------------------------------------------------------------------------
// Live events. EventSource reconnects by itself with Last-Event-ID; if it gives up (an HTTP
// error), reconnect with a backoff and pass the last id as a query parameter instead.

let events = null;
let lastEventId = null;
let reconnectDelay = 1000;
let wasLive = false;

function setLive(live) {
  ui.live.dataset.state = live ? 'live' : 'connecting';
  ui.live.querySelector('.live-text').textContent = live ? 'Live' : wasLive ? 'Reconnecting…' : 'Connecting…';
  ui.live.title = live ? 'Updates arrive as they happen' : 'Not connected to live updates';
  if (live) wasLive = true;
}

function connectEvents() {
  const url = lastEventId ? `/api/events?last_event_id=${encodeURIComponent(lastEventId)}` : '/api/events';
  events = new EventSource(url);
  events.addEventListener('open', () => {
    reconnectDelay = 1000;
    setLive(true);
  });
  events.addEventListener('error', () => {
    setLive(false);
    if (events.readyState === EventSource.CLOSED) {
      events.close();
      setTimeout(connectEvents, reconnectDelay);
      reconnectDelay = Math.min(reconnectDelay * 2, 30000);
    }
  });
  events.addEventListener('image', (event) => {
    if (event.lastEventId) lastEventId = event.lastEventId;
    upsertImage(parseJson(event.data));
  });
  events.addEventListener('removed', (event) => {
    if (event.lastEventId) lastEventId = event.lastEventId;
    const data = parseJson(event.data);
    if (typeof data?.image_id === 'string') removeImage(data.image_id);
  });
  events.addEventListener('resync', () => resync());
}

// ---------------------------------------------------------------------------------------------
// The viewer: original and result side by side, updated live while it is open

let viewerId = null;

function openViewer(card) {
  const id = card.image?.image_id;
  if (!id) return;
  if (id !== viewerId) {
    // Do not show the previous image while the new one loads.
    ui.viewerOriginal.removeAttribute('src');
    ui.viewerProcessed.removeAttribute('src');
  }
  viewerId = id;
  renderViewer();
  if (!ui.viewer.open) ui.viewer.showModal();
  ui.viewerClose.focus();
}

function setSrc(img, url) {
  if (url) {
    if (img.getAttribute('src') !== url) img.src = url;
    img.hidden = false;
  } else {
    img.removeAttribute('src');
    img.hidden = true;
  }
}

function setLink(link, url) {
  if (url) link.href = url; else link.removeAttribute('href');
  link.hidden = !url;
}

function renderViewer() {
  const card = cardsById.get(viewerId);
  if (!card) return;
  const image = card.image || {};
  const state = cardState(card);
  ui.viewerTitle.textContent = image.filename || card.file?.name || 'Image';
  ui.viewerBadge.textContent = STATE_LABELS[state];
  ui.viewerBadge.className = `badge badge-${state}`;

  const sizes = [formatBytes(image.original_size ?? card.file?.size), formatBytes(image.processed_size)].filter(Boolean);
  const when = toDate(image.uploaded_at || image.updated_at);
  ui.viewerDetails.textContent = [
    formatDimensions(image), sizes.join(' → '), when ? `uploaded ${when.toLocaleString()}` : '',
  ].filter(Boolean).join(' · ');

  const originalUrl = safeUrl(image.original_url) || card.blobUrl;
  setSrc(ui.viewerOriginal, originalUrl);
  setLink(ui.viewerOriginalLink, originalUrl);

  const processedUrl = state === 'processed' ? safeUrl(image.processed_url) : null;
  setSrc(ui.viewerProcessed, processedUrl);
  setLink(ui.viewerProcessedLink, processedUrl);
  const placeholder = {
    queued: 'Waiting for the processor… This updates by itself.',
    failed: image.error || 'Processing failed.',
    processed: 'The result is not available.',
  }[state] || '';
  ui.viewerPlaceholder.textContent = processedUrl ? '' : placeholder;
  ui.viewerPlaceholder.hidden = Boolean(processedUrl);
  ui.viewerPlaceholder.classList.toggle('is-error', state === 'failed');
  ui.viewerPlaceholder.classList.toggle('is-busy', state === 'queued');
}

ui.viewerClose.addEventListener('click', () => ui.viewer.close());
ui.viewer.addEventListener('close', () => {
  const card = cardsById.get(viewerId);
  viewerId = null;
  card?.el.focus(); // back to where the user was
});
// A click on the backdrop (outside the dialog box) closes it too.
ui.viewer.addEventListener('click', (event) => {
  if (event.target === ui.viewer) ui.viewer.close();
});
ui.viewerFit.addEventListener('change', () => ui.viewer.classList.toggle('fit', ui.viewerFit.checked));

// Scrolling one pane scrolls the other, so the same region of both images stays in view. Only
// the pane the user is working in leads, so the two never fight over rounding.
{
  const panes = [$('viewer-original-scroll'), $('viewer-processed-scroll')];
  let leader = null;
  for (const pane of panes) {
    for (const type of ['pointerenter', 'touchstart', 'wheel', 'focus']) {
      pane.addEventListener(type, () => { leader = pane; }, { passive: true });
    }
    pane.addEventListener('scroll', () => {
      if (pane !== leader) return;
      const other = panes.find((p) => p !== pane);
      other.scrollTop = pane.scrollTop;
      other.scrollLeft = pane.scrollLeft;
    }, { passive: true });
  }
}

// Cards open the viewer on click, Enter or Space (buttons inside a card keep their own meaning).
ui.cards.addEventListener('click', (event) => {
  if (event.target.closest('button, a')) return;
  const li = event.target.closest('.card');
  const card = li && cardOfElement.get(li);
  if (card) openViewer(card);
});
ui.cards.addEventListener('keydown', (event) => {
  if (event.key !== 'Enter' && event.key !== ' ') return;
  if (!event.target.classList?.contains('card')) return;
  event.preventDefault();
  const card = cardOfElement.get(event.target);
  if (card) openViewer(card);
});

// ---------------------------------------------------------------------------------------------
// Choosing and dropping files

ui.fileInput.addEventListener('change', () => {
  addFiles(ui.fileInput.files);
  ui.fileInput.value = ''; // so that choosing the same file again still uploads it
});

// Drops are accepted anywhere on the window; the page highlights while files hover over it.
let dragDepth = 0;
const carriesFiles = (event) => Array.from(event.dataTransfer?.types || []).includes('Files');

window.addEventListener('dragenter', (event) => {
  if (!carriesFiles(event)) return;
  event.preventDefault();
  dragDepth += 1;
  document.body.classList.add('dragging');
});
window.addEventListener('dragover', (event) => {
  if (!carriesFiles(event)) return;
  event.preventDefault();
  event.dataTransfer.dropEffect = 'copy';
});
window.addEventListener('dragleave', (event) => {
  if (!carriesFiles(event)) return;
  dragDepth = Math.max(0, dragDepth - 1);
  if (dragDepth === 0) document.body.classList.remove('dragging');
});
window.addEventListener('drop', (event) => {
  if (!carriesFiles(event)) return;
  event.preventDefault(); // otherwise the browser navigates to the file
  dragDepth = 0;
  document.body.classList.remove('dragging');
  addFiles(event.dataTransfer.files);
});

// Threshold control: the slider only applies to the fixed method.
function updateOptions() {
  const { method, threshold } = currentOptions();
  ui.threshold.disabled = method !== 'fixed';
  ui.thresholdValue.textContent = String(threshold);
}
ui.threshold.addEventListener('input', updateOptions);
for (const radio of document.querySelectorAll('input[name="method"]')) radio.addEventListener('change', updateOptions);
updateOptions();

// ---------------------------------------------------------------------------------------------
// Start: subscribe first, then read the list, so no change falls between the two.

setLive(false);
connectEvents();
loadPage();
