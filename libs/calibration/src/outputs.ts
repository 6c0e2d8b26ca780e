import { Document, isMap } from 'yaml';
import { PROMOTION_FROM } from './promotion';
import { ActionReport } from './report';

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/**
 * The reliability diagram: stated confidence against actual accuracy per bucket. On the
 * diagonal an agent is calibrated; below it, it overstates. Filled points are judged
 * (10+ samples), hollow ones are shown only; their area grows with the sample size.
 */
export function reliabilitySvg(report: ActionReport): string {
  const size = 420;
  const pad = 50;
  const plot = size - 2 * pad;
  const x = (v: number) => pad + v * plot;
  const y = (v: number) => size - pad - v * plot;
  const maxN = Math.max(1, ...report.buckets.map((b) => b.n));
  const ticks = [0, 0.2, 0.4, 0.6, 0.8, 1];
  const title = `${report.action}${report.agent_id ? ` (${report.agent_id})` : ''}: reliability, n=${report.n}, ECE ${report.ece}`;
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${size}" viewBox="0 0 ${size} ${size}" font-family="sans-serif" font-size="11">`,
    `<title>${esc(title)}</title>`,
    `<rect width="${size}" height="${size}" fill="#fff"/>`,
    `<text x="${size / 2}" y="20" text-anchor="middle" font-size="13">${esc(title)}</text>`,
    `<rect x="${pad}" y="${pad}" width="${plot}" height="${plot}" fill="none" stroke="#999"/>`,
    ...ticks.flatMap((t) => [
      `<line x1="${x(t)}" y1="${y(0)}" x2="${x(t)}" y2="${y(0) + 4}" stroke="#999"/><text x="${x(t)}" y="${y(0) + 16}" text-anchor="middle">${t.toFixed(1)}</text>`,
      `<line x1="${x(0) - 4}" y1="${y(t)}" x2="${x(0)}" y2="${y(t)}" stroke="#999"/><text x="${x(0) - 8}" y="${y(t) + 4}" text-anchor="end">${t.toFixed(1)}</text>`,
    ]),
    `<line x1="${x(0)}" y1="${y(0)}" x2="${x(1)}" y2="${y(1)}" stroke="#4a4" stroke-dasharray="4 3"/>`,
    `<text x="${size / 2}" y="${size - 12}" text-anchor="middle">stated confidence</text>`,
    `<text x="14" y="${size / 2}" text-anchor="middle" transform="rotate(-90 14 ${size / 2})">actual accuracy</text>`,
    ...report.buckets.map((b) => {
      const r = 3 + 9 * Math.sqrt(b.n / maxN);
      const colour = b.actual < b.stated - 0.1 ? '#c33' : b.actual > b.stated + 0.1 ? '#36c' : '#333';
      return `<circle cx="${x(b.stated).toFixed(1)}" cy="${y(b.actual).toFixed(1)}" r="${r.toFixed(1)}" fill="${b.judged ? colour : 'none'}" stroke="${colour}"><title>bucket ${b.from.toFixed(1)}-${b.to.toFixed(1)}: stated ${b.stated}, actual ${b.actual}, n=${b.n}${b.judged ? '' : ' (not judged)'}</title></circle>`;
    }),
    '</svg>',
  ];
  return parts.join('\n');
}

export function reportMarkdown(reports: ActionReport[], meta: { window_days: number; generated_at: string; patch: string; unknown_outcomes: number }): string {
  const lines = [`# Calibration report`, '', `Generated ${meta.generated_at} over the last ${meta.window_days} days.`, ''];
  if (meta.unknown_outcomes > 0)
    lines.push(
      `${meta.unknown_outcomes} labeled outcomes are for decisions this service has not seen; they are kept and will count once their decisions arrive.`,
      '',
    );
  for (const r of reports) {
    lines.push(`## ${r.action}${r.agent_id ? ` — agent ${r.agent_id}` : ''}`, '');
    lines.push(`${r.n} labeled outcomes; accuracy ${r.accuracy} (95% lower bound ${r.wilson_lower}); ECE ${r.ece}; Brier ${r.brier}.`, '');
    if (r.intervention)
      lines.push(
        `Reviewers: ${r.intervention.approved_unchanged} approved unchanged, ${r.intervention.edited} edited, ${r.intervention.denied} denied; after the fact ${r.intervention.confirmed} confirmed, ${r.intervention.rolled_back} rolled back (intervention rate ${(r.intervention.rate * 100).toFixed(1)}%).`,
        '',
      );
    lines.push('| confidence | stated | actual | n | error | judged |', '|---|---|---|---|---|---|');
    for (const b of r.buckets)
      lines.push(
        `| ${b.from.toFixed(1)}–${b.to.toFixed(1)} | ${b.stated.toFixed(2)} | ${b.actual.toFixed(2)} | ${b.n} | ${b.error.toFixed(2)} | ${b.judged ? 'yes' : 'no (under 10)'} |`,
      );
    lines.push('');
    for (const f of r.findings) lines.push(`- **Finding:** ${f.text}`);
    if (r.promotion) lines.push(`- **Promotion candidate** (${r.promotion.from_mode} → ${r.promotion.to_mode}): ${r.promotion.reason}`);
    // Held back only once the numbers are there: under PROMOTION_FROM outcomes the answer is simply "not yet".
    const check = r.promotion_check;
    if (check?.to_mode && check.held_back.length > 0 && r.n >= PROMOTION_FROM)
      lines.push(`- **Promotion held back** (${check.from_mode} → ${check.to_mode}): ${check.held_back.join('; ')}`);
    if (r.demotion) lines.push(`- **Demotion alert:** ${r.demotion.reason}`);
    if (r.lowering) lines.push(`- **Suggested** auto_approve_confidence: ${r.lowering.to} (lowered from ${r.lowering.from}: ${r.lowering.reason})`);
    else if (r.suggested_auto_approve_confidence !== null) lines.push(`- **Suggested** auto_approve_confidence: ${r.suggested_auto_approve_confidence}`);
    if (r.widening) lines.push(`- **Suggested** auto_approve_below_usd: ${r.widening.to} (widened from ${r.widening.from}: ${r.widening.reason})`);
    if (r.edits && r.edits.edited > 0) {
      lines.push(
        '',
        `What reviewers changed (${r.edits.edited} of ${r.edits.approved} approvals edited; ${r.edits.reviews - r.edits.approved} denials left out):`,
        '',
        ...r.edits.fields.map((f) => `- ${f.text}`),
        ...r.edits.suggested_rules.map((rule) => `- **Suggested** escalate_when \`${ruleText(rule.rule)}\`: ${rule.text}`),
      );
    }
    lines.push('');
  }
  if (meta.patch) lines.push('## Suggested manifest changes (for review; never applied by the service)', '', '```diff', meta.patch.trimEnd(), '```', '');
  return lines.join('\n');
}

/** A rule as the manifest writes it, on one line: `{ field: parameters.amount_usd, gte: 200 }`. */
export function ruleText(rule: Record<string, unknown>): string {
  const doc = new Document(rule);
  if (isMap(doc.contents)) doc.contents.flow = true;
  return doc.toString({ lineWidth: 0 }).trim();
}
