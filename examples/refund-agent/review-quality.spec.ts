import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadManifest } from '@hitl/policy';
import { parse } from 'yaml';
import { RUBBER_STAMP_ID, withCanaries, withRubberStamp } from './review-quality';

const root = join(__dirname, '../..');

describe("the demo's additions for review quality", () => {
  it('the refunds manifest with its canaries loads: each a refund a careful reviewer denies, at a modest rate', () => {
    const manifest = loadManifest(withCanaries(readFileSync(join(root, 'manifests/refunds.yaml'), 'utf8')));
    expect(manifest.canaries?.rate).toBeLessThanOrEqual(0.2);
    expect(manifest.canaries?.items.map((i) => [i.action, i.expected])).toEqual([
      ['process_refund', 'deny'],
      ['process_refund', 'deny'],
    ]);
    // Nothing a reviewer reads gives them away.
    expect(JSON.stringify(manifest.canaries?.items.map((i) => [i.parameters, i.summary]))).not.toMatch(/canary|test|known/i);
  });

  it('the committed reviewers with the rubber stamp: one more support agent of acme-support, with a token from REVIEWER_TOKEN_HUGO', () => {
    const committed = readFileSync(join(root, 'config/reviewers.yaml'), 'utf8');
    const { reviewers } = parse(withRubberStamp(committed)) as { reviewers: { id: string; roles: string[]; workspaces: string[]; token_env?: string }[] };
    expect(reviewers).toHaveLength((parse(committed) as { reviewers: unknown[] }).reviewers.length + 1);
    expect(reviewers.find((r) => r.id === RUBBER_STAMP_ID)).toEqual({
      id: 'rev-hugo',
      name: 'Hugo Lambert',
      roles: ['support_agent'],
      workspaces: ['acme-support'],
      token_env: 'REVIEWER_TOKEN_HUGO',
    });
  });
});
