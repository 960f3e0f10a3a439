/**
 * What travels on the cluster bus: one PostgreSQL NOTIFY channel shared by
 * every node of a deployment (NOTIFY reaches the sessions listening on the
 * same database), each notice a small JSON object naming its topic and the
 * node that sent it. The gateway and the admin CLI both speak it.
 */
export const CLUSTER_CHANNEL = 'passerelle_cluster';

/** PostgreSQL refuses a NOTIFY payload of 8000 bytes or more; a notice stays well under it. */
export const MAX_NOTICE_BYTES = 7_000;

const TOPIC = /^[a-z][a-z0-9-]*(\.[a-z][a-z0-9-]*)*$/;
const SENDER = /^[A-Za-z0-9._:-]{1,100}$/;

export interface ClusterNotice {
  /** What it is about, e.g. `contracts.reload`. */
  topic: string;
  /** The node (or `cli:<id>`) that sent it. */
  from: string;
  payload: unknown;
}

export class NoticeTooLargeError extends Error {
  constructor(topic: string, bytes: number) {
    super(`the ${topic} notice is ${bytes} bytes; a notice holds at most ${MAX_NOTICE_BYTES}`);
    this.name = 'NoticeTooLargeError';
  }
}

/** The NOTIFY payload of a notice. Throws for a bad topic or a payload too large to send. */
export function encodeNotice(notice: ClusterNotice): string {
  if (!TOPIC.test(notice.topic) || notice.topic.length > 64) throw new Error(`not a notice topic: ${notice.topic}`);
  const text = JSON.stringify({ t: notice.topic, f: notice.from, p: notice.payload ?? null });
  const bytes = Buffer.byteLength(text);
  if (bytes > MAX_NOTICE_BYTES) throw new NoticeTooLargeError(notice.topic, bytes);
  return text;
}

/**
 * A notice read from the channel, or undefined when it is not one: anyone
 * with a login on the database may NOTIFY, so nothing read is trusted beyond
 * its shape, and a notice never carries anything a node would act on without
 * checking it itself (a reload re-reads the node's own sources).
 */
export function parseNotice(text: string): ClusterNotice | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const { t, f, p } = value as { t?: unknown; f?: unknown; p?: unknown };
  if (typeof t !== 'string' || t.length > 64 || !TOPIC.test(t)) return undefined;
  if (typeof f !== 'string' || !SENDER.test(f)) return undefined;
  return { topic: t, from: f, payload: p ?? null };
}
