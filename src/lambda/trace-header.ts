/** Where the Lambda runtime keeps the invocation's trace header when invocations may run concurrently. */
interface LambdaGlobal {
  awslambda?: { InvokeStore?: { getXRayTraceId?: () => unknown } };
}

/**
 * The current invocation's `X-Amzn-Trace-Id`: the one the Lambda service made for this
 * invocation, naming the function's segment as `Parent`. The runtime's invoke store comes
 * first (it is per invocation when one environment runs several at once, where the
 * `_X_AMZN_TRACE_ID` variable cannot be), then the variable. Read from the global the runtime
 * publishes rather than by importing `@aws/lambda-invoke-store`, which only exists on Lambda.
 */
export function invocationTraceHeader(): string | undefined {
  try {
    const fromStore = (globalThis as LambdaGlobal).awslambda?.InvokeStore?.getXRayTraceId?.();
    if (typeof fromStore === 'string' && fromStore !== '') return fromStore;
  } catch {
    // an invoke store outside an invocation may throw: fall back to the variable
  }
  const fromEnv = process.env._X_AMZN_TRACE_ID;
  return fromEnv === '' ? undefined : fromEnv;
}
