const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** True for a lower-case UUID, as the gateway makes them. Anything else cannot name a record: answer 404 without a query. */
export function isUuid(text: string): boolean {
  return UUID.test(text);
}
