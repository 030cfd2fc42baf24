// The provider picker: a single-select listbox of cards (codicon, title, description) with a
// roving tabindex. Arrow keys / Home / End move, Enter or Space chooses, a click chooses.

import type { ProviderForm } from '../src/providers/form';
import { codicon, h } from './dom';

export interface Picker {
  readonly root: HTMLElement;
  /** Marks the chosen provider (aria-selected) without calling `onChoose`. */
  setSelected(id: string | undefined): void;
  /** Focuses the selected card, else the first. */
  focus(): void;
}

export function renderPicker(forms: readonly ProviderForm[], labelledBy: string, onChoose: (id: string) => void): Picker {
  const list = h('div', { class: 'provider-list', attrs: { role: 'listbox', 'aria-labelledby': labelledBy } });
  const options: HTMLElement[] = [];
  let selected: string | undefined;

  forms.forEach((form, i) => {
    const titleId = `provider-${i}-title`;
    const descId = `provider-${i}-desc`;
    const opt = h(
      'div',
      {
        class: 'provider-card',
        id: `provider-${i}`,
        attrs: { role: 'option', 'aria-selected': 'false', tabindex: i === 0 ? '0' : '-1', 'aria-labelledby': titleId, 'aria-describedby': descId },
      },
      codicon(form.icon, 'provider-icon'),
      h('span', { class: 'provider-text' }, h('span', { class: 'provider-title', id: titleId }, form.title), h('span', { class: 'provider-desc', id: descId }, form.description)),
    );
    opt.dataset.provider = form.id;
    opt.addEventListener('click', () => onChoose(form.id));
    options.push(opt);
    list.append(opt);
  });

  const move = (from: number, to: number): void => {
    const target = options[Math.max(0, Math.min(options.length - 1, to))];
    if (!target) return;
    options[from]?.setAttribute('tabindex', '-1');
    target.setAttribute('tabindex', '0');
    target.focus();
  };

  list.addEventListener('keydown', (ev) => {
    const i = options.indexOf(ev.target as HTMLElement);
    if (i < 0) return;
    switch (ev.key) {
      case 'ArrowDown':
      case 'ArrowRight':
        move(i, i + 1);
        break;
      case 'ArrowUp':
      case 'ArrowLeft':
        move(i, i - 1);
        break;
      case 'Home':
        move(i, 0);
        break;
      case 'End':
        move(i, options.length - 1);
        break;
      case 'Enter':
      case ' ': {
        const id = options[i]?.dataset.provider;
        if (id) onChoose(id);
        break;
      }
      default:
        return;
    }
    ev.preventDefault();
  });

  return {
    root: list,
    setSelected(id) {
      selected = id;
      let focusIndex = 0;
      options.forEach((o, i) => {
        const on = o.dataset.provider === id;
        o.setAttribute('aria-selected', on ? 'true' : 'false');
        if (on) focusIndex = i;
      });
      options.forEach((o, i) => o.setAttribute('tabindex', i === focusIndex ? '0' : '-1'));
    },
    focus() {
      const i = Math.max(0, options.findIndex((o) => o.dataset.provider === selected));
      options.forEach((o, j) => o.setAttribute('tabindex', j === i ? '0' : '-1'));
      options[i]?.focus();
    },
  };
}
