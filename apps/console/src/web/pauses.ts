// The kill switch in the console: pauses in words, and the Controls form checked before it is sent. Pure.
import { PauseBody, PauseEffect, PauseLine, PauseView } from '@hitl/reviewer-api';

/** What a pause covers: `agent refund-bot`, `action process_refund of agent refund-bot`, `the whole workspace` (and which, when known). */
export function scopeWords(p: { agent_id: string | null; action: string | null; workspace?: string }): string {
  const scope =
    p.agent_id !== null && p.action !== null
      ? `action ${p.action} of agent ${p.agent_id}`
      : p.agent_id !== null
        ? `agent ${p.agent_id}`
        : p.action !== null
          ? `action ${p.action}`
          : 'the whole workspace';
  if (p.workspace === undefined) return scope;
  return p.agent_id === null && p.action === null ? `${scope} ${p.workspace}` : `${scope} in ${p.workspace}`;
}

/** What a pause does to new proposals it covers, as a sentence. */
export function effectWords(effect: PauseEffect): string {
  return effect === 'block' ? 'New proposals it covers are blocked.' : 'New proposals it covers go to a person.';
}

/** `clock` writes a time of day (the browser's locale on screen). */
export type Clock = (at: Date) => string;
const localTime: Clock = (at) => at.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });

const sentence = (text: string) => (/[.!?]$/.test(text.trim()) ? text.trim() : `${text.trim()}.`);

/** The decision view's banner: `Paused: agent refund-bot, by rev-grace since 10:02: <reason>. New proposals it covers go to a person.` */
export function bannerText(p: PauseLine, clock: Clock = localTime): string {
  return `Paused: ${scopeWords(p)}, by ${p.paused_by} since ${clock(new Date(p.paused_at))}: ${sentence(p.reason)} ${effectWords(p.effect)}`;
}

/** One line of the Controls list: `agent refund-bot in acme-support: to a person, by rev-grace since 10:02`. */
export function pauseLine(p: PauseView, clock: Clock = localTime): string {
  const effect = p.effect === 'block' ? 'blocked' : 'to a person';
  return `${scopeWords(p)}: ${effect}, by ${p.paused_by} since ${clock(new Date(p.paused_at))}`;
}

export type PauseScope = 'agent' | 'action' | 'workspace';

export interface PauseForm {
  workspace: string;
  scope: PauseScope;
  agent: string;
  action: string;
  effect: PauseEffect;
  reason: string;
}

/** What POST /pauses is sent. */
export interface PauseRequest {
  workspace: string;
  agent_id?: string;
  action?: string;
  effect: PauseEffect;
  reason: string;
}

/** The workspaces the form offers: the reviewer's own; none for `*` (every workspace), where the admin types one. */
export function workspaceChoices(workspaces: readonly string[]): string[] | null {
  return workspaces.includes('*') ? null : [...workspaces];
}

/** The form as POST /pauses takes it, or what is wrong with it (each problem a sentence). */
export function validatePauseForm(form: PauseForm, workspaces: readonly string[]): { ok: true; body: PauseRequest } | { ok: false; problems: string[] } {
  const problems: string[] = [];
  const workspace = form.workspace.trim();
  const agent = form.agent.trim();
  const action = form.action.trim();
  const reason = form.reason.trim();
  if (!workspace) problems.push('Choose a workspace.');
  else if (workspace === '*') problems.push('Name one workspace: a pause covers one workspace at a time.');
  else if (!workspaces.includes('*') && !workspaces.includes(workspace)) problems.push(`${workspace} is not one of your workspaces.`);
  if (form.scope === 'agent' && !agent) problems.push('Name the agent to pause.');
  if (form.scope === 'action' && !action) problems.push('Name the action to pause.');
  if (!reason) problems.push('Say why: the reason is on the record and shown to reviewers.');
  else if (reason.length < 3) problems.push('Say why in at least 3 characters.');
  if (problems.length > 0) return { ok: false, problems };
  const body: PauseRequest = {
    workspace,
    ...(form.scope === 'agent' ? { agent_id: agent } : {}),
    ...(form.scope === 'action' ? { action } : {}),
    effect: form.effect,
    reason,
  };
  // The API's own schema has the last word (lengths and all): what it would refuse is never sent.
  const checked = PauseBody.safeParse(body);
  if (!checked.success) return { ok: false, problems: checked.error.issues.map((i) => `${i.path.join('.') || 'pause'}: ${i.message}`) };
  return { ok: true, body };
}

/** What the form says it will do, before it is sent. */
export function pausePreview(form: PauseForm): string {
  const scope =
    form.scope === 'agent' ? `agent ${form.agent.trim() || '…'}` : form.scope === 'action' ? `action ${form.action.trim() || '…'}` : 'the whole workspace';
  const where = form.workspace.trim() || '…';
  return `Pauses ${scope}${form.scope === 'workspace' ? ` ${where}` : ` in ${where}`}. ${effectWords(form.effect)} Nothing it covers is auto-approved until it is resumed.`;
}

/** A resume's reason: the trimmed text, or null when the API would refuse it (blank, under 3 or over 500 characters). */
export function resumeReason(text: string): string | null {
  const reason = text.trim();
  return reason.length >= 3 && reason.length <= 500 ? reason : null;
}
