export type { AgentApi, ConfigSummary, HealthView, MemberView, SelfView } from './api.js';
export { createAgent } from './agent.js';
export type { Agent, AgentDeps } from './agent.js';
