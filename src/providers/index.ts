// The provider registry: every provider kind the extension knows, by id.

import { genericProvider } from './generic';
import type { RegistryProvider } from './provider';

export const providers: readonly RegistryProvider[] = [genericProvider];

export function providerFor(id: string): RegistryProvider | undefined {
  return providers.find((p) => p.form.id === id);
}
