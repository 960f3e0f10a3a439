import { formOf, localPath } from './portal-http';

describe('portal HTTP helpers', () => {
  it('comes back only to a path of this site', () => {
    expect(localPath('/consents?x=1')).toBe('/consents?x=1');
    for (const hostile of [
      '//evil.example',
      '/\\evil.example',
      'https://evil.example/',
      'javascript:alert(1)',
      '/a b',
      7,
    ]) {
      expect(localPath(hostile)).toBe('/');
    }
  });

  it('keeps only the string fields of a form', () => {
    expect(formOf({ _csrf: 'x', n: 1, list: ['a'] })).toEqual({ _csrf: 'x' });
    expect(formOf(undefined)).toEqual({});
  });
});
