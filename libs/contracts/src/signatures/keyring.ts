// Who may sign what: the trusted keys, each with the principal it speaks for, and the
// contract's table of which principal signs which event.
import { KeyObject } from 'node:crypto';
import { APPROVAL_REQUESTED } from '../events/approval-requested';
import { APPROVAL_RESOLVED } from '../events/approval-resolved';
import { APPROVAL_CLARIFICATION_PROVIDED } from '../events/approval-updated';
import { ACTION_EXECUTED } from '../events/action-executed';
import { DECISION_PROPOSED } from '../events/decision-proposed';
import { HANDOFF_REQUESTED } from '../events/handoff';
import { CONTROL_PAUSED, CONTROL_PROBATION_ENDED, CONTROL_PROBATION_GRADUATED, CONTROL_PROBATION_STARTED, CONTROL_RESUMED } from '../events/control-changed';
import { DIRECTORY_REVIEWER_CHANGED } from '../events/directory-changed';
import { OUTCOME_LABELED } from '../events/outcome-labeled';
import { AUDIT_RECORDED } from '../events/audit-recorded';
import { AnyEvent } from '../catalogue';
import { Ed25519PublicJwk, Jwks, keyIdOf, publicKeyFromJwk } from './keys';
import { signatureVerifies, signatureVerifiesAsync } from './sign';

/**
 * The services whose keys grant authority. The agent gateway signs for the agents the
 * registry lets use it (it authenticated them), each event naming that agent in its
 * `hitlagent` attribute (covered by the signature): such an event counts as signed by that
 * agent, through the gateway, and has exactly the agent's authority. The audit signs its
 * stream of records (audit.recorded), and nothing else.
 */
export const SIGNING_SERVICES = ['router', 'escalation', 'gateway', 'audit'] as const;
export type SigningService = (typeof SIGNING_SERVICES)[number];

/** `"*"`: every workspace. */
export type Workspaces = '*' | readonly string[];

/** The CloudEvents extension attribute a gateway-signed event names its agent in. */
export const GATEWAY_AGENT_ATTRIBUTE = 'hitlagent';

export type Principal =
  | { kind: 'service'; service: SigningService }
  /** `via: 'gateway'`: the agent gateway signed for the agent (the registry lets it). */
  | { kind: 'agent'; id: string; workspaces: Workspaces; via?: 'gateway' }
  | { kind: 'labeler'; id: string; workspaces: Workspaces };

export interface TrustedKey {
  kid: string;
  publicKey: KeyObject;
  jwk: Ed25519PublicJwk;
  principal: Principal;
}

export interface KeyringInput {
  services?: Partial<Record<SigningService, Jwks>>;
  /** `gateway`: the agent may propose through the agent gateway (the gateway then signs for it). */
  agents?: readonly { id: string; workspaces: Workspaces; keys: Jwks; gateway?: boolean }[];
  labelers?: readonly { id: string; workspaces: Workspaces; keys: Jwks }[];
  /** Workspaces that admit unsigned proposals (sandboxes); such proposals never get autonomy. */
  unsignedWorkspaces?: readonly string[];
}

export type SignatureRefusalCode = 'unsigned' | 'signature_invalid';

/** What verifying an event found: who signed it (null: unsigned, admitted), or why it is refused. */
export type SignatureVerdict =
  { ok: true; signer: Principal | null; kid: string | null } | { ok: false; code: SignatureRefusalCode; reason: string; kid: string | null };

function describe(principal: Principal): string {
  if (principal.kind === 'service') return `the ${principal.service} service`;
  return `${principal.kind} "${principal.id}"${principal.kind === 'agent' && principal.via ? ` (through the ${principal.via})` : ''}`;
}

export function mayActIn(workspaces: Workspaces, workspace: string): boolean {
  return workspaces === '*' || workspaces.includes(workspace);
}

/** The trusted keys. Several keys per principal may be trusted at once (rotation). */
export class Keyring {
  private readonly keys = new Map<string, TrustedKey>();
  private readonly unsigned: ReadonlySet<string>;
  /** The agents the gateway may sign proposals for, and where. */
  private readonly viaGateway = new Map<string, Workspaces>();

