import { escapeXml, findFault, isXmlText, parseSoapBody, SOAP_ENV_NS, soapEnvelope } from './soap-envelope';

const wrap = (body: string): string =>
  `<soap:Envelope xmlns:soap="${SOAP_ENV_NS}"><soap:Body>${body}</soap:Body></soap:Envelope>`;

describe('escapeXml', () => {
  it('escapes the five XML metacharacters and nothing else', () => {
    expect(escapeXml(`a<b>&"c'é`)).toBe('a&lt;b&gt;&amp;&quot;c&apos;é');
  });
});

describe('isXmlText', () => {
  it.each([
    ['plain text', '1999-0314-QC-004521', true],
    ['tab, CR and LF', 'a\tb\r\nc', true],
    ['accents and an emoji', 'Émilie 🍁', true],
    ['a C0 control', 'a\u0001b', false],
    ['NUL', 'a\u0000', false],
    ['a lone surrogate', 'a\uD800b', false],
    ['U+FFFE', 'a\uFFFE', false],
  ])('%s: %j → %s', (_what, text, expected) => {
    expect(isXmlText(text)).toBe(expected);
  });
});

describe('soapEnvelope and parseSoapBody', () => {
  it('round-trips a request, escaped characters included', () => {
    const xml = soapEnvelope('urn:test', 'Op', { Id: `<&>"'` });
    expect(parseSoapBody(xml, 8)).toEqual({ Op: { Id: `<&>"'` } });
  });

  it('keeps every value a string and drops namespace prefixes', () => {
    expect(parseSoapBody(wrap('<r:R xmlns:r="urn:r"><r:Code>0042</r:Code><r:Flag>true</r:Flag></r:R>'), 8)).toEqual({
      R: { Code: '0042', Flag: 'true' },
    });
  });

  it('decodes the predefined entities and character references', () => {
    expect(parseSoapBody(wrap('<R>a&amp;b&#233;&lt;</R>'), 8)).toEqual({ R: 'a&bé<' });
  });

  it.each([
    ['a DOCTYPE', `<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e "boom">]>${wrap('<R>&e;</R>')}`, /DOCTYPE/],
    ['an external entity', `<!DOCTYPE x SYSTEM "file:///etc/passwd">${wrap('<R/>')}`, /DOCTYPE/],
    ['a cut document', wrap('<R>').slice(0, -10), /not well-formed/],
    ['text that is not XML', 'HTTP/1.1 500 oops', /not well-formed/],
    ['another root', '<Envelope><Corps/></Envelope>', /not a SOAP envelope/],
    ['nesting past the cap', wrap(`${'<a>'.repeat(20)}x${'</a>'.repeat(20)}`), /nested/i],
  ])('refuses %s', (_what, xml, message) => {
    expect(() => parseSoapBody(xml, 10)).toThrow(message);
  });

  it('accepts the same nesting under the cap', () => {
    expect(parseSoapBody(wrap(`${'<a>'.repeat(5)}x${'</a>'.repeat(5)}`), 10)).toEqual({
      a: { a: { a: { a: { a: 'x' } } } },
    });
  });

  it('does not put the document into its error messages', () => {
    let message = '';
    try {
      parseSoapBody(wrap('<a>secret-value</b>'), 10);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/not well-formed/);
    expect(message).not.toContain('secret');
  });
});

describe('findFault', () => {
  it('returns the local part of the code and the names under detail', () => {
    const body = parseSoapBody(
      wrap(
        '<soap:Fault><faultcode>soap:Client</faultcode><faultstring>x</faultstring>' +
          '<detail><d:ActeIntrouvable xmlns:d="urn:d"><d:m>y</d:m></d:ActeIntrouvable></detail></soap:Fault>',
      ),
      8,
    );
    expect(findFault(body)).toEqual({ code: 'Client', detail: ['ActeIntrouvable'] });
  });

  it('answers undefined when there is no fault', () => {
    expect(findFault({ R: {} })).toBeUndefined();
  });

  it('names a code it cannot trust "unknown"', () => {
    const body = parseSoapBody(
      wrap('<soap:Fault><faultcode>soap:a b<c</faultcode></soap:Fault>'.replace('<c', '&lt;c')),
      8,
    );
    expect(findFault(body)).toEqual({ code: 'unknown', detail: [] });
  });
});
