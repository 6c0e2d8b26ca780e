// Writes libs/contracts/generated/: `npm run contracts:export` (run by the build).
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { renderContractArtifacts } from './artifacts';

const out = join(__dirname, '..', 'generated');
rmSync(out, { recursive: true, force: true });
for (const [path, content] of renderContractArtifacts()) {
  mkdirSync(dirname(join(out, path)), { recursive: true });
  writeFileSync(join(out, path), content);
}
console.log(`contracts: wrote ${renderContractArtifacts().size} files to ${out}`);
