// Stops the containers global-setup started (none when it used a native broker).
export default async function globalTeardown(): Promise<void> {
  const containers = (globalThis as { __hitlContainers?: { stop(): Promise<unknown> }[] }).__hitlContainers ?? [];
  await Promise.all(containers.map((c) => c.stop()));
}
