import { createTwoFilesPatch } from 'diff';
import { Document, Pair, Scalar, YAMLMap, isMap, isScalar, isSeq, parseDocument } from 'yaml';
import { Demotion } from './drift';
import { ruleText } from './outputs';
import { ActionReport } from './report';

export interface SuggestedChange {
  action: string;
  field: string;
  from: unknown;
  to: unknown;
  evidence: string;
}

interface TextEdit {
  at: number;
  remove: number;
  insert: string;
}

/**
 * Threshold, amount-limit, mode and escalate_when changes (thresholds raised or lowered, the
 * amount limit widened, rules from reviewers' edits) as one unified diff of the manifest, for code review: each
 * changed line carries its evidence as a YAML comment, so the evidence stands beside its
 * hunk. The manifest's text is edited in place (comments and formatting elsewhere stay
 * as they are); nothing is applied here.
 */
export function suggestionsPatch(
  manifestPath: string,
  manifestYaml: string,
  reports: ActionReport[],
  label: string,
): { patch: string; changes: SuggestedChange[] } {
  const doc = parseDocument(manifestYaml);
  const edits: TextEdit[] = [];
  const changes: SuggestedChange[] = [];
  for (const report of reports.filter((r) => r.agent_id === null)) {
    const action = doc.getIn(['actions', report.action], true);
    if (!isMap(action)) continue;
    if (report.suggested_auto_approve_confidence !== null) {
      const finding = report.findings.find((f) => f.kind === 'overstates') ?? report.findings[0];
      const evidence = report.lowering
        ? `calibration ${label}: lowered: ${report.lowering.reason}`
        : `calibration ${label}: ${finding ? finding.text : `accuracy ${report.accuracy} below target`}; ECE ${report.ece}, n=${report.n}`;
      const from = setThreshold(doc, manifestYaml, action, report.suggested_auto_approve_confidence, evidence, edits);
      changes.push({ action: report.action, field: 'thresholds.auto_approve_confidence', from, to: report.suggested_auto_approve_confidence, evidence });
    }
    if (report.promotion) {
      const evidence = `calibration ${label}: promotion candidate: ${report.promotion.reason}`;
      const approvalRequired = pairOf(action, 'approval_required');
      if (approvalRequired && isScalar(approvalRequired.value) && approvalRequired.value.value === true) {
        replaceScalar(manifestYaml, approvalRequired.value, 'false', null, edits);
      }
      const mode = pairOf(action, 'mode');
      if (mode && isScalar(mode.value)) replaceScalar(manifestYaml, mode.value, report.promotion.to_mode, evidence, edits);
      else insertLine(manifestYaml, action, `mode: ${report.promotion.to_mode}  # ${evidence}`, edits);
      changes.push({ action: report.action, field: 'mode', from: report.promotion.from_mode, to: report.promotion.to_mode, evidence });
    }
    if (report.widening) {
      const evidence = `calibration ${label}: widened: ${report.widening.reason}`;
      const conditions = pairOf(action, 'conditions');
      const below = conditions && isMap(conditions.value) ? pairOf(conditions.value, 'auto_approve_below_usd') : undefined;
      if (below && isScalar(below.value)) {
        replaceScalar(manifestYaml, below.value, String(report.widening.to), evidence, edits);
        changes.push({ action: report.action, field: 'conditions.auto_approve_below_usd', from: report.widening.from, to: report.widening.to, evidence });
      }
    }
    for (const rule of report.edits?.suggested_rules ?? []) {
      const evidence = `calibration ${label}: reviewers' edits: ${rule.text}`;
      if (addRule(manifestYaml, action, ruleText(rule.rule), evidence, edits)) {
        changes.push({ action: report.action, field: 'escalate_when', from: null, to: rule.rule, evidence });
      }
    }
  }
  const updated = applyEdits(manifestYaml, edits);
  const patch =
    changes.length === 0 ? '' : createTwoFilesPatch(`a/${manifestPath}`, `b/${manifestPath}`, manifestYaml, updated, undefined, undefined, { context: 3 });
  // git apply and patch want the header lines only: drop jsdiff's "Index"/"====" preamble.
  return { patch: patch.replace(/^(Index:.*\n)?=+\n/, ''), changes };
}

/**
 * A drift's demotion as a unified diff of the manifest: the mode one step back, or no
 * auto-approval on confidence, with the evidence beside the changed line. '' when the action
 * is not in the file (nothing to patch) or there is no demotion.
 */
export function demotionPatch(manifestPath: string, manifestYaml: string, action: string, demotion: Demotion | null, evidence: string): string {
  if (demotion === null) return '';
  const doc = parseDocument(manifestYaml);
  const node = doc.getIn(['actions', action], true);
  if (!isMap(node)) return '';
  const edits: TextEdit[] = [];
  const comment = evidence.replace(/\s+/g, ' ');
  if (demotion.field === 'thresholds.auto_approve_confidence') {
    setThreshold(doc, manifestYaml, node, 'never', comment, edits);
  } else {
    // approval_required: false with a mode is the mode; true would contradict any mode but approve_before.
    const approvalRequired = pairOf(node, 'approval_required');
    if (demotion.to !== 'approve_before' && approvalRequired && isScalar(approvalRequired.value) && approvalRequired.value.value === true) {
      replaceScalar(manifestYaml, approvalRequired.value, 'false', null, edits);
    }
    const mode = pairOf(node, 'mode');
    if (mode && isScalar(mode.value)) replaceScalar(manifestYaml, mode.value, demotion.to, comment, edits);
    else insertLine(manifestYaml, node, `mode: ${demotion.to}  # ${comment}`, edits);
  }
  const updated = applyEdits(manifestYaml, edits);
  if (updated === manifestYaml) return '';
  return createTwoFilesPatch(`a/${manifestPath}`, `b/${manifestPath}`, manifestYaml, updated, undefined, undefined, { context: 3 }).replace(
    /^(Index:.*\n)?=+\n/,
    '',
  );
}

