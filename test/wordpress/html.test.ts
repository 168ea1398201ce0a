// The allow-list an editor's description passes on its way to WordPress (issue 18, item 11).
import { sanitizeDescription } from '../../src/integrations/wordpress/html.js';

describe('sanitizeDescription', () => {
  it('removes images, event handlers and scripts', () => {
    expect(sanitizeDescription('<img src=x onerror=alert(1)>')).toBe('');
    expect(sanitizeDescription('<p onclick="alert(1)">Hej</p><script>alert(2)</script><style>p{}</style>')).toBe('<p>Hej</p>');
    expect(sanitizeDescription('<svg><a xlink:href="javascript:alert(1)">x</a></svg>')).not.toMatch(/javascript|svg/);
  });

  it('keeps the markup an editor uses, and links only to http, https and mailto', () => {
    const ok = '<h2>Indhold</h2><p><strong>Regneark</strong> og <em>pivot</em><br /></p><ul><li>Et</li></ul><a href="https://example.dk/x" title="Mere">mere</a>';
    expect(sanitizeDescription(ok)).toBe(ok);
    expect(sanitizeDescription('<a href="javascript:alert(1)">x</a><a href="mailto:kursus@example.dk">m</a>')).toBe('<a>x</a><a href="mailto:kursus@example.dk">m</a>');
    expect(sanitizeDescription('<a href="https://x.dk" target="_blank" style="color:red">x</a>')).toBe('<a href="https://x.dk">x</a>');
  });

  it('leaves plain text as text, escaping what HTML would read as markup', () => {
    expect(sanitizeDescription('Regneark fra bunden.')).toBe('Regneark fra bunden.');
    expect(sanitizeDescription('5 < 6 & 7')).toBe('5 &lt; 6 &amp; 7');
  });
});
