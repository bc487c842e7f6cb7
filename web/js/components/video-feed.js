// A vertical, snap-scrolling list of video slides. Swipe, scroll, or use the
// keyboard (↑/↓, j/k, Page Up/Down, Home/End; Space pause, m mute, l like,
// c comments).
// The slide most in view plays; the next page is requested a few slides
// before the end.

import { h, isTypingTarget } from '../lib/dom.js';
import { icon } from '../lib/icons.js';
import { createVideoSlide } from './video-slide.js';
import { spinner } from './states.js';
import { toastError } from './toast.js';

const PRELOAD_BEFORE_END = 3;
const VISIBLE_RATIO = 0.6;

/**
 * videos: first videos to show. loadMore(): resolves { videos, done } for the
 * next page (omit for a fixed list). startVideoId: slide to open at.
 * onEnd: { label, onClick } shown on the last card when there is no more.
 */
export function createVideoFeed({ videos = [], loadMore = null, startVideoId = null, label = 'Videos', onEnd = null }) {
  const slides = [];
  const seen = new Set();
  let activeIndex = -1;
  let loading = false;
  let done = !loadMore;
  let destroyed = false;

  const list = h('div', { class: 'video-feed__list' });
  const tail = h('div', { class: 'video-feed__tail' });
  const upButton = h('button', { type: 'button', class: 'icon-button video-feed__nav', 'aria-label': 'Previous video' }, icon('up'));
  const downButton = h('button', { type: 'button', class: 'icon-button video-feed__nav', 'aria-label': 'Next video' }, icon('down'));
  const scroller = h('section', { class: 'video-feed', tabindex: '0', 'aria-label': label, role: 'feed', 'aria-busy': 'false' }, list, tail);
  const el = h('div', { class: 'video-feed-wrap' }, scroller, h('div', { class: 'video-feed__navs' }, upButton, downButton));

  const ratios = new Map();
  const observer = new IntersectionObserver((entries) => {
    for (const entry of entries) ratios.set(entry.target, entry.intersectionRatio);
    let best = -1;
    let bestRatio = VISIBLE_RATIO;
    slides.forEach((slide, i) => {
      const ratio = ratios.get(slide.el) ?? 0;
      if (ratio >= bestRatio) { best = i; bestRatio = ratio; }
    });
    if (best !== -1 && best !== activeIndex) activate(best);
  }, { root: scroller, threshold: [0, 0.25, 0.5, VISIBLE_RATIO, 0.75, 1] });

  function append(newVideos) {
    for (const video of newVideos) {
      if (!video || seen.has(video.id)) continue;
      seen.add(video.id);
      const slide = createVideoSlide(video);
      slides.push(slide);
      list.append(slide.el);
      observer.observe(slide.el);
    }
    renderTail();
    renderNav();
  }

  function activate(index) {
    if (activeIndex >= 0 && slides[activeIndex]) slides[activeIndex].deactivate();
    activeIndex = index;
    slides.forEach((slide, i) => slide.prepare(Math.abs(i - index)));
    slides[index].activate();
    renderNav();
    if (index >= slides.length - PRELOAD_BEFORE_END) requestMore();
  }

  async function requestMore() {
    if (loading || done || destroyed) return;
    loading = true;
    scroller.setAttribute('aria-busy', 'true');
    renderTail();
    try {
      const page = await loadMore();
      if (destroyed) return;
      done = page.done || page.videos.length === 0;
      append(page.videos);
    } catch (error) {
      if (!destroyed) toastError(error, 'Could not load more videos.');
    } finally {
      loading = false;
      scroller.setAttribute('aria-busy', 'false');
      if (!destroyed) renderTail();
    }
  }

  function renderTail() {
    if (loading) {
      tail.replaceChildren(spinner('Loading more videos'));
      tail.hidden = false;
    } else if (done && slides.length > 0 && onEnd) {
      tail.replaceChildren(
        h('p', { class: 'video-feed__end', text: 'You’re all caught up.' }),
        h('button', { type: 'button', class: 'button button--ghost', onClick: onEnd.onClick }, icon('refresh'), onEnd.label));
      tail.hidden = false;
    } else {
      tail.replaceChildren();
      tail.hidden = true;
    }
  }

  function renderNav() {
    upButton.disabled = activeIndex <= 0;
    downButton.disabled = activeIndex >= slides.length - 1 && done;
  }

  /** Scroll to slide `index` (clamped). */
  function go(index) {
    const target = Math.max(0, Math.min(index, slides.length - 1));
    if (!slides[target]) return;
    if (target === activeIndex && index > target && !done) requestMore();
    slides[target].el.scrollIntoView({ behavior: matchMedia('(prefers-reduced-motion: reduce)').matches ? 'auto' : 'smooth', block: 'start' });
  }

  function current() { return slides[activeIndex]; }

  /** Steps from the slide in view; before the observer's first report that is the first one. */
  function step(delta) { go(Math.max(activeIndex, 0) + delta); }

  function onKeyDown(event) {
    if (event.defaultPrevented || event.altKey || event.ctrlKey || event.metaKey) return;
    if (isTypingTarget(event.target) || document.querySelector('dialog[open]')) return;
    const onControl = event.target instanceof Element && event.target.closest('button, a') && !event.target.classList.contains('slide__surface');
    switch (event.key) {
      case 'ArrowDown': case 'PageDown': case 'j':
        event.preventDefault(); step(1); break;
      case 'ArrowUp': case 'PageUp': case 'k':
        event.preventDefault(); step(-1); break;
      case 'Home':
        event.preventDefault(); go(0); break;
      case 'End':
        event.preventDefault(); go(slides.length - 1); break;
      case ' ':
        if (onControl) return; // Space activates the focused button instead
        event.preventDefault(); current()?.togglePlay(); break;
      case 'm': current()?.toggleMute(); break;
      case 'l': current()?.like(); break;
      case 'c': event.preventDefault(); current()?.showComments(); break;
      default:
    }
  }

  upButton.addEventListener('click', () => step(-1));
  downButton.addEventListener('click', () => step(1));
  document.addEventListener('keydown', onKeyDown);

  append(videos);
  if (startVideoId !== null) {
    const startIndex = slides.findIndex((slide) => Number(slide.video.id) === Number(startVideoId));
    if (startIndex > 0) requestAnimationFrame(() => slides[startIndex].el.scrollIntoView({ block: 'start' }));
  }

  return {
    el,
    focusTarget: scroller,
    get activeSlide() { return current(); },
    destroy() {
      destroyed = true;
      document.removeEventListener('keydown', onKeyDown);
      observer.disconnect();
      slides.forEach((slide) => slide.destroy());
    },
  };
}
