// `npm run build` step for the back office SPA: builds src/admin into dist/admin with Vite, and
// skips the build when nothing it depends on changed (a SHA-256 of src/admin, codegen.yml's output
// and package-lock.json is kept in dist/admin/.build-hash). Plain JavaScript: it runs before and
// without the server's TypeScript.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const adminDir = join(root, 'src/admin');
const outDir = join(root, 'dist/admin');
const hashFile = join(outDir, '.build-hash');

function files(dir) {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const path = join(dir, name);
      return statSync(path).isDirectory() ? files(path) : [path];
    });
}

const hash = createHash('sha256');
for (const file of [...files(adminDir), join(root, 'package-lock.json')]) {
  hash.update(relative(root, file)).update('\0').update(readFileSync(file)).update('\0');
}
const digest = hash.digest('hex');

if (!process.argv.includes('--force') && existsSync(hashFile) && existsSync(join(outDir, 'index.html')) && readFileSync(hashFile, 'utf8') === digest) {
  if (!process.argv.includes('--quiet')) console.log('back office: unchanged, build skipped (dist/admin)');
} else {
  // Always a production bundle (no Vue dev warnings), whatever NODE_ENV the caller has (jest sets test).
  process.env.NODE_ENV = 'production';
  const { build } = await import('vite');
  const started = Date.now();
  await build({ configFile: join(adminDir, 'vite.config.ts'), logLevel: 'warn' });
  writeFileSync(hashFile, digest);
  console.log(`back office: built into dist/admin in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}
