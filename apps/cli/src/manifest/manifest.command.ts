import { Manifest, route } from '@hitl/policy';
import { Command, InvalidArgumentError } from 'commander';
import { CliContext, CliFailure, ExitCode, readInputFile, writeLines } from '../cli-context';
import { diffManifests, formatManifestDiff, isEmptyDiff } from './diff-manifests';
import { formatRouting, parseDecisionInput } from './explain';
import { formatIssues, formatValid, parseManifest } from './validate';

/** `hitl manifest validate | explain | diff`: reads the files, calls the pure functions, writes, sets the exit code. */
export function registerManifestCommands(program: Command, ctx: CliContext): void {
  const group = program.command('manifest').description('check, explain and compare action manifests');

  group
    .command('validate')
    .description('check a manifest: exit 0 when valid, 1 listing every issue')
    .argument('<file>', 'manifest YAML, or a manifest directory (default.yaml and <workspace>.yaml files)')
    .option('--workspace <name>', "in a manifest directory: the workspace's manifest (its own, else default.yaml)")
    .action((file: string, options: { workspace?: string }) => {
      const manifest = loadOrReport(ctx, file, options.workspace);
      if (manifest) writeLines(ctx.io.out, [formatValid(manifest)]);
    });

  group
    .command('explain')
    .description('route one decision through a manifest and show why')
    .argument('<file>', 'manifest YAML, or a manifest directory (default.yaml and <workspace>.yaml files)')
    .argument('<decision>', 'JSON file: a decision.proposed CloudEvent or its bare data')
    .option('--workspace <name>', "the decision's workspace (default: the event's workspaceid): in a manifest directory, its manifest")
    .option('--json', 'print the Routing object as JSON')
    .option('--now <iso>', 'evaluate at this instant (ISO 8601 with a zone, or a date); default: now', parseInstant)
    .action((file: string, decisionFile: string, options: { workspace?: string; json?: boolean; now?: Date }) => {
      const input = parseDecisionInput(readInputFile(ctx, decisionFile, 'decision file'));
      if (!input.ok) {
        writeLines(ctx.io.err, [`invalid decision ${decisionFile}:`, ...input.problems.map((p) => `  ${p}`)]);
        ctx.setExitCode(ExitCode.invalid);
        return;
      }
      const manifest = loadOrReport(ctx, file, options.workspace ?? input.workspace);
      if (!manifest) return;
      const now = options.now ?? ctx.now();
      // As the router routes a first proposal (a first attempt of any repair chain: invalid parameters go back to a repairable agent).
      const routing = route(input.decision, manifest, now, { signed: true, repair: { earlier: [] } });
      writeLines(ctx.io.out, options.json ? [JSON.stringify(routing, null, 2)] : formatRouting(routing, input.decision, now));
    });

  group
    .command('diff')
    .description('what changed in policy between two manifests, for code review')
    .argument('<old>', 'manifest YAML before')
    .argument('<new>', 'manifest YAML after')
    .option('--exit-code', 'exit 3 when the manifests differ (like git diff)')
    .action((oldFile: string, newFile: string, options: { exitCode?: boolean }) => {
      // Read both first, so an unreadable file stops before any validation output.
      const texts = [readInputFile(ctx, oldFile, 'manifest'), readInputFile(ctx, newFile, 'manifest')];
      const before = reportIfInvalid(ctx, oldFile, texts[0]);
      const after = reportIfInvalid(ctx, newFile, texts[1]);
      if (!before || !after) return;
      const diff = diffManifests(before, after);
      writeLines(ctx.io.out, formatManifestDiff(diff, { before: oldFile, after: newFile, textsDiffer: texts[0] !== texts[1] }));
      if (options.exitCode && !isEmptyDiff(diff)) ctx.setExitCode(ExitCode.different);
    });
}

/**
 * A manifest file, or in a manifest directory the workspace's own manifest
 * (`<workspace>.yaml`) and else `default.yaml`, as the services choose it.
 */
function loadOrReport(ctx: CliContext, path: string, workspace?: string): Manifest | null {
  const file = manifestFileFor(ctx, path, workspace);
  return reportIfInvalid(ctx, file, readInputFile(ctx, file, 'manifest'));
}

function manifestFileFor(ctx: CliContext, path: string, workspace: string | undefined): string {
  try {
    ctx.readText(path);
    return path;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EISDIR') return path; // readInputFile says why
  }
  if (workspace !== undefined) {
    if (!/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(workspace)) throw new CliFailure(ExitCode.usage, `--workspace ${JSON.stringify(workspace)}: not a workspace name`);
    const own = `${path}/${workspace}.yaml`;
    try {
      ctx.readText(own);
      return own;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') return own;
    }
  }
  return `${path}/default.yaml`;
}

function reportIfInvalid(ctx: CliContext, file: string, text: string): Manifest | null {
  const loaded = parseManifest(text);
  if (loaded.ok) return loaded.manifest;
  writeLines(ctx.io.err, formatIssues(file, loaded.issues));
  ctx.setExitCode(ExitCode.invalid);
  return null;
}

// Zone required: a local time would give different deadlines on different machines.
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2}))?$/;

export function parseInstant(value: string): Date {
  const date = new Date(value);
  if (!ISO_INSTANT.test(value) || Number.isNaN(date.getTime())) {
    throw new InvalidArgumentError('expected an ISO 8601 instant with a zone, e.g. 2026-11-22T09:00:00Z');
  }
  return date;
}