/** Appends a rule to the action's escalate_when (a block list, a flow list, or a new key); false when its shape is not one of those. */
function addRule(text: string, action: YAMLMap, rule: string, evidence: string, edits: TextEdit[]): boolean {
  const existing = pairOf(action, 'escalate_when');
  if (!existing) {
    insertLine(text, action, `escalate_when: [${rule}]  # ${evidence}`, edits);
    return true;
  }
  const list = existing.value;
  if (!isSeq(list) || !list.range) return false;
  if (list.flow) {
    const close = text.lastIndexOf(']', list.range[1]);
    if (close < list.range[0]) return false;
    edits.push({ at: close, remove: 0, insert: `${list.items.length > 0 ? ', ' : ''}${rule}` });
    appendComment(text, close, evidence, edits);
    return true;
  }
  const last = list.items[list.items.length - 1] as { range?: [number, number, number] } | undefined;
  const first = list.items[0] as { range?: [number, number, number] } | undefined;
  if (!last?.range || !first?.range) return false;
  const firstLine = text.lastIndexOf('\n', first.range[0] - 1) + 1;
  const dash = /^(\s*)-\s*$/.exec(text.slice(firstLine, first.range[0]));
  if (!dash) return false;
  const lastEnd = text.indexOf('\n', Math.max(last.range[0], last.range[1] - 1));
  const at = lastEnd === -1 ? text.length : lastEnd + 1;
  edits.push({ at, remove: 0, insert: `${lastEnd === -1 ? '\n' : ''}${dash[1]}- ${rule}  # ${evidence}\n` });
  return true;
}

function pairOf(map: YAMLMap, key: string): Pair | undefined {
  return map.items.find((p) => isScalar(p.key) && p.key.value === key) as Pair | undefined;
}

function setThreshold(doc: Document, text: string, action: YAMLMap, value: number | 'never', evidence: string, edits: TextEdit[]): unknown {
  const thresholds = pairOf(action, 'thresholds');
  if (thresholds && isMap(thresholds.value)) {
    const existing = pairOf(thresholds.value, 'auto_approve_confidence');
    if (existing && isScalar(existing.value)) {
      replaceScalar(text, existing.value, String(value), evidence, edits);
      return existing.value.value;
    }
    const map = thresholds.value;
    if (map.flow && map.range) {
      edits.push({ at: map.range[0] + 1, remove: 0, insert: ` auto_approve_confidence: ${value},` });
      appendComment(text, map.range[0], evidence, edits);
    } else {
      insertLine(text, map, `auto_approve_confidence: ${value}  # ${evidence}`, edits);
    }
    return null;
  }
  insertLine(text, action, `thresholds: { auto_approve_confidence: ${value} }  # ${evidence}`, edits);
  return doc.getIn(['defaults', 'auto_approve_confidence']) ?? null;
}

function replaceScalar(text: string, node: Scalar, value: string, evidence: string | null, edits: TextEdit[]): void {
  if (!node.range) return;
  edits.push({ at: node.range[0], remove: node.range[1] - node.range[0], insert: value });
  if (evidence) appendComment(text, node.range[0], evidence, edits);
}

/** Puts the evidence at the end of the line holding `offset` (replacing a comment already there). */
function appendComment(text: string, offset: number, evidence: string, edits: TextEdit[]): void {
  const end = text.indexOf('\n', offset) === -1 ? text.length : text.indexOf('\n', offset);
  const line = text.slice(offset, end);
  const hash = line.search(/\s#/);
  if (hash === -1) edits.push({ at: end, remove: 0, insert: `  # ${evidence}` });
  else edits.push({ at: offset + hash, remove: end - (offset + hash), insert: `  # ${evidence}` });
}

/** A new line inside a block map, indented like its first key, right after that key's line's predecessor. */
function insertLine(text: string, map: YAMLMap, line: string, edits: TextEdit[]): void {
  const first = map.items[0];
  const keyStart = isScalar(first?.key) && first.key.range ? first.key.range[0] : null;
  if (keyStart === null) return;
  const lineStart = text.lastIndexOf('\n', keyStart - 1) + 1;
  const indent = text.slice(lineStart, keyStart);
  edits.push({ at: lineStart, remove: 0, insert: `${indent}${line}\n` });
}

function applyEdits(text: string, edits: TextEdit[]): string {
  let out = text;
  for (const e of [...edits].sort((a, b) => b.at - a.at)) out = out.slice(0, e.at) + e.insert + out.slice(e.at + e.remove);
  return out;
}
