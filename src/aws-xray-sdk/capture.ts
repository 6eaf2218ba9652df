import { Entity, type Subsegment } from './entity.js';
import { resolveSegment, runInside } from './context.js';
import { getLogger } from './logger.js';

/*
 * captureFunc, captureAsyncFunc and captureCallbackFunc, with aws-xray-sdk's arguments and
 * behaviour: a subsegment of `parent` (manual mode) or of the current (sub)segment, active
 * while the function runs, so spans started inside nest under it.
 */

function validate(name: unknown, fn: unknown): void {
  let message: string | undefined;
  if (!name || typeof name !== 'string') message = 'Param "name" must be a non-empty string.';
  else if (typeof fn !== 'function') message = 'Param "fcn" must be a function.';
  if (message === undefined) return;
  getLogger().error(message);
  throw new Error(message);
}

/** An explicit parent wins in either mode (aws-xray-sdk only reads it in manual mode); else the current one. */
function parentOf(parent: Entity | undefined): Entity | undefined {
  return parent instanceof Entity ? parent : resolveSegment(parent);
}

/** Runs `fn(subsegment)` synchronously and closes the subsegment, with the error if `fn` throws. */
export function captureFunc<T>(name: string, fn: (subsegment?: Subsegment) => T, parent?: Entity): T {
  validate(name, fn);
  const base = parentOf(parent);
  if (base === undefined) {
    getLogger().warn('Failed to capture function.');
    return fn();
  }
  const subsegment = base.addNewSubsegment(name);
  try {
    const result = runInside(subsegment, () => fn(subsegment));
    subsegment.close();
    return result;
  } catch (error) {
    subsegment.close(error as Error);
    throw error;
  }
}

/** Runs `fn(subsegment)`; `fn` closes the subsegment when its work is done (a throw closes it with the error). */
export function captureAsyncFunc<T>(name: string, fn: (subsegment?: Subsegment) => T, parent?: Entity): T {
  validate(name, fn);
  const base = parentOf(parent);
  if (base === undefined) {
    getLogger().warn('Failed to capture async function.');
    return fn();
  }
  const subsegment = base.addNewSubsegment(name);
  try {
    return runInside(subsegment, () => fn(subsegment));
  } catch (error) {
    subsegment.close(error as Error);
    throw error;
  }
}

/** A callback that, when called, runs `fn` with its arguments inside a new subsegment, closed when `fn` returns. */
export function captureCallbackFunc<A extends unknown[], T>(name: string, fn: (...args: A) => T, parent?: Entity): (...args: A) => void {
  validate(name, fn);
  const base = parentOf(parent);
  if (base === undefined) {
    getLogger().warn('Failed to capture callback function.');
    return fn;
  }
  return function capturedCallback(...args: A): void {
    captureFunc(name, () => fn(...args), base);
  };
}
