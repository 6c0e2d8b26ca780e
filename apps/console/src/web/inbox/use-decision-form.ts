// What the reviewer has open over the page: a form (a reason to deny or to roll back, a
// question for the agent, the parameter editor) or a dialog (the batch, the keys), with what they typed
// and which of the agent's options they chose.
import { ApprovalDetail } from '@hitl/reviewer-api';
import { useEffect, useState } from 'react';
import { editProblems, editedParameters } from '../edit';
import { chosenOption, readOptions } from '../options';

/** What the escalation writes in place of a redacted value. */
export const REDACTED = '•••• (redacted)';

export type Panel = 'none' | 'deny' | 'edit' | 'clarify' | 'rollback' | 'batch' | 'help';

/** The open approval: whenever it changes (or is read again), what was typed for the last one goes. */
export interface OpenApproval {
  openId: string | null;
  token: string;
  revision: number;
}

export function useDecisionForm(detail: ApprovalDetail | null, { openId, token, revision }: OpenApproval) {
  const [panel, setPanel] = useState<Panel>('none');
  // The reason (to deny, to roll back) or question being typed.
  const [text, setText] = useState('');
  // The editor's texts, by parameter; a parameter not typed in keeps its value.
  const [edits, setEdits] = useState<Record<string, string>>({});
  // The key of the agent's option the reviewer chose (1–9 or a click); null: none.
  const [chosen, setChosen] = useState<string | null>(null);

  useEffect(() => {
    setEdits({});
    // A choice belongs to the approval, and the version of it, it was made for.
    setChosen(null);
    // A half-typed reason or edit belongs to the approval it was typed for.
    setPanel((p) => (p === 'batch' || p === 'help' ? p : 'none'));
  }, [openId, token, revision]);

  const edited = detail ? editedParameters(detail.parameters, edits, detail.parameters_schema) : {};
  const problems = detail && panel === 'edit' ? editProblems(detail.parameters, edited, detail.parameters_schema, REDACTED) : [];
  // Every parameter it has, and every one its schema names.
  const editable = detail
    ? Array.from(new Set([...Object.keys(detail.parameters), ...Object.keys((detail.parameters_schema?.properties as object) ?? {})]))
    : [];

  // Post-reviews already ran: there is nothing left to choose.
  const offered = detail && detail.route !== 'post_review' ? readOptions(detail.context) : { options: [], unreadable: 0 };
  const option = chosenOption(offered.options, chosen);

  return { panel, setPanel, text, setText, edits, setEdits, edited, problems, editable, offered, chosen: option, setChosen };
}

export type DecisionForm = ReturnType<typeof useDecisionForm>;
