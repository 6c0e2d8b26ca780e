// Who calls the gateway: an agent of the registry, by the SHA-256 of its bearer token; and
// where it may propose. Pure.
import { Workspaces } from '@hitl/contracts';

export interface GatewayAgent {
  id: string;
  workspaces: Workspaces;
}

/** Why an agent may not propose in a workspace (or must name one): an HTTP status, a stable code, plain words. */
export interface WorkspaceRefusal {
  status: 400 | 403;
  code: 'workspace_required' | 'wrong_workspace';
  message: string;
}

/**
 * The workspace a proposal goes to: the one asked for, if the agent may act there; else the
 * agent's only workspace. Identity and scope come from the token, never from the body alone.
 */
export function workspaceFor(agent: GatewayAgent, asked: string | undefined): { workspace: string } | { refusal: WorkspaceRefusal } {
  if (asked !== undefined) {
    const allowed = agent.workspaces === '*' || agent.workspaces.includes(asked);
    return allowed
      ? { workspace: asked }
      : { refusal: { status: 403, code: 'wrong_workspace', message: `agent ${agent.id} may not act in workspace ${asked}` } };
  }
  if (agent.workspaces !== '*' && agent.workspaces.length === 1) return { workspace: agent.workspaces[0] };
  return {
    refusal: {
      status: 400,
      code: 'workspace_required',
      message: `agent ${agent.id} acts in ${agent.workspaces === '*' ? 'every workspace' : agent.workspaces.join(', ')}: say which one (workspace)`,
    },
  };
}
