import { Counter } from 'prom-client';

export const rowsKept = new Counter({
  name: 'hitl_calibrator_rows_written_total',
  help: 'Decisions, resolutions, labels and post-reviews kept (what was already there is not counted)',
  labelNames: ['table'],
});
