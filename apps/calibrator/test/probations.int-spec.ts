// Probation in the calibrator, end to end on the real broker and database: probations started
// and graduated by the router, one ended early by an admin through the escalation service
// (control.changed, each signed as its producer signs it), ends sent before their start and
// late copies after them; a graduation forged with an agent's key refused. The report shows,
// for its workspace scope, the probations graduated (with the evidence) or ended early in its
// window and those still active whatever their start, in its JSON and its Markdown.
import { randomBytes, randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { PROBATION_COUNTING } from '@hitl/calibration';
import { createServiceApp, loadConfig, startServiceApp } from '@hitl/service-kit';
import { deleteTopicsStartingWith, eventually, inProcessEnv, query, readWholeTopic, testTrust } from '@hitl/testing';
import { INestApplication } from '@nestjs/common';
import { Kafka, logLevel } from 'kafkajs';
import { calibratorService } from '../src/service';
import { calibratorRun } from './support/calibrator-run';
import { Probation, RawEvent, probationEnded, probationGraduated, probationStarted } from './support/raw-events';

const root = resolve(__dirname, '../../..');
const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
const kafka = new Kafka({ clientId: 'calibrator-probations-test', brokers, logLevel: logLevel.NOTHING });
const TOPICS = ['control.changed'];

// config/auditors.yaml: aud-compliance reads every workspace, aud-ines only acme-support.
const COMPLIANCE = `compliance-${randomBytes(12).toString('hex')}`;
const INES = `ines-${randomBytes(12).toString('hex')}`;

const id = randomBytes(4).toString('hex');
const run = { schema: `t_probation_${id}`, prefix: `t-probation-${id}.` };
let app: INestApplication;
let base: string;

const daysAgo = (d: number) => new Date(Date.now() - d * 86_400_000);
const day = (d: number) => daysAgo(d).toISOString().slice(0, 10);
const inGlobex = <E extends RawEvent>(e: E): E => ({ ...e, workspaceid: 'globex' });

const { publish, settled, http } = calibratorRun({ kafka, prefix: run.prefix, topics: TOPICS, base: () => base, token: COMPLIANCE });

// acme-support, in the report's 30-day window: store credits, new to the manifest, graduated
// after 52 reviews (50 approved unchanged); customer emails, widened, ended early by an admin;
// discounts on probation since before the window, still active. Refunds graduated long
// before the window: not in the report. globex: cancellations on probation.
const probation = (action: string, over: Partial<Probation> = {}): Probation => ({ probationId: randomUUID(), action, ...over });
const credit = probation('issue_store_credit');
const email = probation('send_customer_email', { decisions: 100, rate: 0.98 });
const discount = probation('apply_discount', { decisions: 30, rate: 0.9 });
const refund = probation('process_refund');
const cancellation = probation('cancel_subscription');
const NEW = 'new to the manifest of acme-support';
const WIDENED = 'mode changed from approve_before to review_after';
const OWNERS_WORD = 'billing-team signed off on the evals of the email tool';

beforeAll(async () => {
  const config = loadConfig(calibratorService.config, {
    ...inProcessEnv(run.prefix),
    MANIFEST_PATH: resolve(root, 'manifests/refunds.yaml'),
    AUDITORS_PATH: resolve(root, 'config/auditors.yaml'),
    AUDITOR_TOKEN_COMPLIANCE: COMPLIANCE,
    AUDITOR_TOKEN_INES: INES,
    ...testTrust().env(),
  });
  app = await createServiceApp({ ...calibratorService, schema: run.schema }, config);
  base = await startServiceApp(app, config);
});

afterAll(async () => {
  await app?.close();
  await query(`DROP SCHEMA IF EXISTS "${run.schema}" CASCADE`);
  await deleteTopicsStartingWith(kafka, run.prefix);
});

const rows = () =>
  query(
    `SELECT action, workspace, state, reason, started_at IS NOT NULL AS started, decisions, approved_unchanged_rate,
            reviewed, approved_unchanged, graduated_at IS NOT NULL AS graduated, ended_by, end_reason
       FROM "${run.schema}".probations ORDER BY action`,
  );

describe('probation in the calibration report, end to end over the real broker and database', () => {
  let report: any;
  const forged = probationGraduated(discount, { reviewed: 30, approvedUnchanged: 30 }, daysAgo(0.5));

  it('keeps each probation from its start and how it ended, in whatever order they come; the first end stands', async () => {
    // The early end of the emails' probation, before its start is seen.
    await publish('control.changed', [probationEnded(email, OWNERS_WORD, daysAgo(2))]);
    await settled();
    expect(await rows()).toEqual([
      expect.objectContaining({
        action: 'send_customer_email',
        state: 'ended',
        started: false,
        decisions: null,
        ended_by: 'rev-grace',
        end_reason: OWNERS_WORD,
      }),
    ]);

    await publish(
      'control.changed',
      [
        probationStarted(credit, NEW, daysAgo(3)),
        probationStarted(email, WIDENED, daysAgo(5)),
        probationStarted(discount, 'new to the manifest of acme-support', daysAgo(40)),
        probationStarted(refund, 'new to the manifest of acme-support', daysAgo(60)),
        inGlobex(probationStarted(cancellation, 'new to the manifest of globex', daysAgo(2))),
      ],
      'router',
    );
    await publish(
      'control.changed',
      [
        probationGraduated(credit, { reviewed: 52, approvedUnchanged: 50 }, daysAgo(1)),
        probationGraduated(refund, { reviewed: 50, approvedUnchanged: 50 }, daysAgo(45)),
      ],
      'router',
    );
    await settled();
    // Late copies and second ends: a graduated probation ended afterwards, an ended one
    // graduated afterwards, a start again (a new event): none of them changes how it ended.
    await publish('control.changed', [probationEnded(credit, 'a second thought', daysAgo(0.2), 'rev-other')]);
    await publish(
      'control.changed',
      [probationStarted(credit, NEW, daysAgo(3)), probationGraduated(email, { reviewed: 100, approvedUnchanged: 99 }, daysAgo(0.1))],
      'router',
    );
    await settled();

    const graduated = { ended_by: null, end_reason: null, graduated: true };
    expect(await rows()).toEqual([
      {
        action: 'apply_discount',
        workspace: 'acme-support',
        state: 'active',
        reason: NEW,
        started: true,
        decisions: 30,
        approved_unchanged_rate: 0.9,
        reviewed: null,
        approved_unchanged: null,
        graduated: false,
        ended_by: null,
        end_reason: null,
      },
      {
        action: 'cancel_subscription',
        workspace: 'globex',
        state: 'active',
        reason: 'new to the manifest of globex',
        started: true,
        decisions: 50,
        approved_unchanged_rate: 0.95,
        reviewed: null,
        approved_unchanged: null,
        graduated: false,
        ended_by: null,
        end_reason: null,
      },
      {
        action: 'issue_store_credit',
        workspace: 'acme-support',
        state: 'graduated',
        reason: NEW,
        started: true,
        decisions: 50,
        approved_unchanged_rate: 0.95,
        reviewed: 52,
        approved_unchanged: 50,
        ...graduated,
      },
      {
        action: 'process_refund',
        workspace: 'acme-support',
        state: 'graduated',
        reason: NEW,
        started: true,
        decisions: 50,
        approved_unchanged_rate: 0.95,
        reviewed: 50,
        approved_unchanged: 50,
        ...graduated,
      },
      {
        action: 'send_customer_email',
        workspace: 'acme-support',
        state: 'ended',
        reason: WIDENED,
        started: true,
        decisions: 100,
        approved_unchanged_rate: 0.98,
        reviewed: null,
        approved_unchanged: null,
        graduated: false,
        ended_by: 'rev-grace',
        end_reason: OWNERS_WORD,
      },
    ]);
  });

  it('a graduation signed by an agent’s key is dead-lettered and changes nothing', async () => {
    const before = await rows();
    await publish('control.changed', [forged], 'refund-bot');
    await settled();
    expect(await rows()).toEqual(before);
    const letters = await eventually(
      "the calibrator's letter on control.changed.dlq",
      async () => {
        const mine = (await readWholeTopic(kafka, `${run.prefix}control.changed.dlq`).catch(() => []))
          .filter((m) => m.headers!['hitl-dlq-consumer']!.toString() === `${run.prefix}hitl-calibrator`)
          .map((m) => ({
            id: JSON.parse(m.value!.toString('utf8')).id as string,
            code: m.headers!['hitl-dlq-error-code']!.toString(),
            reason: m.headers!['hitl-dlq-error']!.toString(),
          }));
        return mine.length >= 1 && mine;
      },
      { timeoutMs: 30_000, everyMs: 200 },
    );
    expect(letters).toEqual([{ id: forged.id, code: 'signature_invalid', reason: expect.stringContaining('must be signed by the router service') }]);
  });

  it('the report over every workspace: graduated with its evidence, ended early with who and why, those still active whatever their start', async () => {
    const created = await http('POST', '/reports', { body: {} });
    expect(created.status).toBe(201);
    report = created.json;
    const { active, graduated, ended } = report.probations;
    expect(active.map((p: any) => [p.workspace, p.action])).toEqual([
      ['acme-support', 'apply_discount'],
      ['globex', 'cancel_subscription'],
    ]);
    expect(graduated).toEqual([
      expect.objectContaining({
        probation_id: credit.probationId,
        workspace: 'acme-support',
        action: 'issue_store_credit',
        state: 'graduated',
        reason: NEW,
        manifest_version: 'sha256:test',
        decisions: 50,
        approved_unchanged_rate: 0.95,
        reviewed: 52,
        approved_unchanged: 50,
        ended_by: null,
        summary: `issue_store_credit in acme-support graduated from probation on ${day(1)}: 50 of 52 reviewed decisions approved unchanged (needed 50 at 95%); started ${day(3)}: ${NEW}`,
      }),
    ]);
    expect(ended).toEqual([
      expect.objectContaining({
        probation_id: email.probationId,
        action: 'send_customer_email',
        state: 'ended',
        ended_by: 'rev-grace',
        end_reason: OWNERS_WORD,
        reviewed: null,
        summary: `send_customer_email in acme-support probation ended early on ${day(2)} by rev-grace: "${OWNERS_WORD}"; started ${day(5)}: ${WIDENED}`,
      }),
    ]);
    expect(active[0].summary).toBe(
      `apply_discount in acme-support on probation since ${day(40)}: ${NEW}; every decision to a person until 30 reviewed decisions are approved unchanged at 90%`,
    );

    const md = (await http('GET', `/reports/${report.id}.md`)).text;
    const section = md.indexOf('## Probation');
    expect(section).toBeGreaterThan(md.indexOf('## Post-reviews'));
    expect(section).toBeLessThan(md.indexOf('## About this report'));
    for (const p of [...graduated, ...ended, ...active]) expect(md).toContain(`- ${p.summary}\n`);
    expect(md).not.toContain('process_refund in acme-support graduated');
    expect(md).toContain(PROBATION_COUNTING);
  });

  it('a workspace’s report: its own probations only, without naming the workspace', async () => {
    const created = await http('POST', '/reports', { body: { workspace: 'acme-support' }, token: INES });
    expect(created.status).toBe(201);
    const { active, graduated, ended } = created.json.probations;
    expect([active, graduated, ended].map((list: any[]) => list.map((p) => p.action))).toEqual([
      ['apply_discount'],
      ['issue_store_credit'],
      ['send_customer_email'],
    ]);
    const md = (await http('GET', `/reports/${created.json.id}.md`, { token: INES })).text;
    expect(md).toContain(`- issue_store_credit graduated from probation on ${day(1)}: 50 of 52 reviewed decisions approved unchanged (needed 50 at 95%)`);
    expect(md).toContain(`- send_customer_email probation ended early on ${day(2)} by rev-grace: "${OWNERS_WORD}"`);
    expect(md).not.toContain('cancel_subscription');
  });
});
