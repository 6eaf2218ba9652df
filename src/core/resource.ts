import { type Resource, defaultResource, envDetector, detectResources, resourceFromAttributes } from '@opentelemetry/resources';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { ResolvedOptions } from './options.js';

/** The `name` of the app's package.json, looked up from the main script's folder, else the working directory. */
export function appPackageName(): string | undefined {
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

/**
 * service.name and the rest of the resource. Precedence, highest first: the `serviceName`
 * option or OTEL_SERVICE_NAME, `resourceAttributes`, OTEL_RESOURCE_ATTRIBUTES, the app's
 * package.json name, the SDK's defaults.
 */
export function createResource(options: ResolvedOptions): Resource {
  const packageName = appPackageName();
  let resource = defaultResource();
  if (packageName !== undefined) resource = resource.merge(resourceFromAttributes({ 'service.name': packageName }));
  resource = resource.merge(detectResources({ detectors: [envDetector] }));
  resource = resource.merge(resourceFromAttributes(options.resourceAttributes));
  if (options.serviceName !== undefined) resource = resource.merge(resourceFromAttributes({ 'service.name': options.serviceName }));
  return resource;
}
