/**
 * @module otel-xray/aws-xray-sdk
 * aws-xray-sdk's API on OpenTelemetry spans: an app written against aws-xray-sdk changes its
 * import (`require('aws-xray-sdk')` → `require('otel-xray/aws-xray-sdk')`) and keeps its code.
 * Calls this module does not offer throw, naming what to use instead.
 */
import * as api from './api.js';

export * from './api.js';

/** The default export (`import AWSXRay from 'otel-xray/aws-xray-sdk'`): the same calls as the named exports. */
const AWSXRay = { ...api };

export default AWSXRay;
