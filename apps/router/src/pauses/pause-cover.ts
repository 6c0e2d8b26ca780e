// Which pause in force covers a proposal, as routing needs it. Pure; what a pause covers is
// the contract's (pauseCovers), the same rule the escalation service shows reviewers.
import { pauseCovers, pauseScopeWords } from '@hitl/contracts';
import { ActivePause } from '@hitl/policy';
import { PauseRow } from './pauses.repository';

/**
 * The pause that governs a proposal among those in force: one that blocks outranks one that
 * sends to review; among equals the oldest. null: nothing covers it.
 */
export function pauseCovering(pauses: readonly PauseRow[], proposal: { workspace: string; agent_id: string; action: string }): ActivePause | null {
  const covering = pauses.filter((p) => pauseCovers(p, proposal));
  const chosen = covering.find((p) => p.effect === 'block') ?? covering[0];
  return chosen ? { id: chosen.id, effect: chosen.effect, reason: chosen.reason, paused_by: chosen.paused_by, covers: pauseScopeWords(chosen) } : null;
}
