// The page's inputs: the file chooser, drops anywhere on the window, and the threshold options.
import { ui } from './dom.js';
import { addFiles } from './uploads.js';

/** The processing options the user chose: { method: 'fixed' | 'otsu', threshold: 0...255 }. */
function currentOptions() {
  const method = document.querySelector('input[name="method"]:checked')?.value === 'otsu' ? 'otsu' : 'fixed';
  const threshold = Math.min(255, Math.max(0, Number.parseInt(ui.threshold.value, 10) || 0));
  return { method, threshold };
}

// Threshold control: the slider only applies to the fixed method.
function updateOptions() {
  const { method, threshold } = currentOptions();
  ui.threshold.disabled = method !== 'fixed';
  ui.thresholdValue.textContent = String(threshold);
}

export function initControls() {
  ui.fileInput.addEventListener('change', () => {
    addFiles(ui.fileInput.files, currentOptions());
    ui.fileInput.value = ''; // so that choosing the same file again still uploads it
  });

  // Drops are accepted anywhere on the window; the page highlights while files hover over it.
  let dragDepth = 0;
  const carriesFiles = (event) => Array.from(event.dataTransfer?.types || []).includes('Files');

  window.addEventListener('dragenter', (event) => {
    if (!carriesFiles(event)) return;
    event.preventDefault();
    dragDepth += 1;
    document.body.classList.add('dragging');
  });
  window.addEventListener('dragover', (event) => {
    if (!carriesFiles(event)) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = 'copy';
  });
  window.addEventListener('dragleave', (event) => {
    if (!carriesFiles(event)) return;
    dragDepth = Math.max(0, dragDepth - 1);
    if (dragDepth === 0) document.body.classList.remove('dragging');
  });
  window.addEventListener('drop', (event) => {
    if (!carriesFiles(event)) return;
    event.preventDefault(); // otherwise the browser navigates to the file
    dragDepth = 0;
    document.body.classList.remove('dragging');
    addFiles(event.dataTransfer.files, currentOptions());
  });

  ui.threshold.addEventListener('input', updateOptions);
  for (const radio of document.querySelectorAll('input[name="method"]')) radio.addEventListener('change', updateOptions);
  updateOptions();
}
