/**
 * The Jupyter messaging protocol's shapes (version 5.4), as the kernel sees them.
 *
 * @since 0.1.0
 * @module
 */

/** The protocol version this kernel speaks. @since 0.1.0 */
export const PROTOCOL_VERSION = '5.4';

/** The five ZeroMQ channels of a kernel. @since 0.1.0 */
export type Channel = 'shell' | 'control' | 'iopub' | 'stdin' | 'hb';

/** A JSON object as it travels on the wire. @since 0.1.0 */
export type JsonObject = { readonly [key: string]: unknown };

/** A message header. @since 0.1.0 */
export interface Header {
  readonly msg_id: string;
  readonly session: string;
  readonly username: string;
  readonly date: string;
  readonly msg_type: string;
  readonly version: string;
}

/**
 * One Jupyter message, decoded. `identities` are the ZeroMQ routing prefix (the topic on IOPub);
 * `parent_header` is `{}` when there is no parent.
 *
 * @since 0.1.0
 */
export interface Message<C extends JsonObject = JsonObject> {
  readonly identities: readonly Buffer[];
  readonly header: Header;
  readonly parent_header: Header | JsonObject;
  readonly metadata: JsonObject;
  readonly content: C;
  readonly buffers: readonly Buffer[];
}

/** The delimiter between identities and the signed part of a message. @since 0.1.0 */
export const DELIMITER = '<IDS|MSG>';
