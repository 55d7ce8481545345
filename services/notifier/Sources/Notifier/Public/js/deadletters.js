// Dead letters an administrator can act on: under the panel's count, which images they are, why
// they failed, and a button that sends them all back to the input queue (GET /api/dead-letters,
// POST /api/dead-letters/redrive). Their cards then move to "processed" live, as any image does.
import { getJson } from './api.js';
import { $, announce } from './dom.js';
import { el } from './format.js';

const ui = {
  box: $('dead-letters'),
  list: $('dead-letter-list'),
  redrive: $('dead-letter-redrive'),
  status: $('dead-letter-status'),
};

let lastCount = 0;

/** Shown when the input queue's dead letters (administrators see them) are more than none. */
export function showDeadLetters(queues, inputName) {
  const stem = (name) => String(name || '').replace(/\.fifo$/, '').replace(/-dlq$/, '');
  const input = queues.find((queue) => stem(queue?.name) === stem(inputName)) ?? queues[0];
  const count = Number.isInteger(input?.messages) ? input.messages : 0;
  ui.box.hidden = count === 0 && !ui.box.open;
  if (ui.box.open && count !== lastCount) load();
  lastCount = count;
}

async function load() {
  try {
    const { images } = await getJson('/api/dead-letters');
    ui.list.replaceChildren(...images.map((image) => {
      const item = el('li', 'dead-letter');
      item.dataset.imageId = image.image_id;
      item.append(el('span', 'dead-letter-name', image.filename || image.image_id));
      if (image.owner) item.append(el('span', 'dead-letter-owner', image.owner));
      item.append(el('span', 'dead-letter-error', image.error || 'No reason recorded.'));
      return item;
    }));
    if (!images.length) ui.list.replaceChildren(el('li', 'dead-letter is-empty', 'None left.'));
    ui.redrive.disabled = images.length === 0;
  } catch (error) {
    ui.list.replaceChildren(el('li', 'dead-letter is-empty', `Not readable (${error.status ?? error.message}).`));
  }
}

async function redrive() {
  ui.redrive.disabled = true;
  ui.status.textContent = 'Sending them back…';
  try {
    const response = await fetch('/api/dead-letters/redrive', {
      method: 'POST', headers: { 'Content-Type': 'application/json', Accept: 'application/json' }, body: '{}',
    });
    const report = await response.json();
    if (!response.ok) throw new Error(report.message || `HTTP ${response.status}`);
    const text = report.method === 'move_task'
      ? 'SQS is moving them back to the queue; their cards change as they are processed.'
      : `Sent ${report.moved} back to the queue; their cards change as they are processed.`;
    ui.status.textContent = text;
    announce(text);
  } catch (error) {
    ui.status.textContent = `Could not send them back: ${error.message}`;
  } finally {
    setTimeout(load, 2000);
  }
}

export function initDeadLetters() {
  ui.box.addEventListener('toggle', () => { if (ui.box.open) load(); });
  ui.redrive.addEventListener('click', redrive);
}
