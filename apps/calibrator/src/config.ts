import { auditorsConfig, collectAuditorTokens, manifestConfig, serviceConfig } from '@hitl/service-kit';
import { z } from 'zod';
import { driftConfig } from './drift/drift.config';
import { calibrationConfig } from './reports/calibration.config';
import { scheduleConfig } from './schedule/schedule.config';

/**
 * The calibrator reads MANIFEST_PATH (policy per action, and the file suggestions patch),
 * the auditors file (who reads reports), its own calibration and schedule settings, and the
 * drift watch's (with the owners' alert routes, OWNER_ALERTS_PATH).
 */
const settings = serviceConfig({ clientId: 'hitl-calibrator', port: 3004 })
  .extend(manifestConfig.shape)
  .extend(auditorsConfig.shape)
  .extend(calibrationConfig.shape)
  .extend(scheduleConfig.shape)
  .extend(driftConfig.shape);

export const calibratorConfig = z.preprocess(collectAuditorTokens, settings);

export type CalibratorConfig = z.output<typeof calibratorConfig>;
