// Uploads: each file gets a card at once; at most MAX_PARALLEL_UPLOADS are sent at a time.
import { describeRefusal, getConfig, postFile } from './api.js';
import { cardsById, createCard, renderCard, renderProgress } from './cards.js';
import { announce, ui } from './dom.js';
import { formatBytes } from './format.js';
import { updateEmpty } from './list.js';
import { refreshViewer } from './viewer.js';

const MAX_PARALLEL_UPLOADS = 4;

const uploadQueue = [];
let activeUploads = 0;

/** Queues the files for upload with `options` ({ method, threshold }), each with its own card on top of the list. */
export function addFiles(fileList, options) {
  const files = Array.from(fileList || []);
  if (!files.length) return;
  const fragment = document.createDocumentFragment();
  for (const file of files) {
    const card = createCard();
    // One Idempotency-Key per file, reused by its retries: a retry after a lost answer gets the
    // same image instead of a second one.
    // (randomUUID exists only on secure origins; getRandomValues everywhere.)
    const idempotencyKey = Array.from(crypto.getRandomValues(new Uint8Array(16)), (byte) => byte.toString(16).padStart(2, '0')).join('');
    Object.assign(card, { file, options, idempotencyKey, local: true, blobUrl: URL.createObjectURL(file), upload: { phase: 'waiting', loaded: 0, total: file.size } });
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

export function retryUpload(card) {
  card.refusal = null;
  card.upload = { phase: 'waiting', loaded: 0, total: card.file.size };
  renderCard(card);
  uploadQueue.push(card);
  pumpUploads();
}

async function uploadCard(card) {
  const config = await getConfig();
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
  const response = await postFile(config.upload_url, file, card.options, card.idempotencyKey, (loaded, total) => {
    card.upload = { phase: 'sending', loaded, total };
    renderProgress(card, 'uploading');
  });
  if (response.status >= 200 && response.status < 300 && typeof response.body?.image_id === 'string') {
    acceptUpload(card, response.body);
  } else {
    refuse(card, describeRefusal(response));
  }
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
  refreshViewer(id);
}
