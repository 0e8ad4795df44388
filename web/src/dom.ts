// A small DOM builder: elements from tag, attributes and children; no HTML strings, so no text
// from the API is ever parsed as markup.
export type Child = Node | string | number | null | undefined | false | Child[];

export type Attributes = Record<
  string,
  string | number | boolean | null | undefined | EventListener
>;

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Attributes = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === null || value === undefined || value === false) continue;
    if (typeof value === 'function') element.addEventListener(name.replace(/^on/, ''), value);
    else if (value === true) element.setAttribute(name, '');
    else element.setAttribute(name, String(value));
  }
  append(element, children);
  return element;
}

export function append(parent: Node, children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(parent, child);
    else
      parent.appendChild(
        typeof child === 'object' ? child : document.createTextNode(String(child)),
      );
  }
}

/** Replaces an element's content. */
export function fill(parent: Element, ...children: Child[]): void {
  parent.replaceChildren();
  append(parent, children);
}

export const count = (value: number): string => value.toLocaleString('en-US');

export function when(ms: number | string | null | undefined): string {
  if (ms === null || ms === undefined || ms === '') return '—';
  const date = new Date(ms);
  if (Number.isNaN(date.getTime())) return String(ms);
  return date.toISOString().replace('T', ' ').slice(0, 16) + ' UTC';
}

export function percent(share: number): string {
  return `${(share * 100).toFixed(share < 0.1 ? 1 : 0)}%`;
}

/** A p-value given as log10, in words a reader can check. */
export function pValue(log10: number | null | undefined): string {
  if (log10 === null || log10 === undefined) return '—';
  if (log10 > -3) return `p = ${Math.pow(10, log10).toPrecision(2)}`;
  return `p ≈ 1e${Math.round(log10)}`;
}

export const section = (title: string, ...children: Child[]): HTMLElement =>
  h('section', { class: 'panel', 'aria-label': title }, h('h2', {}, title), ...children);

export function link(href: string, text: Child, attributes: Attributes = {}): HTMLAnchorElement {
  return h('a', { href, ...attributes }, text);
}

/** A labelled badge for a verdict or an action (colour and text, never colour alone). */
export function badge(kind: string | null | undefined): HTMLElement {
  const text = kind ?? 'none';
  return h('span', { class: `badge badge-${text.replace(/[^a-z_-]/gi, '')}` }, text);
}

export function errorBox(message: string): HTMLElement {
  return h('p', { class: 'error', role: 'alert' }, message);
}
