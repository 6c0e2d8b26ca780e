// The kill switch: an admin's pause of an agent, an action or a whole workspace, who may
// pause and resume, what a pause covers, and the events that tell the router. Pure: the
// pause's id and `now` are inputs.
import { CONTROL_PAUSED, CONTROL_RESUMED, CloudEvent, PauseEffect, newEvent, pauseCovers, pauseScopeWords } from '@hitl/contracts';
import { worksIn } from './approval';
import { ESCALATION_SOURCE } from './review';

/** A pause as the escalation service keeps it; active until resumed. */
export interface Pause {
  id: string;
  workspace: string;
  /** Proposals of this agent only; null: any agent. */
  agent_id: string | null;
  /** Proposals of this action only; null: any action. Both null: the whole workspace. */
  action: string | null;
  effect: PauseEffect;
  reason: string;
  paused_by: string;
  paused_at: string;
  resumed_by: string | null;
  resumed_at: string | null;
  resume_reason: string | null;
}

/** Who asks to pause or resume: an admin of the directory, in their workspaces (`*`: every one). */
export interface PauseAdmin {
  id: string;
  admin: boolean;
  workspaces: string[];
}

/** Why a pause or a resume is refused: an HTTP status, a stable code, plain words. */
export interface PauseRefusal {
  status: 403 | 409;
  code: 'not_admin' | 'wrong_workspace' | 'already_resumed';
  message: string;
}

export const pauseRefusals = {
  notAdmin: (id: string) =>
    ({ status: 403, code: 'not_admin', message: `${id} is not an admin: only an admin may pause or resume agents` }) satisfies PauseRefusal,
  wrongWorkspace: (id: string, workspace: string) =>
    ({ status: 403, code: 'wrong_workspace', message: `${id} is not an admin of workspace ${workspace}` }) satisfies PauseRefusal,
  alreadyResumed: (pause: Pause) =>
    ({
      status: 409,
      code: 'already_resumed',
      message: `pause ${pause.id} was resumed by ${pause.resumed_by} at ${pause.resumed_at}: pause again to stop it again`,
    }) satisfies PauseRefusal,
} as const;

/** Only an admin, and only in a workspace of theirs. */
export function refusePause(admin: PauseAdmin, command: { workspace: string }): (PauseRefusal & { code: 'not_admin' | 'wrong_workspace' }) | null {
  if (!admin.admin) return pauseRefusals.notAdmin(admin.id);
  if (!worksIn(admin, command.workspace)) return pauseRefusals.wrongWorkspace(admin.id, command.workspace);
  return null;
}

/** As for pausing, and a pause is resumed once (a second resume would put a second, different reason on the record). */
export function refuseResume(admin: PauseAdmin, pause: Pause): PauseRefusal | null {
  return refusePause(admin, pause) ?? (pause.resumed_at === null ? null : pauseRefusals.alreadyResumed(pause));
}

/** Whether an active pause covers this proposal: its workspace, and its agent and action unless the pause leaves them open (null). */
export function covers(pause: Pause, proposal: { workspace: string; agent_id: string; action: string }): boolean {
  return pause.resumed_at === null && pauseCovers(pause, proposal);
}

/** The pause in plain words, e.g. "agent refund-bot paused by rev-grace: refunds doubled after the deploy". */
export function describePause(pause: Pause): string {
  const blocked = pause.effect === 'block' ? ' (its proposals blocked)' : '';
  const resumed = pause.resumed_at === null ? '' : `; resumed by ${pause.resumed_by}: ${pause.resume_reason}`;
  return `${pauseScopeWords(pause)} paused by ${pause.paused_by}${blocked}: ${pause.reason}${resumed}`;
}

/** The pause on control.changed, keyed by its id, for the router to route by and the audit to record. */
export function pausedEvent(pause: Pause, now: Date): CloudEvent<typeof CONTROL_PAUSED> {
  const data = { pause_id: pause.id, agent_id: pause.agent_id, action: pause.action, effect: pause.effect, reason: pause.reason, paused_by: pause.paused_by };
  return newEvent(CONTROL_PAUSED, data, { source: ESCALATION_SOURCE, workspaceid: pause.workspace, time: now });
}

/** The resume of a pause on control.changed (`pause.resumed_*` set). */
export function resumedEvent(pause: Pause, now: Date): CloudEvent<typeof CONTROL_RESUMED> {
  if (pause.resumed_by === null || pause.resume_reason === null) throw new Error(`pause ${pause.id} is not resumed: no resume to publish`);
  const data = { pause_id: pause.id, reason: pause.resume_reason, resumed_by: pause.resumed_by };
  return newEvent(CONTROL_RESUMED, data, { source: ESCALATION_SOURCE, workspaceid: pause.workspace, time: now });
}
