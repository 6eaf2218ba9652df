// X-Ray rule patterns on their own: `*` any run, `?` one character, case ignored, and the time
// to decide grows with the input, never with its shape.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { compileWildcard } from '../dist/esm/core/sampling/wildcard.js';

/** What the patterns mean, as a RegExp: only for small inputs, where backtracking is harmless. */
function reference(pattern, text) {
  const source = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${source}$`, 'is').test(text);
}

describe('compileWildcard', () => {
  const cases = [
    ['*', 'anything', true],
    ['*', '', true],
    ['*', undefined, true],
    ['/health', '/health', true],
    ['/health', '/health/', false],
    ['/health', '/HEALTH', true],
    ['/health*', '/health', true],
    ['/health*', '/healthz/deep', true],
    ['/orders/?', '/orders/7', true],
    ['/orders/?', '/orders/', false],
    ['/orders/?', '/orders/77', false],
    ['*.example.com', 'api.example.com', true],
    ['*.example.com', 'api.example.org', false],
    ['*.example.com', 'API.Example.COM', true],
    ['a*b*c', 'abc', true],
    ['a*b*c', 'aXXbYYc', true],
    ['a*b*c', 'aXXcYYb', false],
    ['a**b', 'ab', true],
    ['*?', '', false],
    ['*?', 'x', true],
    ['?*?', 'x', false],
    ['', '', true],
    ['', 'x', false],
    ['a.b', 'aXb', false],
    ['(a|b)', '(a|b)', true],
    ['[x]+', '[X]+', true],
    ['GET', undefined, false],
    ['?', '\n', true],
    ['é*', 'É-vénement', true],
  ];
  for (const [pattern, text, expected] of cases) {
    it(`${JSON.stringify(pattern)} ${expected ? 'matches' : 'does not match'} ${JSON.stringify(text)}`, () => {
      assert.equal(compileWildcard(pattern)(text), expected);
    });
  }

  it('agrees with the RegExp meaning on small inputs', () => {
    const unit = fc.constantFrom('a', 'A', 'b', 'B', '/', '.', 'é', 'É', '\n', 'ß');
    const patternUnit = fc.oneof(unit, fc.constantFrom('*', '?'));
    fc.assert(
      fc.property(fc.string({ unit: patternUnit, maxLength: 8 }), fc.string({ unit, maxLength: 10 }), (pattern, text) => {
        assert.equal(compileWildcard(pattern)(text), reference(pattern, text), `${JSON.stringify(pattern)} on ${JSON.stringify(text)}`);
      }),
      { numRuns: 5000 },
    );
  });

  it('agrees with the RegExp meaning when the text is built to match', () => {
    // Random texts rarely match a random pattern: build texts from the pattern so both answers occur.
    const piece = fc.constantFrom('a', 'B', '/', 'é');
    const patternUnit = fc.oneof(piece, fc.constantFrom('*', '?'));
    fc.assert(
      fc.property(fc.array(fc.tuple(patternUnit, fc.string({ unit: piece, maxLength: 3 })), { maxLength: 6 }), fc.boolean(), (parts, flip) => {
        const pattern = parts.map(([unit]) => unit).join('');
        let text = parts.map(([unit, filler]) => (unit === '*' ? filler : unit === '?' ? filler.slice(0, 1) || 'x' : unit)).join('');
        if (flip) text = text.toUpperCase();
        assert.equal(compileWildcard(pattern)(text), reference(pattern, text), `${JSON.stringify(pattern)} on ${JSON.stringify(text)}`);
      }),
      { numRuns: 3000 },
    );
  });

  it('decides adversarial inputs by scanning, not backtracking', () => {
    // Each call costs at most text length × pattern length steps; a RegExp takes seconds on these.
    const slashes = `/v1/${'/'.repeat(3000)}`;
    assert.equal(compileWildcard('/v1/*/*/*/export')(slashes), false);
    assert.equal(compileWildcard('*a*a*a*a*a*a*b')('a'.repeat(61)), false);
    assert.equal(compileWildcard('*a*a*a*a*a*a*b')(`${'a'.repeat(61)}b`), true);
    const started = performance.now();
    for (let i = 0; i < 20; i += 1) compileWildcard('/v1/*/*/*/export')(slashes);
    // Generous: 20 scans of 3,000 characters take well under 50 ms; the RegExp took seconds per call.
    assert.ok(performance.now() - started < 1000, 'decided 20 adversarial paths within a second');
  });
});
