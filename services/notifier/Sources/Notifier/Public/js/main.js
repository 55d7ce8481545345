// The page's entry point: wires the modules together, then follows the list and the live stream.
//
// The page of the image pipeline: uploads PNGs to the upload API, lists the images the notifier
// knows, and follows their state live over Server-Sent Events. No framework, no build step: the
// browser loads these ES modules as they are. Everything that comes from users or the server is
// inserted with textContent, never as HTML.
import { showAccount } from './account.js';
import { getConfig } from './api.js';
import { refreshCardTimes, setCardActions } from './cards.js';
import { initControls } from './controls.js';
import { ui } from './dom.js';
import { connectEvents, setLive } from './events.js';
import { formatBytes } from './format.js';
import { initList, loadPage, removeCard, removeImage, resync, upsertImage } from './list.js';
import { initDeadLetters } from './deadletters.js';
import { applyPipeline, initPipeline } from './pipeline.js';
import { retryUpload } from './uploads.js';
import { initViewer } from './viewer.js';

// Read the configuration at once: the upload limit shows on the page, and uploads wait for it.
getConfig().then((config) => { ui.maxSize.textContent = formatBytes(config.max_upload_bytes); });
showAccount();

setCardActions({ retry: retryUpload, dismiss: removeCard });
setInterval(refreshCardTimes, 60000);
initList();
initViewer();
initControls();

// Start: subscribe first, then read the list, so no change falls between the two.
setLive(false);
connectEvents({ onImage: upsertImage, onRemoved: removeImage, onResync: resync, onPipeline: applyPipeline });
loadPage();
initPipeline();
initDeadLetters();
