// No function over ~120 lines without a comment saying why (issue 16): every named function of
// src/ longer than 120 lines carries a comment right above it that says it is long and why
// ("Long by design: ..."). Callbacks inside a function count as part of it. Splitting is the other
// way to pass.
import ts from 'typescript';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const MAX_LINES = 120;
/** Functions whose owner is still splitting them; none now. */
const PENDING = new Set<string>();

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return e.name === 'admin' ? [] : sourceFiles(p);
    return p.endsWith('.ts') && !p.endsWith('.d.ts') ? [p] : [];
  });
}

function longUncommented(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const src = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const found: string[] = [];
  const lines = (n: ts.Node) => src.getLineAndCharacterOfPosition(n.getEnd()).line - src.getLineAndCharacterOfPosition(n.getStart()).line + 1;
  const explained = (n: ts.Node) => (ts.getLeadingCommentRanges(text, n.getFullStart()) ?? []).some((r) => /\blong\b/i.test(text.slice(r.pos, r.end)));
  const visit = (n: ts.Node) => {
    let name: string | undefined;
    let commented: ts.Node | undefined;
    if ((ts.isFunctionDeclaration(n) || ts.isMethodDeclaration(n)) && n.body) {
      name = n.name?.getText(src);
      commented = n;
    } else if (ts.isVariableStatement(n)) {
      const init = n.declarationList.declarations[0]?.initializer;
      if (init && (ts.isArrowFunction(init) || ts.isFunctionExpression(init))) {
        name = n.declarationList.declarations[0]!.name.getText(src);
        commented = n;
      }
    }
    if (name && commented && lines(commented) > MAX_LINES && !explained(commented) && !PENDING.has(`${file}:${name}`)) {
      found.push(`${file}:${src.getLineAndCharacterOfPosition(commented.getStart()).line + 1} ${name} (${lines(commented)} lines)`);
    }
    ts.forEachChild(n, visit);
  };
  visit(src);
  return found;
}

test(`every function of src/ over ${MAX_LINES} lines says why it is long`, () => {
  expect(sourceFiles('src').flatMap(longUncommented)).toEqual([]);
});
