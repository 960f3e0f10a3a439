import { hasMalformedEscape } from './percent-encoding';

describe('hasMalformedEscape', () => {
  it.each([
    ['no escape at all', 'org=afe&limit=10'],
    ['an empty query', ''],
    ['escaped reserved characters', 'org=a%26b&q=%3D%25'],
    ['a complete three-byte UTF-8 escape', 'x=%E0%A4%A4'],
    ['an escaped space and a plus', 'q=a%20b+c'],
    ['lower-case hex', 'q=%c3%a9'],
  ])('accepts %s', (_name, text) => {
    expect(hasMalformedEscape(text)).toBe(false);
  });

  it.each([
    ['a percent and no hex', 'org=%zz'],
    ['a cut multi-byte escape', 'x=%E0%A4%A'],
    ['a lone lead byte', 'x=%E0'],
    ['a continuation byte alone', 'x=%A4'],
    ['a percent at the very end', 'x=1%'],
    ['a malformed escape in a name', '%zz=1'],
    ['a UTF-8 sequence split by a separator', 'x=%E0&%A4%A4'],
    ['an encoded surrogate half', 'x=%ED%A0%80'],
  ])('refuses %s', (_name, text) => {
    expect(hasMalformedEscape(text)).toBe(true);
  });
});
