// Talking to the servers: JSON reads from the notifier (and its config), and file uploads to the upload API.
import { parseJson } from './format.js';

const DEFAULT_CONFIG = { upload_url: 'http://localhost:8081/upload', max_upload_bytes: 52428800 };
// Used when a refusal carries no readable JSON message.
const FALLBACK_MESSAGES = {
  400: 'The upload request was not valid.',
  408: 'The upload stopped arriving and was cut off; try again.',
  413: 'The file is too large.',
  415: 'The file is not a PNG image.',
  422: 'The PNG image could not be accepted.',
  429: 'Too many uploads for now; try again later.',
  503: 'The upload service is temporarily unavailable.',
};

export async function getJson(url) {
  const response = await fetch(url, { headers: { Accept: 'application/json' } });
  if (response.status === 401) signInAgain();
  if (!response.ok) throw Object.assign(new Error(`HTTP ${response.status}`), { status: response.status });
  return response.json();
}

/**
 * A 401 means the sign-in session ended: loading the page again goes through the load balancer's
 * sign-in. At most once a minute, so a page that cannot sign in does not reload forever.
 */
export function signInAgain() {
  const last = Number(sessionStorage.getItem('signInAgainAt') || 0);
  if (Date.now() - last < 60000) return;
  sessionStorage.setItem('signInAgainAt', String(Date.now()));
  window.location.reload();
}

let configReady = null;

/**
 * The configuration, read once from the notifier (the upload API is on another origin; its URL
 * comes from there); defaults when it cannot be read. Never rejects.
 */
export function getConfig() {
  configReady ??= getJson('/api/config')
    .then((config) => ({
      upload_url: typeof config.upload_url === 'string' && config.upload_url ? config.upload_url : DEFAULT_CONFIG.upload_url,
      max_upload_bytes: Number.isFinite(config.max_upload_bytes) ? config.max_upload_bytes : DEFAULT_CONFIG.max_upload_bytes,
    }))
    .catch((error) => {
      console.warn('Could not read /api/config, using defaults', error);
      return DEFAULT_CONFIG;
    });
  return configReady;
}

/**
 * POSTs one file as multipart field "image" with its Idempotency-Key; resolves (never rejects)
 * with status 0 on network failure.
 */
export function postFile(url, file, options, idempotencyKey, onProgress) {
  return new Promise((resolve) => {
    const form = new FormData();
    form.append('method', options.method);
    if (options.method === 'fixed') form.append('threshold', String(options.threshold));
    form.append('image', file, file.name);
    const xhr = new XMLHttpRequest();
    xhr.open('POST', url);
    xhr.setRequestHeader('Accept', 'application/json');
    xhr.setRequestHeader('Idempotency-Key', idempotencyKey);
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

/** What postFile's answer means for a file that was not accepted: { status, code, message, retryable }. */
export function describeRefusal({ status, body, retryAfter }) {
  if (status === 0) {
    return { status: 0, code: 'network_error', retryable: true, message: 'Network error: the upload service could not be reached.' };
  }
  const code = typeof body?.error === 'string' && body.error ? body.error : `http_${status}`;
  let message = typeof body?.message === 'string' && body.message ? body.message
    : FALLBACK_MESSAGES[status] || (status >= 200 && status < 300 ? 'Unexpected answer from the upload service.' : 'The upload was refused.');
  if (status === 503 && retryAfter && /^\d+$/.test(retryAfter)) message += ` Try again in ${retryAfter} s.`;
  return { status, code, message, retryable: status === 503 || status >= 500 };
}
