// The viewer dialog: original and result side by side at full size, updated live while it is open.
import { cardOfElement, cardState, cardsById } from './cards.js';
import { $, ui } from './dom.js';
import { setDownloadLink } from './downloads.js';
import { formatBytes, formatDimensions, safeUrl, toDate } from './format.js';
import { STATE_LABELS } from './states.js';
import { renderTimeline } from './timeline.js';

/** The image_id the open viewer shows, or null. */
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
  if (!ui.viewer.open) {
    // Every image opens fitted to its pane; "Fit to pane" unticked shows it 1:1.
    ui.viewerFit.checked = true;
    ui.viewer.classList.add('fit');
    ui.viewer.showModal();
  }
  ui.viewerClose.focus();
}

/** Renders the viewer again if it shows `imageId` (its card just changed). */
export function refreshViewer(imageId) {
  if (viewerId === imageId) renderViewer();
}

/** Closes the viewer if it shows `imageId` (the image is gone). */
export function closeViewerOf(imageId) {
  if (viewerId === imageId) ui.viewer.close();
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

  setDownloadLink(ui.viewerDownload, state === 'processed' ? image : null);
  renderTimeline(ui.viewerTimeline, image, state);
}

/** The dialog's controls, its synchronised panes, and the cards that open it. */
export function initViewer() {
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
}
