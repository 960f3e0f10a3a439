import { reconnectDelay, RECONNECT_BASE_MS, RECONNECT_MAX_MS } from './backoff';
import { encodeNotice, MAX_NOTICE_BYTES, NoticeTooLargeError, parseNotice } from './notice';

describe('cluster notices', () => {
  it('round-trips a notice', () => {
    const notice = { topic: 'contracts.reload', from: 'cli:1234', payload: { request: 'r1' } };
    expect(parseNotice(encodeNotice(notice))).toEqual(notice);
  });

  it('stands for a missing payload with null', () => {
    expect(parseNotice(encodeNotice({ topic: 'cluster.nodes', from: 'n1', payload: undefined }))).toEqual({
      topic: 'cluster.nodes',
      from: 'n1',
      payload: null,
    });
  });

  it('refuses to send a payload PostgreSQL would refuse', () => {
    const payload = 'x'.repeat(MAX_NOTICE_BYTES);
    expect(() => encodeNotice({ topic: 'crl.reload', from: 'n1', payload })).toThrow(NoticeTooLargeError);
  });

  it('refuses to send under a topic that is not one', () => {
    expect(() => encodeNotice({ topic: 'Contracts Reload', from: 'n1', payload: null })).toThrow(/topic/);
  });

  it.each([
    ['not JSON', '{'],
    ['an array', '[]'],
    ['a string', '"contracts.reload"'],
    ['no topic', JSON.stringify({ f: 'n1', p: null })],
    ['a bad topic', JSON.stringify({ t: 'contracts..reload', f: 'n1' })],
    ['a topic too long', JSON.stringify({ t: `a${'.b'.repeat(40)}`, f: 'n1' })],
    ['no sender', JSON.stringify({ t: 'crl.reload' })],
    ['a sender with spaces', JSON.stringify({ t: 'crl.reload', f: 'node 1' })],
  ])('ignores what is not a notice: %s', (_, text) => {
    expect(parseNotice(text)).toBeUndefined();
  });
});

describe('reconnectDelay', () => {
  it('starts near the base and doubles', () => {
    expect(reconnectDelay(0, 1)).toBe(RECONNECT_BASE_MS);
    expect(reconnectDelay(1, 1)).toBe(2 * RECONNECT_BASE_MS);
    expect(reconnectDelay(2, 1)).toBe(4 * RECONNECT_BASE_MS);
  });

  it('never waits longer than the cap, nor less than half of it once there', () => {
    for (const attempt of [10, 30, 1_000]) {
      expect(reconnectDelay(attempt, 1)).toBe(RECONNECT_MAX_MS);
      expect(reconnectDelay(attempt, 0)).toBe(RECONNECT_MAX_MS / 2);
    }
  });

  it('jitters half of the wait', () => {
    expect(reconnectDelay(3, 0)).toBe(400);
    expect(reconnectDelay(3, 0.5)).toBe(600);
  });
});
