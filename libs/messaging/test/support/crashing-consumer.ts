// A consumer process that dies by SIGKILL right after its first database commit,
// before its offsets are committed: the worst moment for exactly-once effects.
import { connectHarness, startConsumer } from './harness';

async function main(): Promise<void> {
  const harness = await connectHarness(JSON.parse(process.env.HARNESS_IDS ?? ''));
  await startConsumer(harness, {
    chunkSize: 500,
    afterCommit: (chunk) => {
      process.stdout.write(`committed ${chunk.count} messages up to offset ${chunk.lastOffset}; killing myself\n`);
      process.kill(process.pid, 'SIGKILL');
    },
  });
}

main().catch((error) => {
  console.error(error);
  process.exit(2);
});
