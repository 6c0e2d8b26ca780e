// A consumer process that dies by SIGKILL right after its first database commit,
// before its offsets are committed (or, CRASH_AT=before_publish, before the events it
// re-derives are published): the worst moments for exactly-once effects.
import { connectHarness, startConsumer } from './harness';

async function main(): Promise<void> {
  const harness = await connectHarness(JSON.parse(process.env.HARNESS_IDS ?? ''));
  const die = (what: string) => {
    process.stdout.write(`${what}; killing myself\n`);
    process.kill(process.pid, 'SIGKILL');
  };
  // CRASH_AT=before_publish: after the commit of a handler that re-derives its events, before they are published.
  await startConsumer(
    harness,
    process.env.CRASH_AT === 'before_publish'
      ? { chunkSize: 500, beforePublish: (events) => die(`committed, ${events} events not published yet`) }
      : { chunkSize: 500, afterCommit: (chunk) => die(`committed ${chunk.count} messages up to offset ${chunk.lastOffset}`) },
  );
}

main().catch((error) => {
  console.error(error);
  process.exit(2);
});
