// Tiny DOM builder. Text always goes through text nodes: provider strings and host messages
// are never parsed as HTML.

type Child = Node | string | null | undefined | false;

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: { class?: string; id?: string; attrs?: Record<string, string | boolean | undefined> } = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  if (props.class) el.className = props.class;
  if (props.id) el.id = props.id;
  for (const [k, v] of Object.entries(props.attrs ?? {})) {
    if (v === undefined || v === false) continue;
    el.setAttribute(k, v === true ? '' : v);
  }
  append(el, ...children);
  return el;
}

export function append(el: Node, ...children: Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    el.appendChild(typeof c === 'string' ? document.createTextNode(c) : c);
  }
}

/** A codicon in light DOM (codicon.css is linked by the page). Names are sanitized. */
export function codicon(name: string, extraClass = ''): HTMLSpanElement {
  const safe = /^[a-z0-9-]{1,64}$/.test(name) ? name : 'circle-large-outline';
  return h('span', { class: `codicon codicon-${safe}${extraClass ? ' ' + extraClass : ''}`, attrs: { 'aria-hidden': 'true' } });
}
