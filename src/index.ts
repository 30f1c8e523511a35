// The public API for embedding gossipd in a Node.js program.
export { createAgent, systemClock } from './agent/index.js';
export type {
  Agent,
  AgentApi,
  AgentDeps,
  Clock,
  JoinOutcome,
  JoinRefusal,
  ConfigSummary,
  HealthView,
  KeyMemberResult,
  KeyOpOutcome,
  KeyOpRefusalReason,
  KeyOpReport,
  KeyView,
  MemberView,
  SelfView,
} from './agent/index.js';
export { MEMBERSHIP_EVENT_TYPES } from './agent/membership-event.js';
export type { MembershipEvent, MembershipEventType } from './agent/membership-event.js';
export type { EventFeed, EventGap, FeedItem, FeedListener, Subscription } from './agent/event-log.js';
export type { EventHandler, HookEventName } from './config/event-handlers.js';
export { generateKey } from './crypto/keys.js';
export type { PacketDropReason } from './crypto/keyring.js';
export { resolveConfig, configSummary } from './config.js';
export type { AgentConfig, ConfigResult, ConfigSources, LogLevel } from './config.js';
export { GossipNode, PROFILES, PROFILE_NAMES, seededRandom } from './protocol/index.js';
export type {
  Address,
  Incarnation,
  MemberSnapshot,
  MemberStatus,
  Message,
  Datagram,
  Effects,
  JoinEffects,
  NodeDeps,
  NodeEvent,
  NodeView,
  NodeIdentity,
  NodeName,
  ProfileName,
  ProtocolOptions,
  Random,
  Tags,
} from './protocol/index.js';
export { createCodec, messageSize, PACKET_OVERHEAD_BYTES } from './codec/index.js';
export type { Codec, DecodeResult, DropReason } from './codec/index.js';
export { Simulation } from './sim/simulation.js';
export type { SimulationOptions } from './sim/simulation.js';
