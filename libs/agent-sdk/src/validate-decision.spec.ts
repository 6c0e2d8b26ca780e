import { exampleDecision } from '@hitl/contracts';
import { InvalidDecisionError } from './errors';
import { validateDecision } from './hitl-agent';

describe('a proposal is checked against the contract before anything is sent', () => {
  it('accepts a decision of the contract', () => {
    expect(validateDecision(exampleDecision)).toMatchObject({ decision_id: exampleDecision.decision_id });
  });

  it('names every field that breaks it', () => {
    const bad = { ...exampleDecision, confidence: 7, summary: '', decision_id: 'not-a-uuid' };
    let error: unknown;
    try {
      validateDecision(bad);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(InvalidDecisionError);
    expect(error).toMatchObject({ code: 'invalid_decision' });
    expect((error as InvalidDecisionError).fields.sort()).toEqual(['confidence', 'decision_id', 'summary']);
    expect((error as Error).message).toContain('propose it again');
  });
});
