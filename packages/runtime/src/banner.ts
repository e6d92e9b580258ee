/**
 * The session banner: where the data comes from and a first query to try. Plain data plus the
 * lines the REPL and kernel print, so every app says the same thing.
 *
 * @module
 */
import type { EmbeddedSandbox, SessionInfo } from './session.js';

/** What an app tells the user when a session opens. */
export interface SessionBanner {
  /** `sandbox` or the profile name. */
  readonly profileName: string;
  /** Whether the data is the embedded sandbox's generated sample data. */
  readonly sampleData: boolean;
  /** The institution queried. */
  readonly institutionId: string;
  /** The API's base URL. */
  readonly baseUrl: string;
  /** The sandbox's data range (sample data only). */
  readonly dataRange?: { readonly start: string; readonly end: string };
  /** A first query that returns rows on this profile. */
  readonly suggestion: string;
  /** The banner as lines of text (no colour). */
  readonly lines: readonly string[];
}

const day = (iso: string) => iso.slice(0, 10);

/** Builds the banner of a session (exported for tests and other apps). */
export function bannerFor(info: SessionInfo, sandbox: EmbeddedSandbox | undefined): SessionBanner {
  const suggestion = 'type:login since 7d | count by channel';
  if (sandbox) {
    const lines = [
      `Connected to the embedded sandbox (profile ${info.profileName}), institution ${sandbox.institutionId}.`,
      `Sample data from ${day(sandbox.dataRange.start)} to ${day(sandbox.dataRange.end)} — generated, not real customers.`,
      `Try: ${suggestion}`,
    ];
    return {
      profileName: info.profileName,
      sampleData: true,
      institutionId: sandbox.institutionId,
      baseUrl: info.baseUrl,
      dataRange: { start: sandbox.dataRange.start, end: sandbox.dataRange.end },
      suggestion,
      lines,
    };
  }
  return {
    profileName: info.profileName,
    sampleData: false,
    institutionId: info.institutionId,
    baseUrl: info.baseUrl,
    suggestion,
    lines: [
      `Connected to ${info.baseUrl} (profile ${info.profileName}), institution ${info.institutionId}.`,
      `Try: ${suggestion}`,
    ],
  };
}
