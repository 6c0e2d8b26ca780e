import { createTwoFilesPatch } from 'diff';
import { Document, Pair, Scalar, YAMLMap, isMap, isScalar, parseDocument } from 'yaml';
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
 * Threshold and mode changes (thresholds raised or lowered) as one unified diff of the manifest, for code review: each
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
  }
  const updated = applyEdits(manifestYaml, edits);
  const patch =
    changes.length === 0 ? '' : createTwoFilesPatch(`a/${manifestPath}`, `b/${manifestPath}`, manifestYaml, updated, undefined, undefined, { context: 3 });
  // git apply and patch want the header lines only: drop jsdiff's "Index"/"====" preamble.
  return { patch: patch.replace(/^(Index:.*\n)?=+\n/, ''), changes };
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
