// The list of images, newest first, one page at a time; applies what the list and the stream say to the cards.
import { getJson } from './api.js';
import { cardOfElement, cardsById, createCard, renderCard, scheduleResultsCheck } from './cards.js';
import { announce, setListUnavailable, ui } from './dom.js';
import { STATE_LABELS, isStale, normalState, sortKeyOf } from './states.js';
import { closeViewerOf, refreshViewer } from './viewer.js';

const PAGE_SIZE = 24;

const list = { cursor: null, done: false, loading: false, failed: false, pages: 0, generation: 0 };

export async function loadPage() {
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
    setListUnavailable('list', false);
  } catch (error) {
    if (generation !== list.generation) return;
    list.failed = true;
    // 503: the notifier cannot read its image table; the banner says so (not an empty list).
    const unavailable = error.status === 503;
    ui.listStatus.textContent = unavailable ? '' : 'Could not load the images.';
    setListUnavailable('list', unavailable);
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
export async function resync() {
  const pages = Math.max(1, list.pages);
  list.generation += 1;
  Object.assign(list, { cursor: null, done: false, loading: false, failed: false, pages: 0 });
  for (let i = 0; i < pages && !list.done && !list.failed; i += 1) await loadPage();
}

/** The "Load more" button, which also loads by itself when it scrolls into view. */
export function initList() {
  ui.loadMore.addEventListener('click', () => loadPage());

  // Infinite scroll: the "Load more" button loads by itself when it comes into view (not after an
  // error, so that a failing server is not hammered).
  if ('IntersectionObserver' in window) {
    new IntersectionObserver((entries) => {
      if (entries.some((entry) => entry.isIntersecting) && !list.failed) loadPage();
    }, { rootMargin: '400px' }).observe(ui.loadMore);
  }
}

export function removeCard(card) {
  const id = card.image?.image_id;
  if (id && cardsById.get(id) === card) cardsById.delete(id);
  if (card.blobUrl) URL.revokeObjectURL(card.blobUrl);
  card.el.remove();
  updateEmpty();
  scheduleResultsCheck();
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
export function upsertImage(image) {
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
  refreshViewer(image.image_id);
}

/** The notifier dropped an image (a queued upload whose object is gone). */
export function removeImage(imageId) {
  const card = cardsById.get(imageId);
  if (card) removeCard(card);
  closeViewerOf(imageId);
}

export function updateEmpty() {
  ui.empty.hidden = ui.cards.children.length > 0 || !list.done;
}
