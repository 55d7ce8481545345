// An image's states: their labels, their order, and whether news about an image is older than what is shown.
import { toDate } from './format.js';

export const STATE_LABELS = {
  uploading: 'Uploading', queued: 'Queued', processed: 'Processed', failed: 'Failed', refused: 'Refused',
};
// Later states win when facts arrive out of order (the notifier's own rule): processed is final,
// a failure may still be followed by success, queued never overrides.
const STATE_RANK = { queued: 0, failed: 1, processed: 2 };

export function normalState(state) {
  return state in STATE_RANK ? state : 'queued';
}

/** The list's order key, as the notifier sorts: uploaded_at, else updated_at. */
export function sortKeyOf(image) {
  const date = toDate(image.uploaded_at) || toDate(image.updated_at);
  return date ? date.getTime() : Date.now();
}

/** Whether `incoming` is older news than what the card already shows. */
export function isStale(incoming, current) {
  if (!current) return false;
  const rankIn = STATE_RANK[normalState(incoming.state)];
  const rankNow = STATE_RANK[normalState(current.state)];
  if (rankIn !== rankNow) return rankIn < rankNow;
  const dateIn = toDate(incoming.updated_at);
  const dateNow = toDate(current.updated_at);
  return Boolean(dateIn && dateNow && dateIn < dateNow);
}
