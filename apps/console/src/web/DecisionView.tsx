import { ApprovalDetail } from '@hitl/reviewer-api';
import { AuditTimeline } from './AuditTimeline';
import { formatAmount, formatTimeLeft, secondsLeftAt, urgencyOf } from './format';
import { readOptions } from './options';
import { bannerText } from './pauses';
import { attemptsTable } from './repair-attempts';

/** The repair loop: every attempt of the agent side by side, with what the schema refused in each. */
function RepairAttempts({ detail }: { detail: ApprovalDetail }) {
  const attempts = detail.repair_attempts ?? [];
  if (attempts.length === 0) return null;
  const table = attemptsTable(attempts);
  return (
    <section data-testid="repair-attempts">
      <h3>The agent’s attempts</h3>
      <p className="hint">
        {attempts.at(-1)?.errors.length
          ? 'These parameters still fail the action’s schema: edit them into valid ones, or deny.'
          : 'The agent repaired parameters that failed the action’s schema.'}
      </p>
      <div className="table-wrap">
        <table className="repair-attempts">
          <thead>
            <tr>
              <th>parameter</th>
              {table.headers.map((h) => (
                <th key={h}>{h}</th>
              ))}
            </tr>
          </thead>
          <tbody>
            {table.rows.map((row) => (
              <tr key={row.field}>
                <td>{row.field}</td>
                {row.cells.map((cell, i) => (
                  <td key={i} className={cell.failing ? 'failing' : undefined}>
                    <code>{cell.text}</code>
                  </td>
                ))}
              </tr>
            ))}
            <tr>
              <td>fails</td>
              {table.errors.map((errors, i) => (
                <td key={i}>{errors.length === 0 ? 'nothing' : errors.map((e) => <div key={e}>{e}</div>)}</td>
              ))}
            </tr>
          </tbody>
        </table>
      </div>
    </section>
  );
}

/** Text an agent wrote: shown as inert text, labelled as its words. */
export function AgentWords({ children, notice }: { children: string; notice?: string }) {
  return (
    <blockquote className="agent-words">
      <span className="label" title={notice}>
        The agent’s words (not checked, not instructions)
      </span>
      <span className="text">{children}</span>
    </blockquote>
  );
}

/** Everything needed to decide one approval, at a glance. */
export function DecisionView({ detail, fetchedAt, now }: { detail: ApprovalDetail; fetchedAt: number; now: number }) {
  const left = secondsLeftAt(detail, fetchedAt, now);
  const record = detail.agent_record;
  const afterTheFact = record.counts.reviewed + record.counts.rolled_back + record.counts.unreviewed;
  // Options the decision panel offers as choices are not repeated here; any it cannot read are shown as written.
  const offered = readOptions(detail.context);
  const asChoices = detail.route !== 'post_review' && offered.options.length > 0 && offered.unreadable === 0;
  const context = Object.entries(detail.context ?? {}).filter(([k]) => !(asChoices && k === 'options'));
  return (
    <article className="decision" data-testid="decision" data-approval-id={detail.approval_id}>
      {(detail.pauses ?? []).length > 0 && (
        <div className="paused-banner" role="status" data-testid="paused-banner">
          {(detail.pauses ?? []).map((p) => (
            <p key={p.id} data-pause-id={p.id}>
              {bannerText(p)}
            </p>
          ))}
        </div>
      )}
      <h2 className="headline">{detail.rendering.headline}</h2>
      <p className="facts">
        <span className={`time ${urgencyOf(left)}`}>
          {detail.route === 'post_review' ? 'to review: ' : ''}
          {formatTimeLeft(left, detail.sla_paused)}
        </span>
        <span className={`severity ${detail.consequence?.severity ?? 'unknown'}`}>{detail.rendering.consequence}</span>
        <span>{formatAmount(detail.amount)}</span>
        <span>
          {detail.action} · {detail.agent.id}
        </span>
      </p>
      <section>
        <h3>Exactly what runs</h3>
        <dl className="params">
          {detail.rendering.details.map((d) => (
            <div key={d.label}>
              <dt>{d.label}</dt>
              <dd>{d.value}</dd>
            </div>
          ))}
        </dl>
      </section>
      <RepairAttempts detail={detail} />
      <section>
        <h3>Why the agent wants it</h3>
        <AgentWords notice={detail.agent_summary_notice}>{detail.agent_summary}</AgentWords>
        <p className="hint">
          Confidence {detail.confidence.value} — basis: <span className="agent-inline">{detail.confidence.basis}</span>
          {detail.confidence.uncertainty_factors.length > 0 && <> — uncertain about: {detail.confidence.uncertainty_factors.join('; ')}</>}
          {detail.confidence.recommended_review && <> — the agent asked for a review</>}
        </p>
        {context.length > 0 && (
          <dl className="params context">
            {context.map(([k, v]) => (
              <div key={k}>
                <dt>{k} (agent)</dt>
                <dd>{typeof v === 'string' ? v : JSON.stringify(v)}</dd>
              </div>
            ))}
          </dl>
        )}
      </section>
      <section>
        <h3>Why a person decides (the policy)</h3>
        <ol className="trace">
          {detail.trace.map((r, i) => (
            <li key={i}>
              <code>{r.rule}</code> {r.detail}
            </li>
          ))}
        </ol>
      </section>
      <section>
        <h3>What already happened</h3>
        {detail.workflow && (
          <>
            <p>
              Workflow {detail.workflow.id}, step {detail.workflow.step_index}; the agent reports these steps done:
            </p>
            <ol>
              {detail.workflow.completed_steps.map((s, i) => (
                <li key={i}>
                  {s.action}: {s.outcome}
                </li>
              ))}
            </ol>
          </>
        )}
        <AuditTimeline decisionId={detail.decision_id} />
      </section>
      <section>
        <h3>This agent’s record on {detail.action}</h3>
        <p data-testid="agent-record">
          Last {record.considered}: {record.counts.approved ?? 0} approved ({record.edited} edited), {record.counts.denied ?? 0} denied,{' '}
          {record.counts.expired ?? 0} expired
          {afterTheFact > 0 &&
            `; after the fact: ${record.counts.reviewed} confirmed, ${record.counts.rolled_back} rolled back, ${record.counts.unreviewed} never reviewed`}
          .
        </p>
      </section>
      {detail.clarifications.length > 0 && (
        <section>
          <h3>Clarifications</h3>
          {detail.clarifications.map((c) => (
            <div key={c.clarification_id}>
              <p>
                {c.requested_by} asked: {c.question}
              </p>
              {c.answer !== null ? <AgentWords>{c.answer}</AgentWords> : <p className="hint">waiting for the agent’s answer</p>}
            </div>
          ))}
        </section>
      )}
      <p className="hint">
        {detail.route === 'post_review'
          ? 'Already ran; unreviewed once the review window closes.'
          : `Needs ${detail.approvals.required} approval(s); on timeout: ${detail.on_timeout}.`}{' '}
        Payload {detail.payload_hash.slice(0, 19)}…
      </p>
    </article>
  );
}
