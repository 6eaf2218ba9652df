/*
 * aws-xray-sdk calls this module does not offer. Each fails loudly, naming the call and what
 * to use instead, rather than leaving the app silently untraced.
 */

const REPLACEMENTS = {
  captureAWS: 'AWS SDK v2 is not traced: move to AWS SDK v3 and wrap each client with captureAWSv3Client(client) (traceAwsClient from otel-xray/aws-sdk)',
  captureAWSClient: 'AWS SDK v2 clients are not traced: move to AWS SDK v3 and use captureAWSv3Client(client) (traceAwsClient from otel-xray/aws-sdk)',
  captureMySQL:
    'use the OpenTelemetry instrumentation for your driver (@opentelemetry/instrumentation-mysql2 or -mysql); otel-xray exports its spans as sql subsegments',
  capturePostgres: 'use @opentelemetry/instrumentation-pg; otel-xray exports its spans as sql subsegments',
  captureMongoose: 'use @opentelemetry/instrumentation-mongoose; otel-xray exports its spans as subsegments',
} as const;

export type UnsupportedCall = keyof typeof REPLACEMENTS;

/** The message an unsupported call throws with. */
export function unsupportedMessage(call: UnsupportedCall): string {
  return `otel-xray/aws-xray-sdk: ${call}() is not supported: ${REPLACEMENTS[call]}`;
}

function unsupported(call: UnsupportedCall): () => never {
  return {
    [call]() {
      throw new Error(unsupportedMessage(call));
    },
  }[call] as () => never;
}

export const captureAWS = unsupported('captureAWS');
export const captureAWSClient = unsupported('captureAWSClient');
export const captureMySQL = unsupported('captureMySQL');
export const capturePostgres = unsupported('capturePostgres');
export const captureMongoose = unsupported('captureMongoose');
