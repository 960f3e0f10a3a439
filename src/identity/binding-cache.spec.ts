import { BindingCache } from './binding-cache';
import type { CertificateBinding } from './client-certificate.decision';

const binding = (status: string): CertificateBinding => ({
  organisationId: 'mess',
  status: status as CertificateBinding['status'],
  sector: 'solidarity',
  identifiers: 'sector',
});

describe('BindingCache', () => {
  it('answers nothing until it is trusted, and keeps nothing read meanwhile', () => {
    const cache = new BindingCache();
    cache.store('fp', binding('active'), cache.mark());
    cache.trustWhile(() => true);
    expect(cache.get('fp')).toBeUndefined();
  });

  it('keeps what was read, bound or not, while trusted', () => {
    const cache = new BindingCache();
    cache.trustWhile(() => true);
    cache.store('fp', binding('active'), cache.mark());
    cache.store('other', null, cache.mark());
    expect(cache.get('fp')).toEqual(binding('active'));
    expect(cache.get('other')).toBeNull();
  });

  it('stops answering as soon as it is no longer trusted (the bus lost)', () => {
    let connected = true;
    const cache = new BindingCache();
    cache.trustWhile(() => connected);
    cache.store('fp', binding('active'), cache.mark());
    connected = false;
    expect(cache.get('fp')).toBeUndefined();
  });

  it('forgets everything on a notice, and drops a read that started before it', () => {
    const cache = new BindingCache();
    cache.trustWhile(() => true);
    cache.store('fp', binding('active'), cache.mark());
    const before = cache.mark();
    expect(cache.forget()).toBe(1);
    // The read began before the suspension was announced: it may hold the old status.
    cache.store('fp', binding('active'), before);
    expect(cache.get('fp')).toBeUndefined();
    cache.store('fp', binding('suspended'), cache.mark());
    expect(cache.get('fp')).toEqual(binding('suspended'));
  });

  it('starts over when full rather than growing without bound', () => {
    const cache = new BindingCache(2);
    cache.trustWhile(() => true);
    for (const fp of ['a', 'b', 'c']) cache.store(fp, null, cache.mark());
    expect(cache.get('a')).toBeUndefined();
    expect(cache.get('c')).toBeNull();
  });
});
