/**
 * `@baql/runtime`: what every baql app needs to start — a session on the current profile, with
 * the embedded sandbox started in-process when the profile is `sandbox`.
 *
 * @module
 */
export { openPlanningSession, openSession } from './session.js';
export type {
  EmbeddedSandbox,
  OpenSessionOptions,
  PlanningSession,
  Session,
  SessionInfo,
} from './session.js';
export { bannerFor } from './banner.js';
export type { SessionBanner } from './banner.js';
