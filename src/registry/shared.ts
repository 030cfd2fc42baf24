// Work that several callers wait for (a token fetch, the provider's credentials, the first
// ping) runs detached from any one of them. Were it run under the first caller's AbortSignal,
// that caller cancelling (a hover moving on) would fail every other waiter as "cancelled".
// Each waiter leaves alone, with a `cancelled` RegistryError; the work itself is aborted only
// when every waiter has left, so nobody pays for an answer no one wants. Its own requests
// stay bounded by the transport's timeouts.

import { RegistryError } from './errors';

export interface Shared<T> {
  /** The work's own outcome (settles even when every waiter has left). */
  readonly done: Promise<T>;
  /** Wait for the outcome; an abort of `signal` cancels this waiter only. */
  join(signal?: AbortSignal): Promise<T>;
}

export function cancelledError(): RegistryError {
  return new RegistryError('cancelled', 'The request was cancelled.');
}

/** Starts `work` now; `onAbandon` runs when the last waiter leaves before it settled. */
export function share<T>(work: (signal: AbortSignal) => Promise<T>, onAbandon?: () => void): Shared<T> {
  const controller = new AbortController();
  let settled = false;
  let waiters = 0;
  const done = work(controller.signal);
  done.then(
    () => (settled = true),
    () => (settled = true), // nobody may be left to see a failure: never an unhandled rejection
  );
  return {
    done,
    join(signal) {
      if (signal?.aborted) return Promise.reject(cancelledError());
      waiters++;
      // A waiter that cannot cancel keeps the work alive for good.
      if (!signal) return done;
      return abortable(done, signal, () => {
        waiters--;
        if (waiters === 0 && !settled) {
          onAbandon?.();
          controller.abort();
        }
      });
    },
  };
}

/** `promise`, or a `cancelled` RegistryError as soon as `signal` aborts (then `onLeave` runs). */
export function abortable<T>(promise: Promise<T>, signal: AbortSignal | undefined, onLeave?: () => void): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(cancelledError());
  return new Promise<T>((resolve, reject) => {
    const leave = (): void => {
      reject(cancelledError());
      onLeave?.();
    };
    signal.addEventListener('abort', leave, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', leave);
        resolve(value);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', leave);
        reject(e);
      },
    );
  });
}
