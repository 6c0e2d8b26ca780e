import { CONTROL_PROBATION_ENDED, CONTROL_PROBATION_GRADUATED, CONTROL_PROBATION_STARTED, assertValidEvent } from '@hitl/contracts';
import {
  Probation,
  ProbationAdmin,
  ProbationEvent,
  START_NOT_READ,
  describeProbation,
  isProbationEvent,
  mergeProbation,
  probationEndedEvent,
  refuseEnd,
} from './probations';

const now = new Date('2026-12-04T12:00:00Z');
const ID = '3b9c1d2e-4f5a-4b6c-8d7e-9f0a1b2c3d4e';

const probation = (over: Partial<Probation> = {}): Probation => ({
  id: ID,
  workspace: 'acme',
  action: 'issue_voucher',
  reason: 'new to the manifest',
  manifest_version: '7',
  decisions: 20,
  approved_unchanged_rate: 0.95,
  started_at: '2026-12-01T09:00:00.000Z',
  state: 'active',
  reviewed: null,
  approved_unchanged: null,
  ended_by: null,
  end_reason: null,
  ended_at: null,
  ...over,
});
const graduated = probation({ state: 'graduated', reviewed: 20, approved_unchanged: 20, ended_at: '2026-12-03T09:00:00.000Z' });
const ended = probation({ state: 'ended', ended_by: 'rev-hana', end_reason: 'the owner vouches for it', ended_at: '2026-12-02T09:00:00.000Z' });

const grace: ProbationAdmin = { id: 'rev-grace', admin: true, workspaces: ['acme'] };
const everywhere: ProbationAdmin = { id: 'rev-root', admin: true, workspaces: ['*'] };
const reviewer: ProbationAdmin = { id: 'rev-dana', admin: false, workspaces: ['acme'] };
const otherAdmin: ProbationAdmin = { id: 'rev-zed', admin: true, workspaces: ['globex'] };

describe('who may end a probation early', () => {
  it.each<[string, ProbationAdmin, Probation, string | null]>([
    ['an admin of the workspace, an active probation', grace, probation(), null],
    ['an admin of every workspace', everywhere, probation(), null],
    ['a reviewer who is no admin', reviewer, probation(), 'not_admin'],
    ['a non-admin outside the workspace: not an admin first', { ...reviewer, workspaces: ['globex'] }, probation(), 'not_admin'],
    ['an admin of another workspace', otherAdmin, probation(), 'wrong_workspace'],
    ['an admin of no workspace', { ...grace, workspaces: [] }, probation(), 'wrong_workspace'],
    ['an admin, a graduated probation', grace, graduated, 'already_over'],
    ['an admin, a probation ended before', grace, ended, 'already_over'],
    ['an admin of another workspace, an ended probation: not theirs first', otherAdmin, ended, 'wrong_workspace'],
  ])('%s', (_name, admin, target, code) => {
    expect(refuseEnd(admin, target)?.code ?? null).toBe(code);
  });

  it('says who, where and why, with the status it travels with', () => {
    expect(refuseEnd(otherAdmin, probation())).toEqual({ status: 403, code: 'wrong_workspace', message: 'rev-zed is not an admin of workspace acme' });
    expect(refuseEnd(reviewer, probation())).toMatchObject({ status: 403, message: expect.stringContaining('only an admin') });
    expect(refuseEnd(grace, ended)).toEqual({ status: 409, code: 'already_over', message: expect.stringContaining('ended by rev-hana') });
    expect(refuseEnd(grace, graduated)).toEqual({ status: 409, code: 'already_over', message: expect.stringContaining('graduated') });
  });
});

describe('a probation in plain words', () => {
  it.each([
    ['active', probation(), 'probation of action issue_voucher in acme (new to the manifest), active: 20 reviewed decisions needed, 0.95 approved unchanged'],
    ['graduated', graduated, 'probation of action issue_voucher in acme (new to the manifest), graduated: 20 of 20 reviewed approved unchanged'],
    ['ended', ended, 'probation of action issue_voucher in acme (new to the manifest), ended early by rev-hana: the owner vouches for it'],
  ] as const)('%s', (_name, target, words) => {
    expect(describeProbation(target)).toBe(words);
  });
});

describe('the early end that tells the router', () => {
  it('hitl.control.probation_ended.v1 in its workspace, keyed by the probation, from escalation, valid by the contract', () => {
    const event = probationEndedEvent(probation(), grace, 'the owner vouches for it', now);
    expect(event).toMatchObject({
      type: CONTROL_PROBATION_ENDED,
      source: 'hitl/escalation',
      workspaceid: 'acme',
      subject: ID,
      time: now.toISOString(),
      data: { probation_id: ID, action: 'issue_voucher', reason: 'the owner vouches for it', ended_by: 'rev-grace' },
    });
    expect(() => assertValidEvent(event)).not.toThrow();
  });
});

