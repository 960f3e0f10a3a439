import { html } from './html';

describe('html', () => {
  it('escapes every interpolation, so input can never become markup', () => {
    const name = '<script>alert("x")</script> & \'y\'';
    expect(html`<p title="${name}">${name}</p>`.value).toBe(
      '<p title="&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;y&#39;">' +
        '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;y&#39;</p>',
    );
  });

  it('keeps markup it built, joins lists and drops empty parts', () => {
    const items = ['a<', 'b'].map((item) => html`<li>${item}</li>`);
    const list = html`<ul>
        ${items}
      </ul>
      ${false}${undefined}${null}${0}`.value;
    // The layout's whitespace is the formatter's; the markup is what counts.
    expect(list.replace(/\s+/g, '')).toBe('<ul><li>a&lt;</li><li>b</li></ul>0');
  });
});
