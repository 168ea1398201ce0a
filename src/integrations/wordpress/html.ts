// HTML that Kursus sends to WordPress (an editor's course description) passes an allow-list first.
// The description is stored in Kursus as the editor entered it; only what reaches WordPress is
// cleaned, because the post's content is shown on the public site as HTML and WordPress keeps
// whatever a user with `unfiltered_html` (administrators, Kursus's user usually) sends.
import sanitizeHtml from 'sanitize-html';

const OPTIONS: sanitizeHtml.IOptions = {
  allowedTags: ['p', 'br', 'strong', 'b', 'em', 'i', 'u', 'ul', 'ol', 'li', 'a', 'h2', 'h3', 'h4', 'blockquote'],
  allowedAttributes: { a: ['href', 'title'] },
  allowedSchemes: ['http', 'https', 'mailto'],
  allowProtocolRelative: false,
  // Script, style and the like go with their content; other unknown tags keep their text.
  disallowedTagsMode: 'discard',
};

/** The description as it may appear on the public site: allowed tags and attributes only. */
export function sanitizeDescription(html: string): string {
  return sanitizeHtml(html, OPTIONS);
}
