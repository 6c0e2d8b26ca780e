import { GatewayAgent, workspaceFor } from './gateway-agent';

const one: GatewayAgent = { id: 'lambda-bot', workspaces: ['acme-support'] };
const two: GatewayAgent = { id: 'desk-bot', workspaces: ['acme-support', 'acme-sales'] };
const every: GatewayAgent = { id: 'ops-bot', workspaces: '*' };

describe('the workspace a gateway proposal goes to', () => {
  it.each([
    ['its only workspace when none is asked', one, undefined, { workspace: 'acme-support' }],
    ['the one asked, of its own', two, 'acme-sales', { workspace: 'acme-sales' }],
    ['any asked, for an agent of every workspace', every, 'globex', { workspace: 'globex' }],
    ['never another workspace', one, 'globex', { refusal: { status: 403, code: 'wrong_workspace' } }],
    ['named, when it has several', two, undefined, { refusal: { status: 400, code: 'workspace_required' } }],
    ['named, when it has every one', every, undefined, { refusal: { status: 400, code: 'workspace_required' } }],
  ] as const)('%s', (_, agent, asked, expected) => {
    expect(workspaceFor(agent, asked)).toMatchObject(expected);
  });
});
