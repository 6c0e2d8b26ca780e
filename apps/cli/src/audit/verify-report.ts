// What GET /audit/verify answers, and how `hitl audit verify` prints it. Pure.
import { z } from 'zod';

const Link = z.looseObject({ chain_index: z.number(), hash: z.string() });

const Break = z.looseObject({ workspace: z.string(), chain_index: z.number(), event_id: z.string(), reason: z.string() });

export const VerifyAnswer = z.looseObject({
  ok: z.boolean(),
  workspaces: z.array(z.looseObject({ workspace: z.string(), ok: z.boolean(), checked: z.number(), head: Link, first_break: Break.nullable() })),
});
export type VerifyAnswer = z.output<typeof VerifyAnswer>;

/** One line per workspace, then the first broken link (if any) in full. */
export function formatVerification(answer: VerifyAnswer): { out: string[]; err: string[] } {
  if (answer.workspaces.length === 0) return { out: ['no workspace has a record yet: nothing to verify'], err: [] };
  const out = answer.workspaces.map((w) =>
    w.ok
      ? `${w.workspace}: ok, ${w.checked} rows checked, head at chain index ${w.head.chain_index} ${w.head.hash}`
      : `${w.workspace}: BROKEN at chain index ${w.first_break?.chain_index ?? '?'} after ${w.checked} rows`,
  );
  const broken = answer.workspaces.find((w) => w.first_break)?.first_break;
  const err = broken
    ? [
        'first broken link:',
        `  workspace:   ${broken.workspace}`,
        `  chain index: ${broken.chain_index}`,
        `  event id:    ${broken.event_id}`,
        `  reason:      ${broken.reason}`,
      ]
    : [];
  return { out, err };
}
