import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { generateSigningKey, parseJwks, publicJwkOf } from '@hitl/contracts';
import { Command } from 'commander';
import { CliContext, CliFailure, ExitCode, readInputFile, writeLines } from '../cli-context';
import { appendToJwks, describeJwks, formatJwks, keyFileNames, parseKeyName, parseKid, privateKeyText } from './keys';

interface GenerateOptions {
  name: string;
  out: string;
  kid?: string;
  force?: boolean;
}

/** `hitl keys generate | show`: Ed25519 signing keys for a service, an agent or a labeler. */
export function registerKeysCommands(program: Command, ctx: CliContext): void {
  const group = program.command('keys').description('Ed25519 keys that sign events: make one, list a published key set');

  group
    .command('generate')
    .description(
      'write <name>.key.pem (private, mode 0600; <name>.key.json, a private JWK, with --kid) and add its public key to <name>.jwks.json (rotation: the old keys stay trusted until removed by hand)',
    )
    .requiredOption('--name <name>', 'whose key: router, escalation, or an agent or labeler id', parseKeyName)
    .option('--out <dir>', 'the folder of both files (made if missing)', '.')
    .option('--kid <kid>', 'the key id signed events name (default: the RFC 7638 thumbprint); the private key is then a JWK that holds it', parseKid)
    .option('--force', 'replace an existing private key (its public key stays in the key set)')
    .action((options: GenerateOptions) => generate(ctx, options));

  group
    .command('show')
    .description('list the keys of a JWKS file: kid and public value')
    .argument('<jwks>', 'a JWKS file (a *.jwks.json, or what GET /keys of a service answers)')
    .action((file: string) => {
      let jwks;
      try {
        jwks = parseJwks(JSON.parse(readInputFile(ctx, file, 'key set')));
      } catch (error) {
        if (error instanceof CliFailure) throw error;
        writeLines(ctx.io.err, [`invalid key set ${file}: ${(error as Error).message}`]);
        ctx.setExitCode(ExitCode.invalid);
        return;
      }
      writeLines(ctx.io.out, describeJwks(jwks));
    });
}

function generate(ctx: CliContext, options: GenerateOptions): void {
  const files = keyFileNames(options.name, options.kid !== undefined);
  const keyPath = join(options.out, files.privateKey);
  const jwksPath = join(options.out, files.jwks);
  // Every refusal before anything is written: never a new private key without its public half published.
  // Either form of a private key of this name counts: a second one beside it would be a rotation nobody asked for.
  const existingKey = [keyFileNames(options.name, false).privateKey, keyFileNames(options.name, true).privateKey]
    .map((f) => join(options.out, f))
    .find((f) => existsSync(f));
  if (existingKey && !options.force)
    throw new CliFailure(ExitCode.usage, `${existingKey} exists: keep it, or give --force to replace it (its public key stays in ${jwksPath})`);
  const generated = generateSigningKey();
  const jwk = options.kid ? publicJwkOf(generated.key.privateKey, options.kid) : generated.jwk;
  let existing: string | undefined;
  try {
    existing = existsSync(jwksPath) ? readFileSync(jwksPath, 'utf8') : undefined;
  } catch (error) {
    throw new CliFailure(ExitCode.usage, `cannot read key set ${jwksPath}: ${(error as Error).message}`);
  }
  let jwks;
  try {
    jwks = appendToJwks(existing, jwk);
  } catch (error) {
    throw new CliFailure(ExitCode.usage, `key set ${jwksPath}: ${(error as Error).message}`);
  }
  try {
    mkdirSync(options.out, { recursive: true, mode: 0o700 });
    // 'wx' refuses a file that appeared meanwhile; with --force, chmod too: mode applies only to new files.
    writeFileSync(keyPath, privateKeyText(generated.key.privateKey, generated.pem, options.kid), { mode: 0o600, flag: options.force ? 'w' : 'wx' });
    chmodSync(keyPath, 0o600);
    // The key set through a temp file and a rename: a service reading it never sees half of it.
    const temp = `${jwksPath}.${process.pid}.tmp`;
    writeFileSync(temp, formatJwks(jwks), { mode: 0o644 });
    renameSync(temp, jwksPath);
  } catch (error) {
    throw new CliFailure(ExitCode.usage, `cannot write the keys in ${options.out}: ${(error as Error).message}`);
  }
  writeLines(ctx.io.out, [
    `kid:         ${jwk.kid}`,
    `private key: ${resolve(keyPath)} (mode 0600: for the signer alone, never committed)`,
    `public keys: ${resolve(jwksPath)} (${jwks.keys.length} key${jwks.keys.length === 1 ? '' : 's'}${jwks.keys.length > 1 ? ': the older ones stay trusted until you remove them' : ''})`,
  ]);
}
