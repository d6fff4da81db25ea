// buildApp: a ready Fastify instance serving the Octane API over one emulator instance. It never
// listens; src/cli.ts and startEmulator() do. The request pipeline, in order:
//   onRequest: correlation id, caller (session cookie / Basic / bearer; 401 without)
//   route of one URI shape of one resource: shared space / workspace exist (404), technical
//     preview header (403), method allowed by the descriptor (405)
//   generic entity service (query compiled to SQL, hooks of the resource) -> Octane JSON
//   any throw -> the root error handler -> Octane's error JSON

import cookie from '@fastify/cookie';
import multipart from '@fastify/multipart';
import { createGunzip } from 'node:zlib';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { registerAuthentication, registerAuthRoutes } from '../auth/authentication.js';
import type { EmulatorConfig } from '../config.js';
import { Emulator } from '../emulator.js';
import { newCorrelationId } from '../errors/octane-error.js';
import { registerAdminRoutes } from './admin-routes.js';
import { registerAttachmentRoutes } from './attachment-routes.js';
import { registerCiRoutes } from './ci-routes.js';
import { registerEntityRoutes } from './entity-routes.js';
import { registerScriptRoutes } from './script-routes.js';
import { registerErrorHandling } from './error-handler.js';
import { registerLandingPage } from './landing-page.js';
import { registerMetadataRoutes } from './metadata-routes.js';
import { registerOpenApi } from './openapi.js';

export interface AppOptions extends Partial<EmulatorConfig> {
  logger?: FastifyServerOptions['logger'];
}

declare module 'fastify' {
  interface FastifyInstance {
    emulator: Emulator;
  }
}

export async function buildApp(options: AppOptions = {}): Promise<FastifyInstance> {
  const { logger = false, ...config } = options;
  const emulator = await Emulator.open(config);
  const app = Fastify({
    logger,
    bodyLimit: emulator.config.bodyLimit,
    // Octane's query strings carry JSON and long filters.
    routerOptions: { maxParamLength: 2000 },
  });
  app.decorate('emulator', emulator);
  app.addHook('onClose', async () => emulator.close());

  app.decorateRequest('correlationId', '');
  app.addHook('onRequest', async (request) => {
    request.correlationId = newCorrelationId();
  });

  await app.register(cookie);
  await app.register(multipart, {
    limits: { fileSize: emulator.config.attachmentMaxBytes, files: 2, fields: 10, parts: 12, fieldSize: 1024 * 1024 },
  });

  // JSON bodies through Fastify's own safe parser, but an empty body is no body: clients send
  // `Content-Type: application/json` on DELETE and sign-out without one.
  const jsonParser = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    if (typeof body === 'string' && body.trim() === '') return done(null, undefined);
    return jsonParser(request, body as string, done);
  });

  // Octane's API speaks JSON; other bodies are refused with 415 unless a route registers its own
  // parser (XML for test results, multipart and octet-stream for attachments). Form bodies are
  // read (the official JS SDK signs out with an empty form body) and refused where JSON is due.
  app.removeContentTypeParser('text/plain');
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => {
    done(null, body === '' ? undefined : Object.fromEntries(new URLSearchParams(body as string)));
  });

  // Compressed bodies (CI plugins gzip what they send) are inflated before parsing, and the body
  // limit applies to the inflated size, so a gzip bomb stops at the limit.
  app.addHook('preParsing', async (request, _reply, payload) => {
    const encoding = String(request.headers['content-encoding'] ?? '').toLowerCase();
    if (!/(^|[\s,/])(x-)?gzip$/.test(encoding)) return payload;
    const inflated = createGunzip();
    // a body that is not gzip ends the request with the inflater's error (mapped to a 400)
    payload.on('error', (err) => inflated.destroy(err));
    delete request.headers['content-length'];
    return payload.pipe(inflated) as unknown as typeof payload;
  });

  registerErrorHandling(app, emulator.config.bodyLimit);
  registerAuthentication(app, emulator);
  // before any route: @fastify/swagger documents the routes registered after it
  await registerOpenApi(app, emulator);
  registerAuthRoutes(app, emulator);
  registerAdminRoutes(app);
  registerEntityRoutes(app, emulator);
  registerScriptRoutes(app, emulator);
  registerAttachmentRoutes(app, emulator);
  registerMetadataRoutes(app, emulator);
  registerLandingPage(app, emulator);
  await app.register(async (ci) => {
    // XML bodies (test results, coverage reports) and text (LCOV, logs) are read raw here, and
    // only here: everywhere else the API speaks JSON
    ci.addContentTypeParser(['application/xml', 'text/xml', 'text/plain'], { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
    registerCiRoutes(ci, emulator);
  });
  await app.ready();
  return app;
}
