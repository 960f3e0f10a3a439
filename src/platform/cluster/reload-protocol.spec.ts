import { livenessWindows } from './node-registry';
import { parseReloadRequest, parseReloadResult, reloadTopic, shortDetail } from './reload-protocol';

describe('the reload protocol', () => {
  const result = {
    request: '3f1c2a9e-1111-4222-8333-944445555666',
    target: 'crl',
    node: 'a-node',
    host: 'gw-1',
    outcome: 'reloaded',
    detail: 'CRL 7 in force, 2 revoked',
    ms: 12.5,
  };

  it('names one topic per target', () => {
    expect(reloadTopic('contracts')).toBe('contracts.reload');
    expect(reloadTopic('crl')).toBe('crl.reload');
  });

  it('reads a request id, and nothing that could not be one', () => {
    expect(parseReloadRequest({ request: result.request })).toEqual({ request: result.request });
    expect(parseReloadRequest(null)).toBeUndefined();
    expect(parseReloadRequest({ request: 'x'.repeat(65) })).toBeUndefined();
    expect(parseReloadRequest({ request: 'a b' })).toBeUndefined();
  });

  it('reads a node’s answer, and nothing short of one', () => {
    expect(parseReloadResult(result)).toEqual(result);
    expect(parseReloadResult({ ...result, target: 'audit' })).toBeUndefined();
    expect(parseReloadResult({ ...result, ms: '12' })).toBeUndefined();
    const { detail: _detail, ...withoutDetail } = result;
    expect(parseReloadResult(withoutDetail)).toBeUndefined();
  });

  it('cuts a long detail so that the answer fits in a notice', () => {
    expect(shortDetail('short')).toBe('short');
    expect(shortDetail('x'.repeat(5_000))).toHaveLength(1_500);
  });
});

describe('livenessWindows', () => {
  it('counts a node live for three heartbeats, and removes it after ten times that or a minute', () => {
    expect(livenessWindows(2_000)).toEqual({ liveSeconds: 6, pruneSeconds: 60 });
    expect(livenessWindows(10_000)).toEqual({ liveSeconds: 30, pruneSeconds: 300 });
  });
});
