/**
 * "End this attempt and go on with the next one, resuming from the newest checkpoint", for code
 * inside the runner that decides a run should continue afresh (the watchdog's `resume` action).
 * The runner registers how; `requestNextAttempt` returns false when no attempt is under way.
 */
let handler: ((cause: string) => boolean) | null = null;

export function onNextAttemptRequest(handle: (cause: string) => boolean): void {
  handler = handle;
}

/** `cause` is recorded as the ended attempt's endCause ('watchdog', …). */
export function requestNextAttempt(cause: string): boolean {
  return handler ? handler(cause) : false;
}
