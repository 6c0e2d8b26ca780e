// Which pause in force covers a proposal, as routing needs it. Pure.
import { ActivePause } from '@hitl/policy';
import { PauseRow } from './pauses.repository';

/** What a pause covers, in words. */
export function coverage(p: Pick<PauseRow, 'agent_id' | 'action'>): string {
  const parts = [p.agent_id ? `agent ${p.agent_id}` : null, p.action ? `action ${p.action}` : null].filter(Boolean);
  return parts.length > 0 ? parts.join(' with ') : 'the whole workspace';
}

/**
 * The pause that governs a proposal among those in force: one that blocks outranks one that
 * sends to review; among equals the oldest. null: nothing covers it.
 */
export function pauseCovering(pauses: readonly PauseRow[], proposal: { workspace: string; agent_id: string; action: string }): ActivePause | null {
  const covering = pauses.filter(
    (p) =>
      p.workspace === proposal.workspace && (p.agent_id === null || p.agent_id === proposal.agent_id) && (p.action === null || p.action === proposal.action),
  );
  const chosen = covering.find((p) => p.effect === 'block') ?? covering[0];
  return chosen ? { id: chosen.id, effect: chosen.effect, reason: chosen.reason, paused_by: chosen.paused_by, covers: coverage(chosen) } : null;
}
