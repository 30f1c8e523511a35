export type {
  AgentApi,
  ConfigSummary,
  HealthView,
  JoinOutcome,
  JoinRefusal,
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
export type { Clock } from './clock.js';
export { systemClock } from './clock.js';
