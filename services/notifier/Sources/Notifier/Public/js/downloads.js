// Downloads: the processed PNG of one image (its card and the viewer), and every result as one zip.
// Plain links with the download attribute; the notifier names the files (Content-Disposition).
import { ui } from './dom.js';
import { el, safeUrl } from './format.js';

const SVG_NS = 'http://www.w3.org/2000/svg';
const RESULTS_ZIP = '/api/results.zip';

/** { url, name } of an image's processed PNG, or null when there is nothing to download. */
function downloadOf(image) {
  if (image?.state !== 'processed') return null;
  const url = safeUrl(image.download_url);
  if (!url) return null;
  return { url, name: typeof image.download_name === 'string' ? image.download_name : '' };
}

function downloadIcon() {
  const icon = document.createElementNS(SVG_NS, 'svg');
  for (const [name, value] of Object.entries({ viewBox: '0 0 24 24', width: 16, height: 16, 'aria-hidden': 'true', focusable: 'false' })) {
    icon.setAttribute(name, String(value));
  }
  const path = document.createElementNS(SVG_NS, 'path');
  for (const [name, value] of Object.entries({
    d: 'M12 4v11m0 0-4.5-4.5M12 15l4.5-4.5M5 19h14', fill: 'none', stroke: 'currentColor',
    'stroke-width': 2, 'stroke-linecap': 'round', 'stroke-linejoin': 'round',
  })) {
    path.setAttribute(name, String(value));
  }
  icon.append(path);
  return icon;
}

/** A Download link (the card's), empty until setDownloadLink fills it. */
export function createDownloadLink() {
  const link = el('a', 'button small download-button');
  link.append(downloadIcon(), document.createTextNode('Download'));
  return link;
}

/** Points `link` at the image's processed PNG, or hides it; returns whether there is one. */
export function setDownloadLink(link, image) {
  const download = downloadOf(image);
  if (download) {
    link.href = download.url;
    // The name is a hint; the server's Content-Disposition names the file as well.
    link.download = download.name;
    link.title = download.name ? `Download ${download.name}` : 'Download the result';
    link.dataset.downloadName = download.name;
  } else {
    link.removeAttribute('href');
  }
  link.hidden = !download;
  return Boolean(download);
}

/** "Download all results" is a link only while something is processed (a link has no disabled state). */
export function setResultsAvailable(available) {
  const link = ui.downloadAll;
  if (available === link.hasAttribute('href')) return;
  if (available) {
    link.href = RESULTS_ZIP;
    link.removeAttribute('aria-disabled');
    link.title = 'Every processed result in one zip';
  } else {
    link.removeAttribute('href');
    link.setAttribute('aria-disabled', 'true');
    link.title = 'Nothing is processed yet';
  }
}
