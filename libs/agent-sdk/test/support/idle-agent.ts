// An agent as its own process, started and then left idle: prints how many timers the process
// made while it idled. Run by idle.int-spec.ts: node -r @swc-node/register idle-agent.ts
// <brokers> <topic prefix> <pending store> <idle ms>.
import { createHook } from 'node:async_hooks';
import { join } from 'node:path';
import { testTrust } from '@hitl/testing';
import { HitlAgent } from '../../src';

async function main(): Promise<void> {
  const [brokers, topicPrefix, pendingStore, idleMs] = process.argv.slice(2);
  const trust = testTrust();
  const agent = new HitlAgent({
    brokers: brokers.split(','),
    clientId: 'idle-bot',
    agentId: 'refund-bot',
    workspace: 'acme-support',
    topicPrefix,
    pendingStore,
    signingKey: trust.key('refund-bot'),
    trustedKeys: { router: join(trust.dir, 'router.jwks.json'), escalation: join(trust.dir, 'escalation.jwks.json') },
  });
  await agent.start();
  // Past the group's join and first fetches: what it does from then on, it does for as long as it idles.
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  let timers = 0;
  const hook = createHook({
    init: (_id, type) => {
      if (type === 'Timeout') timers += 1;
    },
  }).enable();
  await new Promise((resolve) => setTimeout(resolve, Number(idleMs)));
  hook.disable();
  await agent.stop();
  process.stdout.write(`${JSON.stringify({ timers })}\n`);
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
