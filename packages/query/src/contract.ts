/**
 * The Banking Activity API and Authentication API v2 contract, as TypeScript types.
 *
 * This is the one place the contract's shapes are declared (Candescent DI API 1.11.0,
 * `../shared/reference/candescent-activity-openapi.yaml`). The planner produces
 * {@link SearchCriteria}; the core decodes {@link SearchResponse}; the sandbox serves them.
 *
 * @since 0.1.0
 * @module
 */

/** Criteria of one {@link ServiceFilter} (`equals` is the API's default). @since 0.1.0 */
export type FilterCriteria =
  | 'equals'
  | 'notEqual'
  | 'like'
  | 'isPresent'
  | 'isNotPresent'
  | 'greaterThan'
  | 'lessThan'
  | 'greaterThanEqual'
  | 'lessThanEqual';

/** Every {@link FilterCriteria}, in the contract's order. @since 0.1.0 */
export const FILTER_CRITERIA: readonly FilterCriteria[] = [
  'equals',
  'notEqual',
  'like',
  'isPresent',
  'isNotPresent',
  'greaterThan',
  'lessThan',
  'greaterThanEqual',
  'lessThanEqual',
];

/** How filters are joined. @since 0.1.0 */
export type Condition = 'and' | 'or';

/** One attribute condition. `value` is ignored for `isPresent`/`isNotPresent`. @since 0.1.0 */
export interface ServiceFilter {
  readonly attributeId: string;
  readonly criteria: FilterCriteria;
  readonly value: string;
}

/** A group of filters joined by its own condition (which must differ from the top one). @since 0.1.0 */
export interface SubFilter {
  readonly condition: Condition;
  readonly filters: readonly ServiceFilter[];
}

/**
 * `additionalFilters` of a search: `condition` joins `filters` and every sub-filter.
 * `subFilter` (a single object) is the legacy spelling of `subFilters`.
 * @since 0.1.0
 */
export interface AdditionalFilters {
  readonly condition: Condition;
  readonly filters?: readonly ServiceFilter[];
  readonly subFilters?: readonly SubFilter[];
  readonly subFilter?: SubFilter;
}

/** `eventType` of a search (the API's default is `user`). @since 0.1.0 */
export type EventType = 'user' | 'system';
/** `userType` of a search (omitted: both). @since 0.1.0 */
export type UserType = 'retail' | 'business';
/** How `userId` is interpreted. @since 0.1.0 */
export type UserIdType = 'loginId' | 'memberId';

/** The body of `POST /v1/banking-activities`. @since 0.1.0 */
export interface SearchCriteria {
  readonly startTime: string;
  readonly endTime: string;
  readonly pageSize?: number;
  readonly eventIds?: readonly string[];
  readonly eventType?: EventType;
  readonly userType?: UserType;
  readonly userProduct?: string;
  readonly userId?: string;
  readonly userIdType?: UserIdType;
  readonly companyId?: string;
  readonly requestedAttributes?: readonly string[];
  readonly additionalFilters?: AdditionalFilters;
  readonly nextPageToken?: string;
}

/** One activity record: a flat map whose values are all strings. @since 0.1.0 */
export type BankingActivity = Readonly<Record<string, string>>;

/** A 200 answer of the search (a 204 with no body means no match). @since 0.1.0 */
export interface SearchResponse {
  readonly nextPageToken?: string;
  readonly count: number;
  readonly bankingActivities: readonly BankingActivity[];
}

/** Every error body of both APIs (`BAS_…` or `CMN_…` codes). @since 0.1.0 */
export interface ErrorResponse {
  readonly code: string;
  readonly message: string;
}

/** Grants of `POST /oauth2/v1/token`. @since 0.1.0 */
export type GrantType = 'client_credentials' | 'password' | 'authorization_code' | 'refresh_token';

/** The form body of a token request (client id/secret travel in the Basic header only). @since 0.1.0 */
export type AccessTokenRequest =
  | { readonly grant_type: 'client_credentials'; readonly scopes?: string }
  | {
      readonly grant_type: 'password';
      readonly username: string;
      readonly password: string;
      readonly scopes?: string;
    }
  | { readonly grant_type: 'authorization_code'; readonly code: string }
  | { readonly grant_type: 'refresh_token'; readonly refresh_token: string };

/** A token answer. `expires_in` is a string of seconds. @since 0.1.0 */
export interface AccessTokenResponse {
  readonly access_token: string;
  readonly expires_in: string;
  readonly token_type: string;
  readonly refresh_token?: string;
  readonly refresh_token_expires_in?: string;
  readonly id_token?: string;
}

/** The form body of `DELETE /oauth2/v1/revoke`. @since 0.1.0 */
export interface RevokeRequest {
  readonly token: string;
}

/** The scopes baql asks for by default. @since 0.1.0 */
export const DEFAULT_SCOPES: readonly string[] = ['banking-activities:read', 'account:read'];
