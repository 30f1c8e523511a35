export type {
  AgentApi,
  ConfigSummary,
  HealthView,
  KeyMemberResult,
  KeyOpOutcome,
  KeyOpRefusalReason,
  KeyOpReport,
  KeyView,
  MemberView,
  SelfView,
} from './api.js';
export { createAgent } from './agent.js';
export type { Agent, AgentDeps, AgentDropReason } from './agent.js';
export type { ReceiveLimits } from './receive-limiter.js';
