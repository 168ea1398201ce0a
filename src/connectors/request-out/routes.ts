// POST /api/request-out (bearer token of a connector user), in the envelopes of the source
// document: the success body, the "in process" body, and Status/Code/Message/Data for errors.
import type { FastifyInstance } from 'fastify';
import type { ConnectorDeps } from '../deps.js';
import { bearerSecurity, connectorScope } from '../http.js';
import { requireConnectorUser } from '../auth/guard.js';
import { errorBody, handleRequestOut, RequestOutError, validateRequest } from './service.js';

const str = (example: string) => ({ type: 'string', example });
const answerSchema = {
  title: 'RequestOutAnswer',
  type: 'object',
  additionalProperties: false,
  required: ['TicketId', 'Subject', 'SubjectType', 'SubjectIdentifier', 'Action', 'ResourceType', 'Resource', 'ResourceId', 'Data', 'Status', 'Message', 'StatusCode'],
  properties: {
    TicketId: str('312d31-5a2cc51e-ec2a-4286-a44a-bb7a258703e3'),
    Subject: str('digitalid'),
    SubjectType: str('enrollment'),
    SubjectIdentifier: str('ektp'),
    Action: str('create'),
    ResourceType: str('data'),
    Resource: str('nik'),
    ResourceId: str('321231990'),
    Data: { type: ['object', 'null'], additionalProperties: true, example: { Image: 'ok', NIK: '12345678910', Status: 'ok' } },
    Status: { type: 'string', enum: ['success', 'failed'] },
    Message: str('success'),
    StatusCode: { type: 'integer', enum: [200, 404, 410, 502] },
  },
} as const;

export const requestOutErrorSchema = {
  title: 'RequestOutError',
  type: 'object',
  additionalProperties: false,
  required: ['Status', 'Code', 'Message', 'Data'],
  properties: { Status: str('error'), Code: str('400'), Message: str('TicketId is required'), Data: { type: 'string' } },
} as const;

export const requestOutAnswerSchema = answerSchema;

export async function registerRequestOut(app: FastifyInstance, deps: ConnectorDeps): Promise<void> {
  await app.register(async (scope) => {
    connectorScope(scope, { envelope: errorBody });
    scope.post(
      '/api/request-out',
      {
        preHandler: requireConnectorUser(deps, { envelope: errorBody }),
        config: { httpLogSystem: 'request-out' },
        schema: {
          tags: ['Request Out'],
          security: bearerSecurity,
          summary: 'Request Out: create a record at the product chosen for this Subject',
          description: [
            'The route table maps (Subject, SubjectType, SubjectIdentifier), case-insensitively, to an upstream. For an enabled route the upstream is called once, by a job, and the answer is the success body (StatusCode 200) once it is back (the request waits up to REQUEST_OUT_WAIT_MS).',
            'While the ticket is still processing, or when no enabled route matches, the answer is the documented in-process body: every field empty, Data null, Message "Request on process / not available now", StatusCode 404. Send the same TicketId again to get the stored result; it never calls the upstream twice.',
            'If the upstream failed, the body has Status "failed", the reason in Message and StatusCode 502. After REQUEST_OUT_RETENTION_DAYS the stored Data and ResourceId of a finished ticket are erased; a repeat then gets the same shape with Data null, ResourceId "" and StatusCode 410 (the upstream is not called again). Every one of these is HTTP 200; malformed requests are HTTP 400 with Status, Code, Message, Data. A TicketId used by another client or with other Subject fields is HTTP 409.',
          ].join('\n\n'),
          body: {
            type: 'object',
            required: ['TicketId', 'Subject', 'SubjectType', 'SubjectIdentifier'],
            properties: {
              TicketId: { ...str('312d31-5a2cc51e-ec2a-4286-a44a-bb7a258703e3'), maxLength: 100, pattern: '^[A-Za-z0-9._:-]+$' },
              Subject: { ...str('digitalid'), maxLength: 100 },
              SubjectType: { ...str('enrollment'), maxLength: 100 },
              SubjectIdentifier: { ...str('ektp'), maxLength: 100 },
            },
          },
          response: { 200: answerSchema, 400: requestOutErrorSchema, 401: requestOutErrorSchema, 409: requestOutErrorSchema },
        },
      },
      async (request, reply) => {
        try {
          const input = validateRequest(request.body);
          return await handleRequestOut({ db: deps.db, jobs: deps.jobs, now: deps.now, waitMs: deps.config.connectors.requestOutWaitMs }, request.connectorUser!.id, input, request.id);
        } catch (err) {
          if (err instanceof RequestOutError) return reply.code(err.status as 400).send(errorBody(err.status, err.message));
          throw err;
        }
      },
    );
  });
}
