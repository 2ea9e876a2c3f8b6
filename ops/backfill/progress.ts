/**
 * What a running backfill shows. On a terminal: one line redrawn in place, with a bar, the count,
 * the rate and the time left. Anywhere else (a CI log, a file) redraws would pile up as noise,
 * so it prints a plain line at each tenth of the way instead.
 */

export interface ProgressOutput {
  write(text: string): void;
  isTTY: boolean;
}

const BAR_WIDTH = 24;
/** Redraws per second on a terminal: enough to look live, few enough to cost nothing. */
const REDRAW_EVERY_MS = 100;

/** `4 s`, `2 min 05 s`, `1 h 02 min`. */
export function formatDuration(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${String(seconds % 60).padStart(2, "0")} s`;
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, "0")} min`;
}

/** Events per second so far; 0 before any time has passed. */
export const ratePerSecond = (done: number, elapsedMs: number): number => (elapsedMs > 0 ? (done * 1000) / elapsedMs : 0);

/** `1200/2000 (60%), 850 events/s, 1 s left`: the words both kinds of output share. */
export function describeProgress(done: number, total: number, elapsedMs: number): string {
  const percent = total === 0 ? 100 : Math.floor((done * 100) / total);
  const rate = ratePerSecond(done, elapsedMs);
  const left = rate > 0 ? `${formatDuration(((total - done) / rate) * 1000)} left` : "time left unknown";
  return `${done}/${total} (${percent}%), ${Math.round(rate)} events/s, ${done >= total ? "done" : left}`;
}

export function progressBar(done: number, total: number, width = BAR_WIDTH): string {
  const filled = total === 0 ? width : Math.min(width, Math.floor((done * width) / total));
  return `[${"█".repeat(filled)}${"░".repeat(width - filled)}]`;
}

export class Progress {
  private readonly started: number;
  private done = 0;
  private drawnAt = Number.NEGATIVE_INFINITY;
  private lastTenth = 0;
  private barShown = false;

  constructor(
    private readonly total: number,
    private readonly out: ProgressOutput,
    private readonly now: () => number,
  ) {
    this.started = now();
  }

  /** `done` entries are settled (sent or refused). */
  update(done: number): void {
    this.done = done;
    const now = this.now();
    const elapsed = now - this.started;
    if (this.out.isTTY) {
      if (now - this.drawnAt >= REDRAW_EVERY_MS || done >= this.total) this.draw(elapsed);
      return;
    }
    const tenth = this.total === 0 ? 10 : Math.floor((done * 10) / this.total);
    if (tenth > this.lastTenth) {
      this.lastTenth = tenth;
      this.out.write(`progress: ${describeProgress(done, this.total, elapsed)}\n`);
    }
  }

  /** Prints `line` on its own, clearing the bar first and drawing it again after. */
  log(line: string): void {
    if (this.out.isTTY && this.barShown) this.out.write("\r\x1b[K");
    this.out.write(`${line}\n`);
    if (this.out.isTTY && this.barShown) this.draw(this.now() - this.started);
  }

  /** Leaves the bar as it last was, on its own line. */
  finish(): void {
    if (this.out.isTTY && this.barShown) this.out.write("\n");
    this.barShown = false;
  }

  private draw(elapsed: number): void {
    this.drawnAt = this.now();
    this.barShown = true;
    this.out.write(`\r\x1b[K${progressBar(this.done, this.total)} ${describeProgress(this.done, this.total, elapsed)}`);
  }
}
