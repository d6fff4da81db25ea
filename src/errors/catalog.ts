// The catalogue of errors: one named constructor per situation, with the status and code Octane
// uses (spec/README.md, "Status codes and error codes"). Routes and services throw these, never
// ad-hoc objects.

import { OctaneError } from './octane-error.js';

const REST = 'com.hp.mqm.rest.exception.RestException';

export const errors = {
  notFoundUrl: (url: string) =>
    new OctaneError({ status: 404, code: 'platform.web_application', description: 'HTTP 404 Not Found', properties: { url }, exception: 'javax.ws.rs.NotFoundException' }),

  methodNotAllowed: (method: string, allowed: readonly string[]) =>
    new OctaneError({
      status: 405,
      code: 'platform.web_application',
      description: 'HTTP 405 Method Not Allowed',
      properties: { method, allowed_methods: allowed.join(',') },
      headers: { allow: allowed.join(', ') },
      exception: 'javax.ws.rs.NotAllowedException',
    }),

  invalidJson: (detail: string) =>
    new OctaneError({ status: 400, code: 'platform.invalid_json', description: `The request body is not valid JSON: ${detail}`, exception: 'com.fasterxml.jackson.core.JsonParseException' }),

  badRequest: (description: string, properties?: Record<string, unknown>) =>
    new OctaneError({ status: 400, code: 'platform.bad_request', description, properties }),

  unsupportedMediaType: (contentType: string) =>
    new OctaneError({ status: 415, code: 'platform.web_application', description: 'HTTP 415 Unsupported Media Type', properties: { content_type: contentType }, exception: 'javax.ws.rs.NotSupportedException' }),

  notAcceptable: (accept: string) =>
    new OctaneError({ status: 406, code: 'platform.web_application', description: 'HTTP 406 Not Acceptable', properties: { accept }, exception: 'javax.ws.rs.NotAcceptableException' }),

  entityNotFound: (entityType: string, id: string) =>
    new OctaneError({
      status: 404,
      code: 'platform.entity_not_found',
      description: `The requested entity of type '${entityType}' with id '${id}' does not exist`,
      properties: { entity_type: entityType, entity_id: id },
      exception: 'com.hp.mqm.bl.platform.exception.EntityNotFoundException',
    }),

  spaceNotFound: (id: string) =>
    new OctaneError({ status: 404, code: 'platform.entity_not_found', description: `The shared space '${id}' does not exist`, properties: { entity_type: 'shared_space', entity_id: id } }),

  workspaceNotFound: (id: string) =>
    new OctaneError({ status: 404, code: 'platform.entity_not_found', description: `The workspace '${id}' does not exist`, properties: { entity_type: 'workspace', entity_id: id } }),

  unknownField: (entityType: string, fieldName: string) =>
    new OctaneError({
      status: 400,
      code: 'platform.unknown_field',
      description: `The entity type '${entityType}' does not have a field/s by name/s '${fieldName}'`,
      properties: { entity_type: entityType, field_name: fieldName },
      businessError: true,
      exception: 'com.hp.mqm.bl.platform.exception.NonExistingFieldException',
    }),

  invalidQuery: (description: string, properties?: Record<string, unknown>) =>
    new OctaneError({ status: 400, code: 'platform.invalid_query', description, properties, exception: 'com.hp.mqm.bl.platform.exception.QueryParseException' }),

  fieldValidation: (entityType: string, fieldName: string, reason: string) =>
    new OctaneError({
      status: 400,
      code: 'platform.field_validation_error',
      description: `Field '${fieldName}' of entity type '${entityType}': ${reason}`,
      properties: { entity_type: entityType, field_name: fieldName },
      businessError: true,
      exception: 'com.hp.mqm.bl.platform.exception.FieldValidationException',
    }),

  missingRequiredField: (entityType: string, fieldName: string) =>
    new OctaneError({
      status: 400,
      code: 'platform.missing_required_field',
      description: `The field '${fieldName}' is required for entity type '${entityType}' and is missing`,
      properties: { entity_type: entityType, field_name: fieldName },
      businessError: true,
      exception: 'com.hp.mqm.bl.platform.exception.MissingRequiredFieldException',
    }),

  invalidPaging: (description: string, properties?: Record<string, unknown>) =>
    new OctaneError({ status: 400, code: 'platform.invalid_paging', description, properties }),

  authenticationFailed: (description = 'Authentication failed') =>
    new OctaneError({ status: 401, code: 'platform.authentication_failed', description, exception: 'com.hp.mqm.rest.exception.AuthenticationException' }),

  sessionExpired: (code: 'VALIDATION_TOKEN_EXPIRED_IDLE_TIME_OUT' | 'VALIDATION_TOKEN_EXPIRED_GLOBAL_TIME_OUT') =>
    new OctaneError({ status: 401, code, description: code === 'VALIDATION_TOKEN_EXPIRED_IDLE_TIME_OUT' ? 'The session expired after being idle' : 'The session reached its maximum lifetime', exception: 'com.hp.mqm.rest.exception.AuthenticationException' }),

  forbidden: (description: string, properties?: Record<string, unknown>) =>
    new OctaneError({ status: 403, code: 'platform.forbidden', description, properties, exception: 'com.hp.mqm.rest.exception.ForbiddenException' }),

  techPreviewRequired: (resource: string) =>
    new OctaneError({
      status: 403,
      code: 'platform.tech_preview_required',
      description: `The resource '${resource}' is a technical preview resource. Send the header 'ALM-OCTANE-TECH-PREVIEW: true' to use it`,
      properties: { resource },
    }),

  versionConflict: (entityType: string, id: string) =>
    new OctaneError({
      status: 409,
      code: 'platform.entity_changed_by_another_user',
      description: `The ${entityType} with id '${id}' was changed by another user since it was read`,
      properties: { entity_type: entityType, entity_id: id },
      businessError: true,
    }),

  duplicate: (entityType: string, fieldName: string, value: unknown) =>
    new OctaneError({
      status: 409,
      code: 'platform.duplicate_entity_error',
      description: `A ${entityType.replace(/_/g, ' ')} with this ${fieldName} already exists.`,
      properties: { entity_type: entityType, field_name: fieldName, value },
      businessError: true,
    }),

  invalidPhaseTransition: (entityType: string, from: string, to: string) =>
    new OctaneError({
      status: 400,
      code: 'platform.invalid_phase_transition',
      description: `A ${entityType} cannot move from phase '${from}' to phase '${to}': no transition allows it`,
      properties: { entity_type: entityType, source_phase: from, target_phase: to },
      businessError: true,
    }),

  hasDependents: (entityType: string, id: string, count: number) =>
    new OctaneError({
      status: 400,
      code: 'platform.entity_has_children',
      description: `The ${entityType.replace(/_/g, ' ')} with id '${id}' has ${count} child item(s); move or delete them first`,
      properties: { entity_type: entityType, entity_id: id, children: count },
      businessError: true,
    }),

  requestTooLarge: (limit: number) =>
    new OctaneError({ status: 413, code: 'platform.request_too_large', description: `The request body exceeds the limit of ${limit} bytes`, properties: { limit } }),

  /** The request line and headers are past Node's limit (answered before any route runs). */
  headersTooLarge: (limit: number) =>
    new OctaneError({ status: 431, code: 'platform.request_too_large', description: `The request line and headers exceed the limit of ${limit} bytes`, properties: { limit } }),

  requestTimeout: () =>
    new OctaneError({ status: 408, code: 'platform.request_timeout', description: 'The request was not received in time' }),

  unsupportedContentEncoding: (encoding: string, reason: string) =>
    new OctaneError({
      status: 415,
      code: 'platform.web_application',
      description: `HTTP 415 Unsupported Media Type: ${reason}`,
      properties: { content_encoding: encoding },
      exception: 'javax.ws.rs.NotSupportedException',
    }),

  bulkFailed: (itemErrors: OctaneError[]) =>
    new OctaneError({ status: itemErrors.every((e) => e.status === itemErrors[0].status) ? itemErrors[0].status : 400, code: 'platform.bulk_failure', description: 'One or more entities failed', itemErrors }),

  notImplemented: (what: string) =>
    new OctaneError({ status: 501, code: 'platform.not_implemented', description: `${what} is not supported by this emulator`, exception: REST }),

  internal: () =>
    new OctaneError({ status: 500, code: 'platform.general_error', description: 'An unexpected error occurred on the server', exception: REST }),
};
