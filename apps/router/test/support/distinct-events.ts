/**
 * What a consumer keeps of a topic: one event per id. A redelivered proposal makes the
 * router publish its events again with the same ids and content (consumers de-duplicate on
 * the id), so a test counts outcomes by id; a copy that differs in anything fails here.
 */
export function distinctEvents<E extends { id: string }>(events: readonly E[]): E[] {
  const byId = new Map<string, E>();
  for (const event of events) {
    const first = byId.get(event.id);
    if (first === undefined) byId.set(event.id, event);
    else expect(event).toEqual(first);
  }
  return [...byId.values()];
}
