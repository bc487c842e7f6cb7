// Video upload with real progress: XMLHttpRequest exposes upload progress
// events, fetch() does not. Multipart fields `data` and `title`; token in the
// Authorization header.

import { ApiError, ErrorCode, authHeaders, unwrapEnvelope } from './http.js';

/**
 * Upload a video. onProgress({ loaded, total, fraction }) fires while bytes go
 * out. Abort with `signal`. Resolves to the response envelope.
 */
export function uploadVideo({ file, title, onProgress, signal }) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    const form = new FormData();
    form.append('title', title);
    form.append('data', file, file.name || 'video.mp4');

    xhr.open('POST', '/douyin/publish/action/');
    xhr.responseType = 'json';
    const headers = authHeaders();
    for (const [name, value] of Object.entries(headers)) xhr.setRequestHeader(name, value);
    xhr.setRequestHeader('Accept', 'application/json');

    xhr.upload.addEventListener('progress', (event) => {
      if (!event.lengthComputable) return;
      onProgress?.({ loaded: event.loaded, total: event.total, fraction: event.total ? event.loaded / event.total : 0 });
    });
    xhr.addEventListener('load', () => {
      try {
        resolve(unwrapEnvelope(xhr.response, xhr.status, 'Authorization' in headers, xhr.getResponseHeader('Retry-After')));
      } catch (error) {
        reject(error);
      }
    });
    xhr.addEventListener('error', () => reject(new ApiError(ErrorCode.NETWORK)));
    xhr.addEventListener('abort', () => reject(new ApiError(ErrorCode.ABORTED)));

    if (signal) {
      if (signal.aborted) { xhr.abort(); return; }
      signal.addEventListener('abort', () => xhr.abort(), { once: true });
    }
    xhr.send(form);
  });
}
