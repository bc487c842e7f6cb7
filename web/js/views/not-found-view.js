// Unknown routes.

import { h } from '../lib/dom.js';
import { emptyState } from '../components/states.js';

export function notFoundView() {
  const el = h('section', { class: 'view page not-found-view', tabindex: '-1' },
    emptyState({ iconName: 'alert', title: 'Page not found', text: 'That link does not lead anywhere.', action: { label: 'Go to the feed', href: '#/feed' } }));
  return { el };
}
