// Secrets are compared in constant time. An `===` between a secret the client sent and the one
// the server holds returns as soon as a character differs, so response times leak how much of a
// guess was right. Cairn compares secrets in one of two ways only:
// - crypto.timingSafeEqual over equal-length digests (passwords: scrypt output; the shared-secret
//   registration MAC; appservice tokens);
// - looking up a SHA-256 hash of the presented value (access, refresh and registration tokens),
//   so what the database compares is unrelated to how close a guess was.
// This test reads every source file of the server with the TypeScript parser and fails on an
// equality operator with an operand named like a secret, and checks the places that must use
// timingSafeEqual still do.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import ts from 'typescript';
import { REPO_ROOT } from '../support/cairn-process.ts';

// Signatures are not in the list: they are published, and comparing them leaks nothing.
const SECRET_NAME = /(secret|password|passwd|mac|token|seed|privatekey)$/i;
// Names that match the pattern but hold no secret: flags, kinds and public values.
const NOT_SECRET = new Set(['refresh_token', 'inhibit_login', 'nextToken', 'prevToken', 'since']);

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter(
      (entry) => entry.isFile() && entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts'),
    )
    .map((entry) => join(entry.parentPath, entry.name));
}

function nameOf(node: ts.Expression): string | undefined {
  if (ts.isIdentifier(node)) return node.text;
  if (ts.isPropertyAccessExpression(node)) return node.name.text;
  if (ts.isElementAccessExpression(node) && ts.isStringLiteral(node.argumentExpression)) {
    return node.argumentExpression.text;
  }
  return undefined;
}

/** A comparison with a literal, undefined, null or a type test says nothing about the value. */
function isHarmless(node: ts.Expression): boolean {
  return (
    ts.isLiteralExpression(node) ||
    ts.isNoSubstitutionTemplateLiteral(node) ||
    node.kind === ts.SyntaxKind.NullKeyword ||
    node.kind === ts.SyntaxKind.TrueKeyword ||
    node.kind === ts.SyntaxKind.FalseKeyword ||
    (ts.isIdentifier(node) && node.text === 'undefined') ||
    ts.isTypeOfExpression(node)
  );
}

const EQUALITY = new Set([
  ts.SyntaxKind.EqualsEqualsEqualsToken,
  ts.SyntaxKind.ExclamationEqualsEqualsToken,
  ts.SyntaxKind.EqualsEqualsToken,
  ts.SyntaxKind.ExclamationEqualsToken,
]);

function secretComparisons(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const found: string[] = [];
  const visit = (node: ts.Node) => {
    if (ts.isBinaryExpression(node) && EQUALITY.has(node.operatorToken.kind)) {
      const sides = [node.left, node.right];
      if (!sides.some(isHarmless)) {
        const secretSide = sides.some((side) => {
          const name = nameOf(side);
          return name !== undefined && SECRET_NAME.test(name) && !NOT_SECRET.has(name);
        });
        if (secretSide) {
          const { line } = source.getLineAndCharacterOfPosition(node.getStart());
          found.push(`${relative(REPO_ROOT, file)}:${line + 1}: ${node.getText()}`);
        }
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

test('no secret is compared with an equality operator', () => {
  const files = ['server', 'federation'].flatMap((dir) => sourceFiles(join(REPO_ROOT, dir)));
  assert.ok(files.length > 300, `read ${files.length} files`);
  const found = files.flatMap(secretComparisons);
  assert.deepEqual(found, [], `compare secrets with timingSafeEqual:\n${found.join('\n')}`);
});

test('the scan finds a secret compared with ===', () => {
  const probe = join(REPO_ROOT, 'conformance-tests', 'security', 'secret-comparisons.test.ts');
  // This very file holds an example, so the scan is shown to catch one.
  const example = (given: string, registrationSecret: string) => given === registrationSecret;
  assert.equal(example('a', 'b'), false);
  assert.equal(secretComparisons(probe).length, 1);
});

test('the secret checks use timingSafeEqual', () => {
  for (const file of [
    'server/accounts/password-hash.ts',
    'server/accounts/shared-secret-mac.ts',
    'server/appservices/app-services.ts',
  ]) {
    assert.match(readFileSync(join(REPO_ROOT, file), 'utf8'), /timingSafeEqual\(/, file);
  }
  // Access, refresh and registration tokens are found by their SHA-256 hash, never by the token.
  for (const file of [
    'server/storage/access-tokens.ts',
    'server/storage/refresh-tokens.ts',
    'server/storage/registration-tokens.ts',
  ]) {
    const text = readFileSync(join(REPO_ROOT, file), 'utf8');
    assert.match(text, /token_hash/, file);
    assert.doesNotMatch(text, /where\('token',/, file);
  }
});
