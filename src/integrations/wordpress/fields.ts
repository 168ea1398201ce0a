// The fields Kursus writes into a course post, by meta key, with the JSON type the companion
// plugin (plugin/kursus/kursus.php) registers for each. Both sides change together: a test reads
// the plugin's registered fields from a real WordPress and fails when they drift from these, and
// the plugin's version is compared by `npm run connector-check -- wordpress`.
//
// Prefixed with `kursus_` since plugin 1.0.0 (before, unprefixed names such as `status` and
// `location` could clash with other plugins); the plugin copies old unprefixed values on activation.

/** The companion plugin version this Kursus pushes for (KURSUS_PLUGIN_VERSION in kursus.php). */
export const WORDPRESS_PLUGIN_VERSION = '1.0.0';

export const FIELD_PREFIX = 'kursus_';

/** Meta key -> JSON schema type, in the order the plugin registers them. */
export const COURSE_POST_FIELDS = {
  kursus_maconomy_id: 'string',
  kursus_main_course_number: 'string',
  kursus_start_date: 'string',
  kursus_end_date: 'string',
  kursus_location: 'string',
  kursus_price: 'string',
  kursus_currency: 'string',
  kursus_capacity: 'integer',
  kursus_status: 'string',
  kursus_days: 'array',
  kursus_trainers: 'array',
} as const;

export type CoursePostFieldName = keyof typeof COURSE_POST_FIELDS;

/** The field that identifies a post's course date (the plugin lets the REST API filter by it). */
export const KURSUS_ID_FIELD: CoursePostFieldName = 'kursus_maconomy_id';
