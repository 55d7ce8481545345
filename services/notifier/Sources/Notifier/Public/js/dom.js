// The page's elements, looked up once by id, and the screen-reader announcer.

export const $ = (id) => document.getElementById(id);

// Module scripts run after the document is parsed, so every element exists here.
export const ui = {
  cards: $('cards'), empty: $('empty'), loadMore: $('load-more'), listStatus: $('list-status'), listUnavailable: $('list-unavailable'),
  fileInput: $('file-input'), maxSize: $('max-size'), threshold: $('threshold'),
  thresholdValue: $('threshold-value'), live: $('live-status'), announcer: $('announcer'),
  account: $('account'), accountName: $('account-name'), accountAdmin: $('account-admin'), signOut: $('sign-out'),
  viewer: $('viewer'), viewerTitle: $('viewer-title'), viewerBadge: $('viewer-badge'),
  viewerDetails: $('viewer-details'), viewerOriginal: $('viewer-original'),
  viewerProcessed: $('viewer-processed'), viewerOriginalLink: $('viewer-original-link'),
  viewerProcessedLink: $('viewer-processed-link'), viewerPlaceholder: $('viewer-placeholder'),
  viewerFit: $('viewer-fit'), viewerClose: $('viewer-close'), viewerDownload: $('viewer-download'),
  viewerTimeline: $('viewer-timeline'), downloadAll: $('download-all'),
  pipeline: $('pipeline'), pipelineUpdated: $('pipeline-updated'), pipelineVisible: $('pipeline-visible'),
  pipelineInFlight: $('pipeline-in-flight'), pipelineInputError: $('pipeline-input-error'),
  pipelineDlq: $('pipeline-dlq'), pipelineRate: $('pipeline-rate'),
  pipelineProcessedWindow: $('pipeline-processed-window'), pipelineFailedWindow: $('pipeline-failed-window'),
  pipelineChart: $('pipeline-chart'), pipelineChartBars: $('pipeline-chart-bars'), pipelineChartMax: $('pipeline-chart-max'),
};

// Why the list may be unavailable: the panel says the notifier cannot write to the image table,
// or the list itself answered 503. The banner shows while either holds.
const listUnavailableBecause = new Set();

/** Shows or clears one reason for the "image list unavailable" banner ('panel' or 'list'). */
export function setListUnavailable(reason, unavailable) {
  if (unavailable) listUnavailableBecause.add(reason);
  else listUnavailableBecause.delete(reason);
  ui.listUnavailable.hidden = listUnavailableBecause.size === 0;
}

/** Screen-reader announcements for things that change out of view (uploads finishing). */
export function announce(text) {
  ui.announcer.textContent = text;
}
