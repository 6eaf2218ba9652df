export { PREFIX, describeValue, errorMessage, errorType, invalidOption } from './errors.js';
export { nonEmptyString, stringValue } from './values.js';
