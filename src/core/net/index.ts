export { guardAgent, guardedAgent } from './guarded-agent.js';
