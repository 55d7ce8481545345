// Live updates over Server-Sent Events (/api/events), and the live indicator in the top bar.
import { ui } from './dom.js';
import { parseJson } from './format.js';

// EventSource reconnects by itself with Last-Event-ID; if it gives up (an HTTP error), reconnect
// with a backoff and pass the last id as a query parameter instead.
let events = null;
let lastEventId = null;
let reconnectDelay = 1000;
let wasLive = false;
let handlers = { onImage() {}, onRemoved() {}, onResync() {}, onPipeline() {} };

export function setLive(live) {
  ui.live.dataset.state = live ? 'live' : 'connecting';
  ui.live.querySelector('.live-text').textContent = live ? 'Live' : wasLive ? 'Reconnecting…' : 'Connecting…';
  ui.live.title = live ? 'Updates arrive as they happen' : 'Not connected to live updates';
  if (live) wasLive = true;
}

/**
 * Subscribes to the stream: onImage(image) for each changed image, onRemoved(imageId) for each
 * dropped one, onResync() when the stream says too much was missed, onPipeline(snapshot) for each
 * pipeline snapshot (one on connecting, then on every change).
 */
export function connectEvents({ onImage, onRemoved, onResync, onPipeline }) {
  handlers = { onImage, onRemoved, onResync, onPipeline };
  connect();
}

function connect() {
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
      setTimeout(connect, reconnectDelay);
      reconnectDelay = Math.min(reconnectDelay * 2, 30000);
    }
  });
  events.addEventListener('image', (event) => {
    if (event.lastEventId) lastEventId = event.lastEventId;
    handlers.onImage(parseJson(event.data));
  });
  events.addEventListener('removed', (event) => {
    if (event.lastEventId) lastEventId = event.lastEventId;
    const data = parseJson(event.data);
    if (typeof data?.image_id === 'string') handlers.onRemoved(data.image_id);
  });
  events.addEventListener('resync', () => handlers.onResync());
  // Pipeline frames carry no id: they are snapshots, never replayed, so they leave lastEventId alone
  // (event.lastEventId would repeat the previous image event's id anyway).
  events.addEventListener('pipeline', (event) => handlers.onPipeline(parseJson(event.data)));
}
