// The repair loop (manifest v1.1 `repair`), pure: parameters that fail the action's schema go
// back to an agent that can repair them, as machine-readable errors; a repair names the
// attempt it corrects (`repair_of`), and after `repair.max_attempts` a person reviews every
// attempt side by side. The router supplies what it recorded; nothing here does I/O.
import { ParameterError, RepairAttempt } from '@hitl/contracts';
import { ErrorObject } from 'ajv';

export type { ParameterError, RepairAttempt } from '@hitl/contracts';

/** JSON Pointer (`/items/0/a~1b`) as the dotted path reviewers and agents read (`items.0.a/b`). */
function pointerToPath(pointer: string): string[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((segment) => segment.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/**
 * Ajv's errors as the contract's `parameter_errors`: `field` from the decision's root
 * (`parameters.amount_usd`; a missing or unexpected property is named itself), `rule` the
 * keyword that failed, `message` the validator's words. Duplicates are dropped.
 */
export function parameterErrors(errors: readonly ErrorObject[] | null | undefined): ParameterError[] {
  const seen = new Set<string>();
  const out: ParameterError[] = [];
  for (const error of errors ?? []) {
    const path = ['parameters', ...pointerToPath(error.instancePath)];
    const params = error.params as Record<string, unknown>;
    // The property at fault, where the keyword names one below the object it checked.
    const named = params.missingProperty ?? params.additionalProperty ?? params.unevaluatedProperty ?? params.propertyName;
    if (typeof named === 'string') path.push(named);
    const entry = { field: path.join('.'), rule: error.keyword, message: error.message ?? `fails ${error.keyword}` };
    const key = `${entry.field}\u0000${entry.rule}\u0000${entry.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(entry);
  }
  return out.length > 0 ? out : [{ field: 'parameters', rule: 'schema', message: "does not match the action's schema" }];
}

/** One line of errors, for a reason's detail. */
export function describeErrors(errors: readonly ParameterError[]): string {
  return errors.map((e) => `${e.field} ${e.message} (${e.rule})`).join('; ');
}

/** What the router recorded of the decision a repair names (its `repair_of`). */
export interface RecordedAttempt {
  decision_id: string;
  workspace: string;
  /** null for a proposal that broke the contract (nothing to repair). */
  agent_id: string | null;
  action: string;
  /** Whether its agent's signature verified (false: an unsigned proposal a sandbox admitted). */
  signed: boolean;
  /** Sent back for a repair: blocked with these errors; null when it was not. */
  parameter_errors: ParameterError[] | null;
  /** The decision that already repairs it, if any: one repair per attempt. */
  repaired_by: string | null;
}

/** A proposal that names a `repair_of`, as the router sees it. */
export interface RepairClaim {
  decision_id: string;
  repair_of: string;
  workspace: string;
  agent_id: string;
  action: string;
  signed: boolean;
}

/**
 * Whether a proposal may repair the decision it names: only its own agent's decision in the
 * same workspace, of the same action, that the router sent back for a repair and that no other
 * decision repairs yet. An unsigned proposal never continues a signed agent's chain. Anything
 * else is refused, in words that say what a repair must name and nothing of another agent's
 * decision. Null: it may.
 */
export function refuseRepair(claim: RepairClaim, named: RecordedAttempt | undefined): string | null {
  const must = "a repair names this agent's own decision, of the same action, that the router sent back with parameter_errors";
  if (!named || named.workspace !== claim.workspace || named.agent_id !== claim.agent_id || (named.signed && !claim.signed)) {
    return `repair_of ${claim.repair_of} is not a decision of agent "${claim.agent_id}" in workspace "${claim.workspace}"; ${must}`;
  }
  if (named.decision_id === claim.decision_id) return `a decision cannot repair itself; ${must}`;
  if (named.action !== claim.action) return `repair_of ${claim.repair_of} proposed "${named.action}", not "${claim.action}"; ${must}`;
  if (named.parameter_errors === null) return `decision ${claim.repair_of} was not sent back for a repair; ${must}`;
  if (named.repaired_by !== null && named.repaired_by !== claim.decision_id) {
    return `decision ${claim.repair_of} is already repaired by decision ${named.repaired_by}; repair the latest attempt`;
  }
  return null;
}

/**
 * The router's answer on a proposal's place in a repair chain, from its own records (never
 * from a count in the message): the attempts before it, oldest first, or why its `repair_of`
 * is refused.
 */
export type RepairHistory = { earlier: RepairAttempt[] } | { refused: string };

export const REDACTED_PARAMETER = '[REDACTED]';

/**
 * A copy of `parameters` with the manifest's `redact` paths under `parameters.` masked: the
 * attempts a reviewer is shown travel on the wire and into the audit beside the decision.
 */
export function maskParameters(parameters: Record<string, unknown>, redact: readonly string[]): Record<string, unknown> {
  const paths = redact.filter((p) => p.startsWith('parameters.')).map((p) => p.slice('parameters.'.length).split('.'));
  if (paths.length === 0) return parameters;
  const copy = structuredClone(parameters);
  for (const path of paths) {
    let node: unknown = copy;
    for (const key of path.slice(0, -1)) node = node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined;
    const last = path[path.length - 1];
    if (node !== null && typeof node === 'object' && Object.prototype.hasOwnProperty.call(node, last)) {
      (node as Record<string, unknown>)[last] = REDACTED_PARAMETER;
    }
  }
  return copy;
}
