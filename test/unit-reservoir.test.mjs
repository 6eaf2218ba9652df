// X-Ray's reservoir on its own: a number of decisions per wall-clock second, counted per epoch
// second, on an explicit clock.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Reservoir } from '../dist/esm/core/sampling/reservoir.js';

const SECOND = 1_800_000_000_000;

describe('Reservoir', () => {
  it('takes up to perSecond slots in one second, then refuses', () => {
    const reservoir = new Reservoir(3);
    const taken = Array.from({ length: 5 }, (_, i) => reservoir.take(SECOND + i * 100));
    assert.deepEqual(taken, [true, true, true, false, false]);
  });

  it('starts afresh at the next epoch second, not 1000 ms after the first take', () => {
    const reservoir = new Reservoir(1);
    assert.equal(reservoir.take(SECOND + 900), true);
    assert.equal(reservoir.take(SECOND + 999), false);
    assert.equal(reservoir.take(SECOND + 1000), true, 'a new second has begun');
    assert.equal(reservoir.take(SECOND + 1500), false);
  });

  it('a skipped second leaves nothing owed or carried over', () => {
    const reservoir = new Reservoir(2);
    assert.equal(reservoir.take(SECOND), true);
    assert.equal(reservoir.take(SECOND + 5000), true);
    assert.equal(reservoir.take(SECOND + 5001), true);
    assert.equal(reservoir.take(SECOND + 5002), false);
  });

  it('a clock that steps back counts that second afresh', () => {
    const reservoir = new Reservoir(1);
    assert.equal(reservoir.take(SECOND + 2000), true);
    assert.equal(reservoir.take(SECOND), true);
    assert.equal(reservoir.take(SECOND + 10), false);
  });

  it('0 per second takes nothing', () => {
    const reservoir = new Reservoir(0);
    assert.equal(reservoir.take(SECOND), false);
    assert.equal(reservoir.take(SECOND + 1000), false);
  });

  it('reads Date.now() when no time is given', () => {
    const reservoir = new Reservoir(1);
    assert.equal(reservoir.take(), true);
    assert.equal(reservoir.perSecond, 1);
  });
});
