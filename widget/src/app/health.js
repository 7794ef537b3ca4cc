/**
 * Client health per widget version, for the canary judge: one boot per page load, and our errors
 * and failed chat turns, sent as `reportClientEvent` counts (the backend turns them into the
 * WidgetBoots / WidgetErrors metrics per widget version and tenant).
 *
 * Batched (one report per kind per flush, a few seconds after the first event) and best-effort:
 * a report that fails is dropped, never retried into a loop, never counted as an error itself,
 * and nothing here throws into the host page. Counts are capped like the API caps them.
 */

export const KINDS = ['BOOT', 'ERROR', 'FAILED_TURN'];
export const MAX_COUNT = 50; // the API's bound per report
const MAX_PENDING = 200; // a page in an error storm reports at most this many per flush window
// A failed chat turn worth counting: our bug or an outage. A rate limit or a revoked key is an
// answer about the tenant or the visitor, the same for any widget version.
const FAILED_TURN_CODES = new Set(['server', 'network']);

let bootedThisLoad = false;

/** For tests: a new page load. */
export function resetBoot() {
  bootedThisLoad = false;
}

export function createHealth({ version, send, delayMs = 3000, setTimer = globalThis.setTimeout }) {
  const pending = { BOOT: 0, ERROR: 0, FAILED_TURN: 0 };
  let timer = null;

  function flush() {
    timer = null;
    for (const kind of KINDS) {
      while (pending[kind] > 0) {
        const count = Math.min(pending[kind], MAX_COUNT);
        pending[kind] -= count;
        try {
          Promise.resolve(send({ widgetVersion: version, kind, count })).catch(() => {});
        } catch {
          // best-effort: a report that cannot be sent is dropped
        }
      }
    }
  }

  function add(kind) {
    if (!version || typeof send !== 'function') return;
    pending[kind] = Math.min(pending[kind] + 1, MAX_PENDING);
    if (timer === null) {
      try {
        timer = setTimer(flush, delayMs);
      } catch {
        timer = null;
      }
    }
  }

  return {
    /** Once per page load, however many widgets the page mounts. */
    boot() {
      if (bootedThisLoad) return;
      bootedThisLoad = true;
      add('BOOT');
    },
    error() {
      add('ERROR');
    },
    /** From the app's `error` event: a failed SendMessage is a failed turn, a failed config an error. */
    onErrorEvent(detail) {
      if (detail?.operation === 'SendMessage') {
        if (FAILED_TURN_CODES.has(detail.code)) add('FAILED_TURN');
      } else if (FAILED_TURN_CODES.has(detail?.code)) {
        add('ERROR');
      }
    },
    flush,
  };
}
