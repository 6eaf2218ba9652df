import type { Resource } from '@opentelemetry/resources';
import { nonEmptyString } from '../common/index.js';
import { xrayOrigin } from '../xray/origins.js';

/** What a rule's ServiceName and ServiceType are matched against, the type possibly still being detected. */
export interface ServiceOfResource {
  name: string | undefined;
  type: string | undefined | Promise<string | undefined>;
}

/** The first settled `service.name`: the value `resource.attributes` gives (the AWS detectors never set it). */
function settledServiceName(resource: Resource): string | undefined {
  for (const [key, value] of resource.getRawAttributes()) {
    if (key === 'service.name' && typeof value === 'string') return nonEmptyString(value);
  }
  return undefined;
}

/**
 * `service.name` and the X-Ray origin (`AWS::ECS::Fargate`, …) of the resource. The AWS
 * detectors that ask a metadata endpoint (ECS, EKS, EC2) give the platform asynchronously, so
 * the type is then a promise, read once they have settled; reading it at start-up would find
 * no platform and no ServiceType-scoped rule would ever match.
 */
export function serviceOfResource(resource: Resource): ServiceOfResource {
  if (resource.asyncAttributesPending !== true || resource.waitForAsyncAttributes === undefined) {
    const attributes = resource.attributes;
    return { name: nonEmptyString(attributes['service.name']), type: xrayOrigin(attributes) };
  }
  return {
    name: settledServiceName(resource),
    type: resource.waitForAsyncAttributes().then(() => xrayOrigin(resource.attributes)),
  };
}
