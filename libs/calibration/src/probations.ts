// Probation: an action new to a workspace's manifest, or whose entry widened its autonomy,
// sends every decision to a person until enough reviewed decisions were approved unchanged.
// The router starts and graduates a probation (it routes and counts); an admin may end one
// early on the owner's word. What the report says of each: graduation and its evidence, an
// early end and who asked for it, and what an active one still needs. Pure.
import { percent } from './post-reviews';

export type ProbationState = 'active' | 'graduated' | 'ended';

/** One probation as the report shows it. Fields of an event this service has not seen (yet) are null. */
export interface ProbationReport {
  probation_id: string;
  workspace: string;
  action: string;
  state: ProbationState;
  /** Why it started, in words (new to the manifest, or which settings widened its autonomy); null when its start was not seen. */
  reason: string | null;
  /** The manifest version that started it. */
  manifest_version: string | null;
  started_at: string | null;
  /** What graduating asks: this many reviewed decisions… */
  decisions: number | null;
  /** …approved unchanged at least at this rate. */
  approved_unchanged_rate: number | null;
  /** The evidence of a graduation: decisions reviewed during the probation, and how many were approved unchanged. */
  reviewed: number | null;
  approved_unchanged: number | null;
  graduated_at: string | null;
  /** An early end: the admin who ended it (for the action's owner), why, and when. */
  ended_by: string | null;
  end_reason: string | null;
  ended_at: string | null;
  /** In plain words: the Markdown line, without its bullet. */
  summary: string;
}

/** A probation as SQL reads it: the report's entry before its summary. */
export type ProbationFacts = Omit<ProbationReport, 'summary'>;

/** The probations of a report: active now (whatever their start), graduated and ended early in the window. */
export interface ProbationSection {
  active: ProbationReport[];
  graduated: ProbationReport[];
  ended: ProbationReport[];
}

/** How probations come about and end, as the report says it. */
export const PROBATION_COUNTING =
  'An action new to a workspace’s manifest, or whose entry widened its autonomy, is on probation: every decision of it goes to a person until enough reviewed decisions were approved unchanged. ' +
  'The router starts and graduates probations (it routes and counts the reviews); an admin may end one early on the owner’s word.';

const day = (time: string | null) => (time === null ? 'an unknown date' : time.slice(0, 10));

/** What graduating asks, in words: "50 at 95%". */
function needs(p: Pick<ProbationReport, 'decisions' | 'approved_unchanged_rate'>): string | null {
  return p.decisions === null || p.approved_unchanged_rate === null ? null : `${p.decisions} at ${percent(p.approved_unchanged_rate)}`;
}

function started(p: ProbationFacts): string {
  return p.started_at === null ? 'its start was not seen' : `started ${day(p.started_at)}: ${p.reason ?? 'reason not seen'}`;
}

/**
 * One probation in a sentence. `withWorkspace` names the workspace (a report over every
 * workspace); a workspace's own report does not need to.
 */
export function probationSummary(p: ProbationFacts, withWorkspace = false): string {
  const who = withWorkspace ? `${p.action} in ${p.workspace}` : p.action;
  switch (p.state) {
    case 'graduated': {
      const needed = needs(p);
      const evidence =
        p.reviewed === null || p.approved_unchanged === null
          ? 'evidence not seen'
          : `${p.approved_unchanged} of ${p.reviewed} reviewed decisions approved unchanged${needed === null ? '' : ` (needed ${needed})`}`;
      return `${who} graduated from probation on ${day(p.graduated_at)}: ${evidence}; ${started(p)}`;
    }
    case 'ended':
      return `${who} probation ended early on ${day(p.ended_at)} by ${p.ended_by ?? 'an admin'}: "${p.end_reason ?? ''}"; ${started(p)}`;
    case 'active': {
      const until =
        p.decisions === null || p.approved_unchanged_rate === null
          ? 'until enough reviewed decisions are approved unchanged'
          : `until ${p.decisions} reviewed decisions are approved unchanged at ${percent(p.approved_unchanged_rate)}`;
      return `${who} on probation since ${day(p.started_at)}: ${p.reason ?? 'reason not seen'}; every decision to a person ${until}`;
    }
  }
}

const timeOf = (p: ProbationFacts) => (p.state === 'graduated' ? p.graduated_at : p.state === 'ended' ? p.ended_at : p.started_at) ?? '';

/**
 * The report's section: probations by state, each with its summary, in the order they
 * happened (then by workspace, action and id). `withWorkspace`: the report is over every workspace.
 */
export function probationSection(probations: readonly ProbationFacts[], withWorkspace = false): ProbationSection {
  const sorted = [...probations].sort(
    (a, b) =>
      timeOf(a).localeCompare(timeOf(b)) ||
      a.workspace.localeCompare(b.workspace) ||
      a.action.localeCompare(b.action) ||
      a.probation_id.localeCompare(b.probation_id),
  );
  const of = (state: ProbationState) => sorted.filter((p) => p.state === state).map((p) => ({ ...p, summary: probationSummary(p, withWorkspace) }));
  return { active: of('active'), graduated: of('graduated'), ended: of('ended') };
}

/** The report's section on probations, in Markdown: graduations with their evidence, early ends, then those still active. */
export function probationMarkdown(section: ProbationSection): string[] {
  const lines = ['## Probation (every decision to a person until reviews prove the action)', ''];
  const { active, graduated, ended } = section;
  if (active.length + graduated.length + ended.length === 0) lines.push('No probation started, graduated or ended in the window, and none is active.', '');
  else {
    const list = (title: string, entries: ProbationReport[]) => (entries.length === 0 ? [] : [title, '', ...entries.map((p) => `- ${p.summary}`), '']);
    lines.push(...list('Graduated in the window:', graduated), ...list('Ended early in the window:', ended), ...list('On probation now:', active));
  }
  lines.push(PROBATION_COUNTING, '');
  return lines;
}
