import { type Resource, defaultResource, envDetector, detectResources, resourceFromAttributes } from '@opentelemetry/resources';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { awsDetectors } from './aws-detectors.js';
import type { ResolvedOptions } from './options.js';

/** The `name` of the app's package.json, looked up from the main script's folder, else the working directory. */
function appPackageName(): string | undefined {
  const start = process.argv[1] === undefined ? process.cwd() : dirname(resolve(process.argv[1]));
  for (let dir = start; ; dir = dirname(dir)) {
    try {
      const name: unknown = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).name;
      if (typeof name === 'string' && name !== '') return name;
    } catch {
      // no readable package.json here: keep walking up
    }
    if (dirname(dir) === dir) return undefined;
  }
}

const resources = new WeakMap<ResolvedOptions, Resource>();

/**
 * service.name and the rest of the resource. Precedence, highest first: the `serviceName`
 * option or OTEL_SERVICE_NAME, `resourceAttributes`, OTEL_RESOURCE_ATTRIBUTES, the AWS
 * detectors (see awsDetectors), the app's package.json name, the SDK's defaults.
 * Detectors that ask the network (ECS, EKS, EC2) give their attributes asynchronously: the
 * SDK waits for them before the first export, so no request waits for them.
 *
 * @example
 * new NodeTracerProvider({ resource: createResource(resolveOptions({ serviceName: 'orders' })) });
 */
export function createResource(options: ResolvedOptions): Resource {
  // The tracer provider and the X-Ray sampler both ask: detect once, so no metadata endpoint is called twice.
  let resource = resources.get(options);
  if (resource === undefined) {
    resource = detectResource(options);
    resources.set(options, resource);
  }
  return resource;
}

function detectResource(options: ResolvedOptions): Resource {
  const packageName = appPackageName();
  let resource = defaultResource();
  if (packageName !== undefined) resource = resource.merge(resourceFromAttributes({ 'service.name': packageName }));
  resource = resource.merge(detectResources({ detectors: [...awsDetectors(process.env), envDetector] }));
  resource = resource.merge(resourceFromAttributes(options.resourceAttributes));
  if (options.serviceName !== undefined) resource = resource.merge(resourceFromAttributes({ 'service.name': options.serviceName }));
  return resource;
}
