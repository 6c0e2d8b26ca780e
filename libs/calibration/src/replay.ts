import { DecisionProposedData } from '@hitl/contracts';
import { Manifest, Verdict, route } from '@hitl/policy';

/** A stored decision: what the agent proposed, what was decided then, and what it turned out to be. */
export interface HistoricalDecision {
  proposal: DecisionProposedData;
  /** The verdict the router gave at the time; null when unknown. */
  routed_verdict: Verdict | null;
  /** Labeled correct or not; null when unlabeled. */
  correct: boolean | null;
}

export interface ReplayReport {
  decisions: number;
  /** How many the candidate routes differently from what happened. */
  changed: number;
  /** `from → to` counts of the changes. */
  changes: Record<string, number>;
  /** Decisions a person would see first, per role: now and with the candidate. */
  review_load: Record<string, { before: number; after: number; change: number }>;
  /** Auto-approvals the candidate adds. */
  added_auto_approvals: number;
  /** ...of which were labeled wrong: mistakes the candidate would have let through. */
  added_auto_approvals_labeled_wrong: number;
  /** Auto-approvals the candidate takes away (sent to a person or blocked instead). */
  removed_auto_approvals: number;
}

/**
 * Re-routes history with a candidate manifest (pure: `now` only sets SLA times, which the
 * report ignores). "Before" is the verdict recorded at the time, or the current manifest's
 * verdict when none was recorded.
 */
export function replay(history: HistoricalDecision[], candidate: Manifest, current: Manifest, now: Date): ReplayReport {
  const report: ReplayReport = {
    decisions: history.length,
    changed: 0,
    changes: {},
    review_load: {},
    added_auto_approvals: 0,
    added_auto_approvals_labeled_wrong: 0,
    removed_auto_approvals: 0,
  };
  const load = (role: string) => (report.review_load[role] ??= { before: 0, after: 0, change: 0 });
  for (const decision of history) {
    const then = route(decision.proposal, current, now);
    const next = route(decision.proposal, candidate, now);
    const before = decision.routed_verdict ?? then.verdict;
    if (before === 'human_review' || before === 'escalate') {
      // Who saw it then: the current manifest's plan, else the candidate's, else the action's first tier.
      const role =
        then.approval?.reviewer_role ?? next.approval?.reviewer_role ?? current.actions.get(decision.proposal.action)?.escalationPath[0] ?? 'unknown';
      load(role).before += 1;
    }
    if (next.approval) load(next.approval.reviewer_role).after += 1;
    if (next.verdict !== before) {
      report.changed += 1;
      const key = `${before} → ${next.verdict}`;
      report.changes[key] = (report.changes[key] ?? 0) + 1;
      if (next.verdict === 'auto_approve') {
        report.added_auto_approvals += 1;
        if (decision.correct === false) report.added_auto_approvals_labeled_wrong += 1;
      }
      if (before === 'auto_approve') report.removed_auto_approvals += 1;
    }
  }
  for (const role of Object.values(report.review_load)) role.change = role.after - role.before;
  return report;
}

/** Adds up the reports of two stretches of history (replay reads history a page at a time). */
export function mergeReplays(a: ReplayReport, b: ReplayReport): ReplayReport {
  const changes = { ...a.changes };
  for (const [k, v] of Object.entries(b.changes)) changes[k] = (changes[k] ?? 0) + v;
  const review_load: ReplayReport['review_load'] = structuredClone(a.review_load);
  for (const [role, l] of Object.entries(b.review_load)) {
    const into = (review_load[role] ??= { before: 0, after: 0, change: 0 });
    into.before += l.before;
    into.after += l.after;
    into.change = into.after - into.before;
  }
  return {
    decisions: a.decisions + b.decisions,
    changed: a.changed + b.changed,
    changes,
    review_load,
    added_auto_approvals: a.added_auto_approvals + b.added_auto_approvals,
    added_auto_approvals_labeled_wrong: a.added_auto_approvals_labeled_wrong + b.added_auto_approvals_labeled_wrong,
    removed_auto_approvals: a.removed_auto_approvals + b.removed_auto_approvals,
  };
}
