import { Command, CommanderError } from 'commander';
import { registerAuditCommands } from './audit/audit.command';
import { registerCalibrateCommand } from './calibrate/calibrate.command';
import { registerCheckCommand } from './check/check.command';
import { CliDeps, CliFailure, ExitCode } from './cli-context';
import { registerKeysCommands } from './keys/keys.command';
import { registerManifestCommands } from './manifest/manifest.command';
import { registerPauseCommands } from './pause/pause.command';
import { registerProbationCommands } from './probation/probation.command';
import { registerReplayCommand } from './replay/replay.command';

/** The `hitl` command tree: one group per capability (`manifest`, `audit`, `replay`, `calibrate`, `check`, `keys`, the kill switch: `pause`, `resume`, `pauses`; and `probations`, `end-probation`). */
export function buildProgram(deps: CliDeps, setExitCode: (code: ExitCode) => void): Command {
  const program = new Command('hitl')
    .description('hitl: keep humans in the loop of AI agent fleets')
    .exitOverride()
    .configureOutput({ writeOut: (text) => deps.io.out(text), writeErr: (text) => deps.io.err(text) })
    .showHelpAfterError('(add --help for usage)');
  // Subcommands made with .command() inherit the settings above, so configure first.
  registerManifestCommands(program, { ...deps, setExitCode });
  registerAuditCommands(program, { ...deps, setExitCode });
  registerReplayCommand(program, { ...deps, setExitCode });
  registerCalibrateCommand(program, { ...deps, setExitCode });
  registerCheckCommand(program, { ...deps, setExitCode });
  registerKeysCommands(program, { ...deps, setExitCode });
  registerPauseCommands(program, { ...deps, setExitCode });
  registerProbationCommands(program, { ...deps, setExitCode });
  return program;
}

/** Runs one command line (without `node` and the script) and returns its exit code. */
export async function runCli(argv: readonly string[], deps: CliDeps): Promise<ExitCode> {
  let exitCode: ExitCode = ExitCode.ok;
  const program = buildProgram(deps, (code) => {
    exitCode = code;
  });
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return exitCode;
  } catch (error) {
    if (error instanceof CliFailure) {
      deps.io.err(`hitl: ${error.message}\n`);
      return error.exitCode;
    }
    // Commander has already printed its message (or the help it was asked for).
    if (error instanceof CommanderError) return error.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
    throw error;
  }
}
