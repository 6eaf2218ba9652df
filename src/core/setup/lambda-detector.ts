import type { DetectedResourceAttributes, ResourceDetector } from '@opentelemetry/resources';

/**
 * The Lambda resource: the same attributes as `awsLambdaDetector` of
 * `@opentelemetry/resource-detector-aws`, read from the runtime's environment variables,
 * without loading that package (it loads node:https at require time) on every cold start.
 */
export const lambdaDetector: ResourceDetector = {
  detect() {
    const env = process.env;
    if (!env.AWS_EXECUTION_ENV?.startsWith('AWS_Lambda_')) return {};
    const attributes: DetectedResourceAttributes = {
      'cloud.provider': 'aws',
      'cloud.platform': 'aws_lambda',
      'cloud.region': env.AWS_REGION,
      'faas.name': env.AWS_LAMBDA_FUNCTION_NAME,
      'faas.version': env.AWS_LAMBDA_FUNCTION_VERSION,
      'faas.max_memory': parseInt(env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE as string) * 1024 * 1024,
    };
    // Absent in SnapStart functions.
    if (env.AWS_LAMBDA_LOG_GROUP_NAME) attributes['aws.log.group.names'] = [env.AWS_LAMBDA_LOG_GROUP_NAME];
    if (env.AWS_LAMBDA_LOG_STREAM_NAME) attributes['faas.instance'] = env.AWS_LAMBDA_LOG_STREAM_NAME;
    return { attributes };
  },
};
