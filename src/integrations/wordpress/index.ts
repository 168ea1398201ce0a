export { WordPressClient, WordPressError, type WordPressClientOptions, type WordPressCall, type CoursePostFields, type CourseFieldValue, type WordPressPostSummary } from './client.js';
