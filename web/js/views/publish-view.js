// Publish: choose or drop a video, give it a title, upload with a real
// progress bar, then follow the processing state until the video is ready.

import { h } from '../lib/dom.js';
import { icon } from '../lib/icons.js';
import { asSentence, codePointLength, formatBytes } from '../lib/format.js';
import { api } from '../api/douyin.js';
import { uploadVideo } from '../api/upload.js';
import { ErrorCode, pollDelayAfter } from '../api/http.js';
import { session } from '../state/session.js';
import { pageHeader } from '../components/page-header.js';
import { videoState } from '../components/video-grid.js';
import { spinner } from '../components/states.js';
import { retryHint } from '../components/retry-hint.js';

const MAX_TITLE_CHARS = 100;
const POLL_INTERVAL_MS = 1500;
const POLL_GIVE_UP_MS = 15 * 60 * 1000;

export function publishView() {
  let file = null;
  let previewUrl = '';
  let abortController = null;
  let pollTimer = 0;
  let destroyed = false;

  // --- file picker / drop zone ---------------------------------------------
  const fileInput = h('input', { id: 'publish-file', class: 'visually-hidden', type: 'file', accept: 'video/*', name: 'data' });
  const dropzone = h('label', { class: 'dropzone', for: 'publish-file' },
    h('span', { class: 'dropzone__icon' }, icon('upload')),
    h('span', { class: 'dropzone__title', text: 'Select a video to upload' }),
    h('span', { class: 'dropzone__hint', text: 'or drag and drop it here · MP4, WebM or MOV' }),
    h('span', { class: 'button button--primary dropzone__button', 'aria-hidden': 'true', text: 'Select file' }));
  const preview = h('video', { class: 'publish__preview-video', muted: true, loop: true, playsInline: true, autoplay: true, 'aria-label': 'Preview of the selected video' });
  const fileName = h('p', { class: 'publish__file-name' });
  const changeButton = h('button', { type: 'button', class: 'button button--ghost button--sm', text: 'Change video' });
  const previewNote = h('p', { class: 'publish__preview-note', hidden: true, text: 'No preview for this file. You can still try to post it.' });
  const previewBox = h('div', { class: 'publish__preview', hidden: true }, preview, previewNote,
    h('div', { class: 'publish__file' }, icon('videos'), fileName, changeButton));

  // --- details form ---------------------------------------------------------
  const titleInput = h('input', {
    id: 'publish-title', name: 'title', type: 'text', autocomplete: 'off', required: true,
    maxlength: String(MAX_TITLE_CHARS * 2), placeholder: 'Describe your video',
  });
  const titleCounter = h('span', { class: 'form__counter', 'aria-live': 'polite' });
  const formError = h('p', { class: 'form__error', role: 'alert', hidden: true });
  const submit = h('button', { type: 'submit', class: 'button button--primary button--lg', text: 'Post' });
  // Too many uploads: Post waits out the server's Retry-After (an upload sent
  // sooner would only be refused again, after its bytes went out).
  const wait = retryHint({ controls: [submit] });
  const form = h('form', { class: 'form publish__form', novalidate: true },
    h('div', { class: 'form__field' },
      h('div', { class: 'form__label-row' }, h('label', { for: 'publish-title', text: 'Title' }), titleCounter),
      titleInput),
    formError,
    wait.el,
    h('div', { class: 'form__actions' }, submit));

  // --- upload progress and processing status --------------------------------
  const progressBar = h('span', { class: 'progress__bar' });
  const progress = h('div', {
    class: 'progress', role: 'progressbar', 'aria-label': 'Upload progress',
    'aria-valuemin': '0', 'aria-valuemax': '100', 'aria-valuenow': '0',
  }, progressBar);
  const progressText = h('p', { class: 'upload__text' });
  const cancelButton = h('button', { type: 'button', class: 'button button--ghost button--sm', text: 'Cancel' });
  const uploadBox = h('div', { class: 'upload', hidden: true },
    h('div', { class: 'upload__row' }, progressText, cancelButton), progress);
  const status = h('div', { class: 'publish__status', role: 'status', 'aria-live': 'polite', hidden: true });

  const header = pageHeader({ title: 'Upload video', back: '/feed' });
  const el = h('section', { class: 'view page publish-view' },
    header.el,
    h('div', { class: 'page__content publish' },
      h('div', { class: 'publish__media' }, fileInput, dropzone, previewBox),
      h('div', { class: 'publish__details' }, form, uploadBox, status)));

  // --- behaviour ------------------------------------------------------------
  function renderCounter() {
    const used = codePointLength(titleInput.value.trim());
    titleCounter.textContent = `${used}/${MAX_TITLE_CHARS}`;
    titleCounter.classList.toggle('is-over', used > MAX_TITLE_CHARS);
  }

  function showError(message) {
    formError.textContent = message;
    formError.hidden = !message;
  }

  function chooseFile(chosen) {
    if (!chosen) return;
    if (chosen.type && !chosen.type.startsWith('video/')) {
      showError('That file is not a video. Choose an MP4, WebM or MOV file.');
      return;
    }
    showError('');
    file = chosen;
    if (previewUrl) URL.revokeObjectURL(previewUrl);
    previewUrl = URL.createObjectURL(chosen);
    previewNote.hidden = true;
    preview.hidden = false;
    preview.src = previewUrl;
    preview.play().catch(() => {});
    fileName.textContent = `${chosen.name} · ${formatBytes(chosen.size)}`;
    dropzone.hidden = true;
    previewBox.hidden = false;
    if (!titleInput.value.trim()) {
      titleInput.value = chosen.name.replace(/\.[^.]+$/, '').replace(/[_-]+/g, ' ').slice(0, MAX_TITLE_CHARS);
      renderCounter();
    }
    titleInput.focus();
  }

  function setProgress(fraction, loaded, total) {
    const percent = Math.round(fraction * 100);
    progress.setAttribute('aria-valuenow', String(percent));
    progressBar.style.transform = `scaleX(${fraction})`;
    progressText.textContent = total
      ? `Uploading… ${percent}% (${formatBytes(loaded)} of ${formatBytes(total)})`
      : `Uploading… ${percent}%`;
  }

  function setStatus(kind, title, text, actions = []) {
    status.hidden = false;
    status.dataset.state = kind;
    status.replaceChildren(
      h('div', { class: 'publish__status-icon' }, kind === 'processing' ? spinner('Processing') : icon(kind === 'ready' ? 'check' : 'alert')),
      h('div', { class: 'publish__status-text' },
        h('p', { class: 'publish__status-title', text: title }),
        text ? h('p', { class: 'publish__status-detail', text }) : null,
        actions.length ? h('div', { class: 'publish__status-actions' }, actions) : null));
  }

  function setBusy(busy) {
    for (const control of [titleInput, changeButton, fileInput]) control.disabled = busy;
    submit.disabled = busy || wait.waiting;
    dropzone.classList.toggle('is-disabled', busy);
  }

  function reset() {
    clearTimeout(pollTimer);
    file = null;
    if (previewUrl) URL.revokeObjectURL(previewUrl);
    previewUrl = '';
    preview.removeAttribute('src');
    preview.load();
    fileInput.value = '';
    titleInput.value = '';
    renderCounter();
    previewBox.hidden = true;
    changeButton.hidden = false;
    dropzone.hidden = false;
    uploadBox.hidden = true;
    status.hidden = true;
    form.hidden = false;
    setBusy(false);
    dropzone.focus();
  }

  async function knownVideoIds() {
    try {
      return new Set((await api.publishList(session.userId)).map((v) => v.id));
    } catch {
      return new Set();
    }
  }

  /** Poll my publish list until the new video is ready or failed. */
  function watchProcessing({ knownIds, videoId, title, startedAt }) {
    const ready = (video) => setStatus('ready', 'Your video is live!', video.title, [
      h('a', { class: 'button button--primary button--sm', href: `#/user/${session.userId}/videos/${video.id}`, text: 'Watch it' }),
      h('a', { class: 'button button--ghost button--sm', href: `#/user/${session.userId}`, text: 'Go to your profile' }),
      h('button', { type: 'button', class: 'button button--ghost button--sm', text: 'Upload another', onClick: reset }),
    ]);

    let shownReason = '';
    const poll = async () => {
      if (destroyed) return;
      let mine = [];
      let delay = POLL_INTERVAL_MS;
      // A failed poll is tried again next tick, or when the server said it would work.
      try { mine = await api.publishList(session.userId); } catch (error) { delay = pollDelayAfter(error, POLL_INTERVAL_MS); }
      if (destroyed) return;
      const fresh = mine.filter((v) => !knownIds.has(v.id));
      const video = fresh.find((v) => videoId && Number(v.id) === Number(videoId))
        ?? fresh.find((v) => v.title === title) ?? fresh[0];
      if (video) {
        const state = videoState(video);
        if (state === 'ready') { ready(video); return; }
        if (state === 'processing' && video.state_reason && video.state_reason !== shownReason) {
          shownReason = video.state_reason;
          setStatus('processing', 'Processing your video…', asSentence(video.state_reason));
        }
        if (state === 'failed') {
          setStatus('failed', 'Processing failed', video.state_reason || 'The server could not process this video.', [
            h('button', { type: 'button', class: 'button button--primary button--sm', text: 'Try another video', onClick: reset }),
          ]);
          return;
        }
      }
      if (Date.now() - startedAt > POLL_GIVE_UP_MS) {
        setStatus('failed', 'Still processing', 'This is taking a while. It will appear on your profile when ready.', [
          h('a', { class: 'button button--ghost button--sm', href: `#/user/${session.userId}`, text: 'Go to your profile' }),
        ]);
        return;
      }
      pollTimer = setTimeout(poll, delay);
    };
    poll();
  }

  async function publish(event) {
    event.preventDefault();
    const title = titleInput.value.trim();
    if (wait.waiting) return;
    if (!file) { showError('Choose a video first.'); dropzone.focus(); return; }
    if (!title) { showError('Give your video a title.'); titleInput.focus(); return; }
    if (codePointLength(title) > MAX_TITLE_CHARS) { showError(`Titles are at most ${MAX_TITLE_CHARS} characters.`); titleInput.focus(); return; }
    showError('');
    wait.clear();
    setBusy(true);
    status.hidden = true;
    uploadBox.hidden = false;
    cancelButton.hidden = false;
    setProgress(0, 0, file.size);

    const knownIds = await knownVideoIds();
    abortController = new AbortController();
    const startedAt = Date.now();
    try {
      const result = await uploadVideo({
        file,
        title,
        signal: abortController.signal,
        onProgress: ({ fraction, loaded, total }) => setProgress(fraction, loaded, total),
      });
      if (destroyed) return;
      setProgress(1, file.size, file.size);
      progressText.textContent = 'Upload complete';
      cancelButton.hidden = true;
      changeButton.hidden = true;
      form.hidden = true;
      setStatus('processing', 'Processing your video…', 'This usually takes a few seconds. You can leave this page.');
      const videoId = result.video_id ?? result.video?.id ?? null;
      watchProcessing({ knownIds, videoId, title, startedAt });
    } catch (error) {
      if (destroyed) return;
      uploadBox.hidden = true;
      setBusy(false);
      if (error.code === ErrorCode.ABORTED) { showError('Upload cancelled.'); return; }
      showError(error.message);
      wait.start(error);
    } finally {
      abortController = null;
    }
  }

  preview.addEventListener('error', () => {
    if (!preview.getAttribute('src')) return;
    preview.hidden = true;
    previewNote.hidden = false;
  });
  fileInput.addEventListener('change', () => chooseFile(fileInput.files?.[0]));
  changeButton.addEventListener('click', () => fileInput.click());
  titleInput.addEventListener('input', renderCounter);
  form.addEventListener('submit', publish);
  cancelButton.addEventListener('click', () => abortController?.abort());
  dropzone.tabIndex = 0;
  dropzone.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' || event.key === ' ') { event.preventDefault(); fileInput.click(); }
  });
  for (const type of ['dragenter', 'dragover']) {
    el.addEventListener(type, (event) => {
      if (!event.dataTransfer?.types?.includes('Files')) return;
      event.preventDefault();
      dropzone.classList.add('is-dragging');
    });
  }
  el.addEventListener('dragleave', (event) => { if (event.target === dropzone) dropzone.classList.remove('is-dragging'); });
  el.addEventListener('drop', (event) => {
    event.preventDefault();
    dropzone.classList.remove('is-dragging');
    if (!dropzone.classList.contains('is-disabled')) chooseFile(event.dataTransfer?.files?.[0]);
  });

  renderCounter();
  return {
    el,
    focusTarget: header.heading,
    destroy() {
      destroyed = true;
      clearTimeout(pollTimer);
      abortController?.abort();
      if (previewUrl) URL.revokeObjectURL(previewUrl);
    },
  };
}
