// The one place failures leave the server: every error becomes Octane's error JSON with the
// status Octane uses. Expected failures arrive as OctaneError; Fastify's own (bad JSON, body too
// large, unsupported media type) are mapped; anything else is logged and answered as a 500. What
// Node refuses before a request exists (oversized header block) is answered by clientErrorHandler.

import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { STATUS_CODES, maxHeaderSize } from 'node:http';
import type { Duplex } from 'node:stream';
import { errors } from '../errors/catalog.js';
import { OctaneError } from '../errors/octane-error.js';

/** The size limits a body can run into: the request body, and a file (attachment bytes). */
export interface BodyLimits {
  bodyLimit: number;
  attachmentMaxBytes: number;
}

/**
 * The limit a body that was too large ran into: octet-stream bodies are files (attachment uploads
 * and replacements, whose parser is bounded by attachmentMaxBytes), everything else the request body.
 */
function bodyLimitOf(request: FastifyRequest, limits: BodyLimits): number {
  const type = String(request.headers['content-type'] ?? '').toLowerCase();
  return type.startsWith('application/octet-stream') ? limits.attachmentMaxBytes : limits.bodyLimit;
}

/** Fastify error codes and the Octane error each one stands for. */
function fromFastify(err: FastifyError, request: FastifyRequest, limits: BodyLimits): OctaneError | undefined {
  switch (err.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return errors.invalidJson(err.message);
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return errors.requestTooLarge(bodyLimitOf(request, limits));
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return errors.unsupportedMediaType(String(request.headers['content-type'] ?? ''));
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return errors.badRequest('The Content-Length header does not match the body');
    case 'FST_ERR_VALIDATION':
      return errors.badRequest(err.message);
    case 'FST_ERR_BAD_URL':
      return errors.badRequest('The URL is malformed');
    case 'FST_REQ_FILE_TOO_LARGE':
      // a file part of a multipart upload, bounded by attachmentMaxBytes
      return errors.requestTooLarge(limits.attachmentMaxBytes);
    case 'FST_PARTS_LIMIT':
    case 'FST_FILES_LIMIT':
    case 'FST_FIELDS_LIMIT':
      return errors.badRequest('The upload has too many parts: send one entity part and one content part');
    case 'FST_INVALID_MULTIPART_CONTENT_TYPE':
    case 'FST_NO_FORM_DATA':
    case 'FST_PROTO_VIOLATION':
      return errors.badRequest('The multipart body is malformed');
    case 'FST_MP_PREMATURE_CLOSE':
      return errors.badRequest('The multipart body ended before it was complete');
    case 'FST_INVALID_JSON_FIELD_ERROR':
      return errors.invalidJson('a multipart field declared as application/json is not valid JSON');
  }
  if (err instanceof SyntaxError && 'body' in err) return errors.invalidJson(err.message);
  // zlib's errors (gzip, deflate) and Brotli's (ERR__ERROR_FORMAT_…, or its "Decompression failed")
  const code = String(err.code ?? '');
  if (['Z_DATA_ERROR', 'Z_BUF_ERROR', 'ERR_ZLIB_INITIALIZATION_FAILED'].includes(code) || code.startsWith('ERR__ERROR_') || err.message === 'Decompression failed') {
    const coding = String(request.headers['content-encoding'] ?? '');
    return errors.badRequest(`The request body is not valid ${coding} (Content-Encoding: ${coding})`, { content_encoding: coding });
  }
  if (typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500) {
    return new OctaneError({ status: err.statusCode, code: 'platform.web_application', description: err.message });
  }
  return undefined;
}

export function sendError(reply: FastifyReply, err: OctaneError): FastifyReply {
  const correlationId = reply.request.correlationId;
  for (const [k, v] of Object.entries(err.headers)) reply.header(k, v);
  reply.code(err.status).type('application/json');
  if (err.itemErrors) {
    return reply.send({
      total_count: 0,
      data: [],
      exceeds_total_count: false,
      errors: err.itemErrors.map((e) => e.toBody(correlationId)),
    });
  }
  return reply.send(err.toBody(correlationId));
}

/** SQLite's own size limits, reached by a legal but enormous query: the client's to shrink. */
function fromSqliteLimit(err: Error): OctaneError | undefined {
  if ((err as { code?: string }).code !== 'SQLITE_ERROR') return undefined;
  if (/too many SQL variables|Expression tree is too large|parser stack overflow|too many terms in compound SELECT|at most \d+ tables in a join/i.test(err.message)) {
    return errors.invalidQuery(`The query is too large to run: ${err.message}`);
  }
  return undefined;
}

export function registerErrorHandling(app: FastifyInstance, limits: BodyLimits): void {
  app.setErrorHandler((err: FastifyError, request, reply) => {
    if (err instanceof OctaneError) return sendError(reply, err);
    const limit = fromSqliteLimit(err);
    if (limit) return sendError(reply, limit);
    const mapped = fromFastify(err, request, limits);
    if (mapped) return sendError(reply, mapped);
    request.log.error({ err }, 'unexpected error');
    return sendError(reply, errors.internal());
  });
  app.setNotFoundHandler((request, reply) => sendError(reply, errors.notFoundUrl(request.url.split('?')[0])));
}

/**
 * Fastify's `clientErrorHandler`: what Node's HTTP parser refuses before there is a request to
 * route (a request line or header block past Node's limit, a malformed request, a client too slow
 * to send its headers) is answered on the socket in Octane's error JSON, with the status Node
 * would use (431, 400, 408), and the connection is closed.
 */
export function clientErrorHandler(err: Error & { code?: string }, socket: Duplex): void {
  // a reset connection has nobody left to answer
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  let error: OctaneError;
  if (err.code === 'HPE_HEADER_OVERFLOW') error = errors.headersTooLarge(maxHeaderSize);
  else if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT') error = errors.requestTimeout();
  else error = errors.badRequest('The HTTP request is malformed');
  if (socket.writable) {
    const body = JSON.stringify(error.toBody());
    socket.write(
      `HTTP/1.1 ${error.status} ${STATUS_CODES[error.status]}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(err);
}
