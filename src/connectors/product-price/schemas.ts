// JSON Schemas of the Product Price API's documented responses: the OpenAPI document is built
// from them and the contract tests check every response against them (additionalProperties:
// false, so a renamed or extra field fails).
const phpDate = {
  type: 'object',
  additionalProperties: false,
  required: ['date', 'timezone_type', 'timezone'],
  properties: {
    date: { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2}\\.\\d{6}$', example: '2022-10-08 15:00:26.000000' },
    timezone_type: { type: 'integer', enum: [3] },
    timezone: { type: 'string', example: 'Asia/Bangkok' },
  },
} as const;

const wallTime = { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2}$', example: '2022-10-08 00:00:00' } as const;
const id36 = { type: 'string', minLength: 36, maxLength: 36 } as const;

export const priceRecordSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['deleted_at', 'status', 'id', 'price', 'product', 'startDate', 'endDate', 'shop', 'shopName', 'created', 'updated', 'createdBy', 'updatedBy', 'createdByName', 'updatedByName'],
  properties: {
    deleted_at: { type: 'null' },
    status: { type: 'string', example: '1' },
    id: id36,
    price: { type: 'string', pattern: '^\\d+$', example: '25000' },
    product: id36,
    startDate: wallTime,
    endDate: { ...wallTime, example: '2022-10-08 23:59:00' },
    shop: id36,
    shopName: { type: ['string', 'null'], example: 'Online Shop' },
    created: phpDate,
    updated: phpDate,
    createdBy: id36,
    updatedBy: { type: 'string', description: 'empty until the price is first updated' },
    createdByName: { type: ['string', 'null'] },
    updatedByName: { type: ['string', 'null'] },
  },
} as const;

export const listEnvelope = (item: object) =>
  ({
    type: 'object',
    additionalProperties: false,
    required: ['message', 'show', 'total', 'data'],
    properties: {
      message: { type: 'string', example: 'Data retrieved successfully' },
      show: { type: 'integer', description: 'records in this page' },
      total: { type: 'integer', description: 'records matching, all pages' },
      data: { type: 'array', items: item },
    },
  }) as const;

export const dataEnvelope = (item: object, message: string) =>
  ({
    type: 'object',
    additionalProperties: false,
    required: ['message', 'data'],
    properties: { message: { type: 'string', example: message }, data: item },
  }) as const;

export const messageOnly = { title: 'Message', type: 'object', additionalProperties: false, required: ['message'], properties: { message: { type: 'string' } } } as const;

export const shopRecordSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['deleted_at', 'status', 'id', 'name', 'created', 'updated'],
  properties: { deleted_at: { type: 'null' }, status: { type: 'string' }, id: id36, name: { type: 'string' }, created: phpDate, updated: phpDate },
} as const;

export const productRecordSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['deleted_at', 'status', 'id', 'name', 'sku', 'created', 'updated'],
  properties: { deleted_at: { type: 'null' }, status: { type: 'string' }, id: id36, name: { type: 'string' }, sku: { type: ['string', 'null'] }, created: phpDate, updated: phpDate },
} as const;

export const priceBodySchema = {
  type: 'object',
  required: ['price', 'shop', 'startDate', 'endDate'],
  properties: {
    price: { type: 'integer', minimum: 0, example: 25000, description: 'whole currency units; a string of digits is accepted too' },
    shop: { ...id36, example: '03a0da07-1b3f-4512-81ed-0c01310666e4' },
    startDate: { type: 'string', example: '2022-10-08 00:00:00', description: 'YYYY-MM-DD HH:mm:ss in PRICE_API_TIMEZONE; YYYY-MM-DD alone is 00:00:00' },
    endDate: { type: 'string', example: '2022-10-08 23:59:00', description: 'YYYY-MM-DD HH:mm:ss in PRICE_API_TIMEZONE; YYYY-MM-DD alone is 23:59:59' },
    allowOverlap: { type: 'boolean', default: false, description: 'keep this price even if its window overlaps another price of the product in the shop (else 409)' },
  },
} as const;
