export { guardAgent, guardedAgent } from './guarded-agent.js';
export { MAX_RESPONSE_BYTES, type PostOptions, type PostResponse, ResponseTooLargeError, awsErrorType, post } from './post.js';
