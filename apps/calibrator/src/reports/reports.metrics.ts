import { Counter } from 'prom-client';

export const reportsGenerated = new Counter({
  name: 'hitl_calibrator_reports_total',
  help: 'Calibration reports generated, by trigger',
  labelNames: ['trigger'],
});
