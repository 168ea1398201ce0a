// Diagnostic for "Jest did not exit": with KURSUS_TRACE_TIMERS=1 the global setup records where
// every timer was created, and the global teardown prints the ones still keeping the process
// alive, with the stack that created them. Off by default (it costs a stack trace per timer).
import { createHook } from 'node:async_hooks';

type Tracked = { stack: string; test?: string; resource: { hasRef?: () => boolean; _destroyed?: boolean; _idleTimeout?: number } };
// On globalThis: jest may load this module once for the setup and again for the teardown.
const holder = globalThis as unknown as { __KURSUS_LIVE_TIMERS__?: Map<number, Tracked> };
const live = (holder.__KURSUS_LIVE_TIMERS__ ??= new Map<number, Tracked>());

export function startTimerTrace(): void {
  createHook({
    init(id, type, _trigger, resource) {
      if (type !== 'Timeout') return;
      const state = (globalThis as { expect?: { getState?: () => { currentTestName?: string; testPath?: string } } }).expect?.getState?.();
      live.set(id, { stack: new Error().stack ?? '', test: state ? `${state.testPath ?? '?'} :: ${state.currentTestName ?? '?'}` : undefined, resource: resource as Tracked['resource'] });
    },
    destroy(id) {
      live.delete(id);
    },
  }).enable();
}

export function reportLiveTimers(say: (m: string) => void): void {
  for (const { stack, test, resource } of live.values()) {
    if (resource._destroyed || resource.hasRef?.() === false) continue;
    say(`timer of ${resource._idleTimeout} ms still keeping the process alive, created during ${test ?? 'an unknown test'} at:\n${stack.split('\n').slice(2, 14).join('\n')}`);
  }
}
