import { ConfigError, loadConfig } from '@hitl/service-kit';
import { calibratorConfig } from './config';

const problemsOf = (env: Record<string, string>) => {
  try {
    loadConfig(calibratorConfig, env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('the config was accepted');
};

describe('the calibrator config', () => {
  it('defaults: weekly on Mondays at 06:00 UTC, a 30-day window, a target of 0.95, the refunds manifest and the auditors file', () => {
    expect(loadConfig(calibratorConfig, {})).toMatchObject({
      HTTP_PORT: 3004,
      CALIBRATION_CRON: '0 6 * * 1',
      CALIBRATION_SCHEDULE_POLL_MS: 60_000,
      CALIBRATION_WINDOW_DAYS: 30,
      CALIBRATION_TARGET_ACCURACY: 0.95,
      MANIFEST_PATH: 'manifests/refunds.yaml',
      AUDITORS_PATH: 'config/auditors.yaml',
      AUDITOR_TOKENS: {},
    });
  });

  it('reads its settings, and AUDITOR_TOKEN_* variables (only those) for the auditors file', () => {
    const config = loadConfig(calibratorConfig, {
      CALIBRATION_CRON: ' 30  2 1 * * ',
      CALIBRATION_SCHEDULE_POLL_MS: '0',
      CALIBRATION_WINDOW_DAYS: '7',
      CALIBRATION_TARGET_ACCURACY: '0.9',
      AUDITOR_TOKEN_INES: 'ines-token-0123456789',
      REVIEWER_TOKEN_ALICE: 'alice-token-0123456789',
    });
    expect(config).toMatchObject({
      CALIBRATION_CRON: '30 2 1 * *',
      CALIBRATION_SCHEDULE_POLL_MS: 0,
      CALIBRATION_WINDOW_DAYS: 7,
      CALIBRATION_TARGET_ACCURACY: 0.9,
    });
    expect(config.AUDITOR_TOKENS).toEqual({ AUDITOR_TOKEN_INES: 'ines-token-0123456789' });
  });

  it('names every bad variable', () => {
    const problems = problemsOf({
      CALIBRATION_CRON: '0 6 * *',
      CALIBRATION_TARGET_ACCURACY: '95%',
      CALIBRATION_WINDOW_DAYS: '0',
      CALIBRATION_SCHEDULE_POLL_MS: '5',
    });
    expect(problems).toEqual([
      { variable: 'CALIBRATION_CRON', reason: expect.stringContaining('must have 5 fields') },
      { variable: 'CALIBRATION_SCHEDULE_POLL_MS', reason: expect.stringContaining('must be 0 (off)') },
      { variable: 'CALIBRATION_TARGET_ACCURACY', reason: 'must be a number above 0 and at most 1, e.g. 0.95' },
      { variable: 'CALIBRATION_WINDOW_DAYS', reason: 'must be a whole number of days from 1 to 365' },
    ]);
  });

  it.each([
    [{}, { CALIBRATION_APPROVED_UNCHANGED_TARGET: 0.99, CALIBRATION_LOWERING_MIN_REVIEWS: 400 }],
    [
      { CALIBRATION_APPROVED_UNCHANGED_TARGET: '0.995', CALIBRATION_LOWERING_MIN_REVIEWS: '1000' },
      { CALIBRATION_APPROVED_UNCHANGED_TARGET: 0.995, CALIBRATION_LOWERING_MIN_REVIEWS: 1000 },
    ],
  ])('lowering a threshold: approved unchanged at 99% over 400 reviews per band unless set (%j)', (env, expected) => {
    expect(loadConfig(calibratorConfig, env)).toMatchObject(expected);
  });

  it.each([
    [{}, 20],
    [{ CALIBRATION_REVIEW_QUALITY_MIN_DECISIONS: '5' }, 5],
  ])('review quality flags a rubber stamp from 20 decisions unless set (%j)', (env, expected) => {
    expect(loadConfig(calibratorConfig, env).CALIBRATION_REVIEW_QUALITY_MIN_DECISIONS).toBe(expected);
  });

  it.each([
    ['CALIBRATION_APPROVED_UNCHANGED_TARGET', '99%', 'must be a number above 0 and at most 1, e.g. 0.99'],
    ['CALIBRATION_APPROVED_UNCHANGED_TARGET', '0', 'must be a number above 0 and at most 1, e.g. 0.99'],
    ['CALIBRATION_LOWERING_MIN_REVIEWS', '0', 'must be a whole number from 1, e.g. 400'],
    ['CALIBRATION_LOWERING_MIN_REVIEWS', 'many', 'must be a whole number from 1, e.g. 400'],
    ['CALIBRATION_REVIEW_QUALITY_MIN_DECISIONS', '0', 'must be a whole number from 1, e.g. 20'],
    ['CALIBRATION_REVIEW_QUALITY_MIN_DECISIONS', 'few', 'must be a whole number from 1, e.g. 20'],
  ])('%s=%s is refused', (variable, value, reason) => {
    expect(problemsOf({ [variable]: value })).toEqual([{ variable, reason }]);
  });
});