describe('the fold of a probation’s events', () => {
  const started: ProbationEvent = {
    type: CONTROL_PROBATION_STARTED,
    workspaceid: 'acme',
    time: '2026-12-01T09:00:00.000Z',
    data: { probation_id: ID, action: 'issue_voucher', reason: 'new to the manifest', manifest_version: '7', decisions: 20, approved_unchanged_rate: 0.95 },
  };
  const graduation: ProbationEvent = {
    type: CONTROL_PROBATION_GRADUATED,
    workspaceid: 'acme',
    time: '2026-12-03T09:00:00.000Z',
    data: { probation_id: ID, action: 'issue_voucher', reviewed: 20, approved_unchanged: 20, decisions: 20, approved_unchanged_rate: 0.95 },
  };
  const earlyEnd: ProbationEvent = {
    type: CONTROL_PROBATION_ENDED,
    workspaceid: 'acme',
    time: '2026-12-02T09:00:00.000Z',
    data: { probation_id: ID, action: 'issue_voucher', reason: 'the owner vouches for it', ended_by: 'rev-hana' },
  };
  const laterEnd: ProbationEvent = {
    type: CONTROL_PROBATION_ENDED,
    workspaceid: 'acme',
    time: '2026-12-02T10:00:00.000Z',
    data: { probation_id: ID, action: 'issue_voucher', reason: 'again', ended_by: 'rev-grace' },
  };
  const fold = (events: ProbationEvent[]) => events.reduce<Probation | null>(mergeProbation, null);

  /** Every order of these events. */
  function orders<T>(items: T[]): T[][] {
    if (items.length <= 1) return [items];
    return items.flatMap((item, i) => orders([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]));
  }

  it('a start: an active probation, as the router said', () => {
    expect(fold([started])).toEqual(probation());
  });

  it('a graduation: graduated, with its evidence', () => {
    expect(fold([started, graduation])).toEqual(graduated);
  });

  it('an early end: ended, by whom and why', () => {
    expect(fold([started, earlyEnd])).toEqual(ended);
  });

  it.each([
    ['start, end', [started, earlyEnd], ended],
    [
      'start, graduation, an end dated before the graduation: the end stands',
      [started, graduation, laterEnd],
      { ...ended, ended_by: 'rev-grace', end_reason: 'again', ended_at: '2026-12-02T10:00:00.000Z' },
    ],
    ['start, end, graduation (later): the end stands', [started, earlyEnd, graduation], ended],
    ['two ends: the earliest stands', [started, earlyEnd, laterEnd], ended],
  ])('%s, in any order, read any number of times: the same probation', (_name, events, expected) => {
    const once = events as ProbationEvent[];
    for (const order of orders(once)) {
      expect(fold(order)).toEqual(expected);
      expect(fold([...order, ...order])).toEqual(expected);
    }
  });

  it('a graduation before a later end stands', () => {
    for (const order of orders([started, graduation, { ...laterEnd, time: '2026-12-05T00:00:00.000Z' }])) expect(fold(order)).toEqual(graduated);
  });

  it('an end at the same instant as a graduation: the graduation stands, whatever the order', () => {
    const sameInstant = { ...earlyEnd, time: graduation.time };
    for (const order of orders([started, graduation, sameInstant])) expect(fold(order)?.state).toBe('graduated');
  });

  it('an end read before the start: ended, and the start that follows fills what it says but never makes it active', () => {
    const first = fold([earlyEnd])!;
    expect(first).toMatchObject({
      id: ID,
      workspace: 'acme',
      action: 'issue_voucher',
      state: 'ended',
      reason: START_NOT_READ,
      manifest_version: START_NOT_READ,
    });
    expect(mergeProbation(first, started)).toEqual(ended);
  });

  it('a graduation read before the start keeps its thresholds until the start comes', () => {
    expect(fold([graduation])).toMatchObject({ state: 'graduated', decisions: 20, approved_unchanged_rate: 0.95, reason: START_NOT_READ });
    expect(fold([graduation, started])).toEqual(graduated);
  });

  it('a start read again does not reopen it', () => {
    expect(mergeProbation(ended, started)).toEqual(ended);
    expect(mergeProbation(graduated, started)).toEqual(graduated);
  });

  it('tells the probation events from the pauses on the same topic', () => {
    expect([started, graduation, earlyEnd].every(isProbationEvent)).toBe(true);
    expect(isProbationEvent({ type: 'hitl.control.paused.v1' })).toBe(false);
    expect(isProbationEvent({ type: 'hitl.control.resumed.v1' })).toBe(false);
  });
});
