// Tiny DOM builder. Everything the client renders goes through h(), so no
// HTML strings are ever parsed (safe with user content, fine under the CSP).

/** Props assigned as DOM properties rather than attributes. */
const PROPERTY_KEYS = new Set([
  'value', 'checked', 'disabled', 'hidden', 'muted', 'playsInline', 'loop',
  'autoplay', 'defaultMuted', 'multiple', 'required', 'selected', 'indeterminate',
]);

/**
 * Create an element.
 * props: class (string | array), text, dataset, on<Event> handlers,
 * known DOM properties (see PROPERTY_KEYS), anything else as an attribute.
 */
export function h(tag, props, ...children) {
  const el = document.createElement(tag);
  applyProps(el, props);
  append(el, children);
  return el;
}

export function applyProps(el, props) {
  if (!props) return el;
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null) continue;
    if (key === 'class') {
      el.className = Array.isArray(value) ? value.filter(Boolean).join(' ') : value;
    } else if (key === 'text') {
      el.textContent = String(value);
    } else if (key === 'dataset') {
      Object.assign(el.dataset, value);
    } else if (key.startsWith('on') && typeof value === 'function') {
      el.addEventListener(key.slice(2).toLowerCase(), value);
    } else if (PROPERTY_KEYS.has(key)) {
      el[key] = value;
    } else if (value === false) {
      el.removeAttribute(key);
    } else {
      el.setAttribute(key, value === true ? '' : String(value));
    }
  }
  return el;
}

/** Append children: nodes, strings, numbers, nested arrays; null/false skipped. */
export function append(parent, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    parent.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return parent;
}

/** Like Element.replaceChildren, but skipping null/false the way h() does. */
export function replaceChildren(parent, ...children) {
  parent.replaceChildren();
  return append(parent, children);
}

/** True when a keyboard event comes from a place where keys mean typing. */
export function isTypingTarget(target) {
  if (!(target instanceof Element)) return false;
  return Boolean(target.closest('input, textarea, select, [contenteditable="true"]'));
}
