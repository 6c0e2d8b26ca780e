import { eventually } from './waits';

describe('eventually', () => {
  it('returns the first truthy value the probe gives', async () => {
    let calls = 0;
    await expect(eventually('the third call', () => (++calls === 3 ? { calls } : undefined), { everyMs: 1 })).resolves.toEqual({ calls: 3 });
  });

  it('fails naming what it waited for, with the detail', async () => {
    await expect(eventually('a thing that never comes', () => false, { timeoutMs: 20, everyMs: 5, detail: () => 'seen: 0' })).rejects.toThrow(
      /^timed out after 20 ms waiting for a thing that never comes\nseen: 0$/,
    );
  });

  it('gives up at once when told why', async () => {
    await expect(eventually('the service', () => undefined, { abortIf: () => 'router exited' })).rejects.toThrow('router exited while waiting for the service');
    await expect(eventually('the service', () => undefined, { abortIf: () => 'router exited', detail: () => 'its log' })).rejects.toThrow(
      /^router exited while waiting for the service\nits log$/,
    );
  });
});
