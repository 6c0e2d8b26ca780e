// The shapes of the escalation API the console reads (GET /approvals, GET /approvals/:id,
// the live stream), as far as the console uses them.

export interface InboxItem {
  approval_id: string;
  decision_id: string;
  action: string;
  workspace: string;
  route: string;
  status: string;
  reviewer_role: string;
  assignee: string | null;
  sla_deadline: string | null;
  time_left_seconds: number | null;
  sla_paused: boolean;
  expires_at: string | null;
  urgency: string;
  consequence: { severity: string; reversible: boolean } | null;
  amount: number | null;
  summary: string;
  agent_summary: string;
  agent: { id: string; model?: string; prompt_version?: string };
  payload_hash: string;
  created_at: string;
}

export interface ApprovalDetail extends InboxItem {
  rendering: { headline: string; details: { label: string; value: string }[]; consequence: string };
  agent_summary_notice: string;
  parameters: Record<string, unknown>;
  parameters_schema: Record<string, unknown> | null;
  trace: { rule: string; detail: string }[];
  context: Record<string, unknown> | null;
  workflow: { id: string; step_index: number; completed_steps: { action: string; outcome: string }[] } | null;
  confidence: { value: number; basis: string; uncertainty_factors: string[]; recommended_review: boolean };
  on_timeout: string;
  approvals: { required: number; approved_by: string[]; remaining: number };
  clarifications: { clarification_id: string; question: string; requested_by: string; answer: string | null }[];
  agent_record: { considered: number; counts: Record<string, number>; edited: number };
  resolved_at: string | null;
}

export interface ApprovalChange {
  change: 'new' | 'assigned' | 'reassigned' | 'clarifying' | 'resumed' | 'edited' | 'resolved';
  approval_id: string;
  status: string;
  resolved_by: string | null;
  item: InboxItem;
}

export interface Me {
  id: string;
  name: string;
  roles: string[];
  workspaces: string[];
}