  constructor(input: KeyringInput) {
    for (const service of SIGNING_SERVICES) {
      for (const jwk of input.services?.[service]?.keys ?? []) this.add(jwk, { kind: 'service', service });
    }
    for (const agent of input.agents ?? []) {
      for (const jwk of agent.keys.keys) this.add(jwk, { kind: 'agent', id: agent.id, workspaces: agent.workspaces });
      if (agent.gateway) this.viaGateway.set(agent.id, agent.workspaces);
    }
    for (const labeler of input.labelers ?? []) {
      for (const jwk of labeler.keys.keys) this.add(jwk, { kind: 'labeler', id: labeler.id, workspaces: labeler.workspaces });
    }
    this.unsigned = new Set(input.unsignedWorkspaces ?? []);
  }

  private add(jwk: Ed25519PublicJwk, principal: Principal): void {
    const kid = keyIdOf(jwk);
    const known = this.keys.get(kid);
    if (known) throw new TypeError(`key ${kid} is listed twice (for ${describe(known.principal)} and ${describe(principal)})`);
    this.keys.set(kid, { kid, jwk, publicKey: publicKeyFromJwk(jwk), principal });
  }

  key(kid: string): TrustedKey | undefined {
    return this.keys.get(kid);
  }

  /** The public keys of one service, as a JWKS document (what `GET /keys` serves). */
  serviceJwks(service: SigningService): Jwks {
    const keys = [...this.keys.values()].filter((k) => k.principal.kind === 'service' && k.principal.service === service);
    return { keys: keys.map((k) => ({ ...k.jwk, kid: k.kid })) };
  }

  admitsUnsigned(workspace: string): boolean {
    return this.unsigned.has(workspace);
  }

  /**
   * Verifies an event as it was received (`raw`: the parsed JSON, before any schema
   * transformed it) against the contract's table of who signs what. Never throws.
   */
  verify(raw: Record<string, unknown>, event: AnyEvent): SignatureVerdict {
    const step = this.lookUp(raw, event);
    return 'verdict' in step ? step.verdict : this.conclude(raw, event, step.key, signatureVerifies(raw, step.key.publicKey));
  }

  /** `verify`, with the Ed25519 check on libuv's pool: for a chunk of events at once. Never rejects. */
  async verifyAsync(raw: Record<string, unknown>, event: AnyEvent): Promise<SignatureVerdict> {
    const step = this.lookUp(raw, event);
    return 'verdict' in step ? step.verdict : this.conclude(raw, event, step.key, await signatureVerifiesAsync(raw, step.key.publicKey));
  }

  /** Everything but the signature itself: unsigned, malformed, unknown key end here. */
  private lookUp(raw: Record<string, unknown>, event: AnyEvent): { verdict: SignatureVerdict } | { key: TrustedKey } {
    const kid = typeof raw.sigkid === 'string' ? raw.sigkid : null;
    if (raw.sig === undefined && raw.sigkid === undefined) {
      if (event.type === DECISION_PROPOSED && this.admitsUnsigned(event.workspaceid)) return { verdict: { ok: true, signer: null, kid: null } };
      return { verdict: { ok: false, code: 'unsigned', reason: `${event.type} must be signed (sigkid, sig)`, kid: null } };
    }
    if (kid === null || typeof raw.sig !== 'string') return { verdict: refuse('sigkid and sig must both be strings', kid) };
    const key = this.keys.get(kid);
    if (!key) return { verdict: refuse(`key ${kid} is not trusted`, kid) };
    return { key };
  }

  private conclude(raw: Record<string, unknown>, event: AnyEvent, key: TrustedKey, verifies: boolean): SignatureVerdict {
    if (!verifies) return refuse(`the signature does not verify with key ${key.kid}`, key.kid);
    const signer = this.speaker(raw, key.principal);
    if ('refusal' in signer) return refuse(signer.refusal, key.kid);
    const denied = authorityProblem(event, signer.principal);
    if (denied) return refuse(denied, key.kid);
    return { ok: true, signer: signer.principal, kid: key.kid };
  }

