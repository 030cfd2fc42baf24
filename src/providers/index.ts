// The provider registry: every provider kind the extension knows, by id.

import { genericProvider } from './generic';
import type { RegistryProvider } from './provider';

export const providers: readonly RegistryProvider[] = [genericProvider];

export function providerFor(id: string): RegistryProvider | undefined {
  return providers.find((p) => p.form.id === id);
}

/** The provider that fits a registry host (Docker config import); Generic v2 otherwise. */
export function providerForRegistryHost(_host: string): string {
  return 'generic';
}
