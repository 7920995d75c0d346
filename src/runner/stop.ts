import { readStopRequest, type RunLayout, type StopRequest } from '../registry/run-dir/index.js';

export interface StopActions {
  /** SIGINT to the script when one is running; otherwise wake the runner from its restart delay. */
  interrupt(): void;
  /** SIGKILL to whatever is left of the run. */
  kill(): void;
  log(message: string): void;
}

const POLL_MS = 1_000;

/**
 * The runner's side of `rl-run stop`. The runner, which pm2 keeps alive, is the one owner of a stop:
 * it sends the script one SIGINT however many `stop` commands asked (a second one would interrupt
 * the script's `except KeyboardInterrupt: save()`), and SIGKILL at the request's deadline even when
 * every `stop` command is gone (Ctrl-C, a closed terminal). It looks for the request when signalled,
 * before each attempt, once the script is up, when an attempt ends, and every second, so a request
 * is never left lying: every one is carried out within a second, and an attempt counts as stopped
 * only when a request was there before it ended.
 */
export class StopWatch {
  private accepted: StopRequest | null = null;
  private readonly poll: NodeJS.Timeout;

  constructor(
    private readonly layout: RunLayout,
    private readonly fallbackTimeoutMs: number,
    private readonly actions: StopActions,
  ) {
    this.poll = setInterval(() => this.check(), POLL_MS);
    this.poll.unref();
  }

  /** True once a stop is under way; the first time it finds one, interrupts and arms the deadline. */
  check(): boolean {
    if (this.accepted) return true;
    const request = readStopRequest(this.layout, this.fallbackTimeoutMs);
    if (!request) return false;
    this.accepted = request;
    clearInterval(this.poll);
    const inMs = Math.max(0, request.deadline - Date.now());
    this.actions.log(`stop requested at ${new Date(request.requestedAt).toISOString()}: SIGINT now, SIGKILL in ${Math.round(inMs / 1000)} s if it has not ended`);
    this.actions.interrupt();
    // Unref'd: while the script runs its handle keeps the runner alive; once the run has ended there is nothing to kill.
    setTimeout(() => {
      this.actions.log('the stop deadline has passed: SIGKILL to what is left of the run');
      this.actions.kill();
    }, inMs).unref();
    return true;
  }
}