  /** Who speaks by a key: its principal, or, for the gateway's key, the agent the event names, if the registry lets it use the gateway. */
  private speaker(raw: Record<string, unknown>, principal: Principal): { principal: Principal } | { refusal: string } {
    if (principal.kind !== 'service' || principal.service !== 'gateway') return { principal };
    const named = raw[GATEWAY_AGENT_ATTRIBUTE];
    if (typeof named !== 'string' || named === '') return { refusal: `the agent gateway signs only for an agent its event names (${GATEWAY_AGENT_ATTRIBUTE})` };
    const workspaces = this.viaGateway.get(named);
    if (workspaces === undefined) return { refusal: `the agent gateway may sign only for agents registered to use it; "${named}" is not` };
    return { principal: { kind: 'agent', id: named, workspaces, via: 'gateway' } };
  }
}

function refuse(reason: string, kid: string | null): SignatureVerdict {
  return { ok: false, code: 'signature_invalid', reason, kid };
}

/** Why `principal` may not sign `event` (the contract's table), or undefined when it may. */
export function authorityProblem(event: AnyEvent, principal: Principal): string | undefined {
  const signer = describe(principal);
  const needService = (service: SigningService, what: string) =>
    principal.kind === 'service' && principal.service === service ? undefined : `${what} must be signed by the ${service} service, not ${signer}`;
  const needActor = (kinds: readonly Principal['kind'][], what: string) => {
    if (principal.kind === 'service' || !kinds.includes(principal.kind)) return `${what} must be signed by ${kinds.join(' or ')} key, not ${signer}`;
    if (!mayActIn(principal.workspaces, event.workspaceid)) return `${signer} may not act in workspace "${event.workspaceid}"`;
    return undefined;
  };
  switch (event.type) {
    case DECISION_PROPOSED: {
      const problem = needActor(['agent'], 'a proposal');
      if (problem) return problem;
      const named = event.data.agent.id;
      return principal.kind === 'agent' && principal.id !== named ? `the proposal names agent "${named}" but is signed by ${signer}` : undefined;
    }
    case APPROVAL_REQUESTED:
      return needService('router', 'approval.requested');
    case APPROVAL_CLARIFICATION_PROVIDED:
      return needActor(['agent'], 'a clarification answer');
    case APPROVAL_RESOLVED:
      return needService(event.data.resolved_by.kind === 'policy' ? 'router' : 'escalation', `a resolution by ${event.data.resolved_by.kind}`);
    case ACTION_EXECUTED:
      return needActor(['agent'], 'action.executed');
    case OUTCOME_LABELED:
      return needActor(['agent', 'labeler'], 'outcome.labeled');
    case DIRECTORY_REVIEWER_CHANGED:
      return needService('escalation', 'a change of the reviewer directory');
    case CONTROL_PAUSED:
    case CONTROL_RESUMED:
      return needService('escalation', 'a pause or a resume');
    case CONTROL_PROBATION_STARTED:
    case CONTROL_PROBATION_GRADUATED:
      // The router routes and counts: only it starts and graduates a probation.
      return needService('router', event.type);
    case CONTROL_PROBATION_ENDED:
      return needService('escalation', 'an early end of a probation');
    case AUDIT_RECORDED:
      // What the record holds: only the audit says so.
      return needService('audit', 'audit.recorded');
    case HANDOFF_REQUESTED: {
      // Only the agent whose session it is asks for a person for it.
      const problem = needActor(['agent'], 'a request for a person');
      if (problem) return problem;
      return principal.kind === 'agent' && principal.id !== event.data.agent_id
        ? `the request names agent "${event.data.agent_id}" but is signed by ${signer}`
        : undefined;
    }
    default:
      // The other approval.updated types (assigned, reassigned, escalated, clarification requested, rolled back) and handoff.updated.
      return needService('escalation', event.type);
  }
}

/**
 * For events the proposing agent signs (clarification answers, action.executed): whether
 * the verified signer is that agent. Consumers that know the decision's agent check this.
 */
export function signedByProposer(signer: Principal | null, proposerAgentId: string): boolean {
  return signer !== null && signer.kind === 'agent' && signer.id === proposerAgentId;
}
