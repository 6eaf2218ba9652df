export { PREFIX, describeValue, errorMessage, errorType, invalidOption } from './errors.js';
export { rejectUnknownKeys } from './unknown-option.js';
export { nonEmptyString, stringValue } from './values.js';
