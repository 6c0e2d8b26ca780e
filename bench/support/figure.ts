// The shape every figure shares: run at a size, come back with its table (published by
// the caller) and the peak memory of the processes it started.
import { Figure, publish } from './report';
import { checkBuild } from './services';
import { Size, sizeFrom } from './size';

export interface PeakRss {
  process: string;
  mib: number;
}

export interface FigureResult extends Figure {
  /** Peak RSS of each process the figure started (figures 1-3 feed figure 6). */
  peakRss: PeakRss[];
  /** Whether the figure's target holds; null when it has none. */
  targetMet: boolean | null;
}

export type FigureRun<O = undefined> = (size: Size, options?: O) => Promise<FigureResult>;

/** `node -r @swc-node/register bench/<figure>.ts [--size tiny|small|full]`: one figure on its own. */
export function runStandalone(run: FigureRun<never>): void {
  void (async () => {
    checkBuild();
    const size = sizeFrom(process.argv, process.env);
    await publish(await run(size), size);
  })().then(
    () => process.exit(0),
    (error: Error) => {
      console.error(`benchmark failed: ${error.stack ?? error.message}`);
      process.exit(1);
    },
  );
}

/** "yes" or "NO": whether a target holds, for a table or a note. */
export function verdict(met: boolean): string {
  return met ? 'yes' : 'NO';
}
