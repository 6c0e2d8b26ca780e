import { loadConfig } from '@hitl/service-kit';
import { escalationConfig } from './config';

describe('the escalation config', () => {
  it.each([
    ['defaults', {}, { REVIEWERS_PATH: 'config/reviewers.yaml', REVIEWER_TOKENS: {} }],
    ['a reviewers file of its own', { REVIEWERS_PATH: '/etc/hitl/reviewers.yaml' }, { REVIEWERS_PATH: '/etc/hitl/reviewers.yaml', REVIEWER_TOKENS: {} }],
    [
      'only REVIEWER_TOKEN_* variables as tokens',
      {
        REVIEWER_TOKEN_ALICE: 'alice-token-0123456789',
        REVIEWER_TOKEN_BRUNO: 'bruno-token-0123456789',
        DATABASE_URL: 'postgres://u@db/hitl',
        HOME: '/root',
      },
      { REVIEWER_TOKENS: { REVIEWER_TOKEN_ALICE: 'alice-token-0123456789', REVIEWER_TOKEN_BRUNO: 'bruno-token-0123456789' } },
    ],
    ['an empty token variable as unset', { REVIEWER_TOKEN_ALICE: '' }, { REVIEWER_TOKENS: {} }],
    ['REVIEWER_TOKENS itself ignored', { REVIEWER_TOKENS: '{"REVIEWER_TOKEN_X":"x"}' }, { REVIEWER_TOKENS: {} }],
  ])('%s', (_name, env, expected) => {
    expect(loadConfig(escalationConfig, env)).toMatchObject({ ...expected, HTTP_PORT: 3002, KAFKA_CLIENT_ID: 'hitl-escalation' });
  });

  it('still names every bad shared variable', () => {
    expect(() => loadConfig(escalationConfig, { HTTP_PORT: 'x', REVIEWER_TOKEN_A: 'some-token-0123456789' })).toThrow(/^invalid configuration: HTTP_PORT: /);
  });

  it.each([
    ['no link secret: no one-click links, and no default one', {}, undefined],
    ['a link secret of 32 characters', { NOTIFY_LINK_SECRET: 'k'.repeat(32) }, 'k'.repeat(32)],
  ])('notifications: %s', (_name, env, secret) => {
    const config = loadConfig(escalationConfig, env);
    expect(config.NOTIFICATIONS_PATH).toBe('config/notifications.yaml');
    expect(config.NOTIFY_LINK_SECRET).toBe(secret);
  });

  it('refuses a short link secret without echoing it', () => {
    expect(() => loadConfig(escalationConfig, { NOTIFY_LINK_SECRET: 'hunter2-short' })).toThrow(
      /^invalid configuration: NOTIFY_LINK_SECRET: must be at least 32 characters/,
    );
    expect(() => loadConfig(escalationConfig, { NOTIFY_LINK_SECRET: 'hunter2-short' })).toThrow(
      expect.objectContaining({ message: expect.not.stringContaining('hunter2') }),
    );
  });
});
