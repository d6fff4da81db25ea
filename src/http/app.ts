// buildApp: a ready Fastify instance serving the Octane API over one emulator instance. It never
// listens; src/cli.ts and startEmulator() do. The request pipeline, in order:
//   onRequest: correlation id, caller (session cookie / Basic / bearer; 401 without)
//   route of one URI shape of one resource: shared space / workspace exist (404), technical
//     preview header (403), method allowed by the descriptor (405)
//   generic entity service (query compiled to SQL, hooks of the resource) -> Octane JSON
//   any throw -> the root error handler -> Octane's error JSON

import cookie from '@fastify/cookie';
import multipart from '@fastify/multipart';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { registerAuthentication, registerAuthRoutes } from '../auth/authentication.js';
import type { EmulatorConfig } from '../config.js';
import { Emulator } from '../emulator.js';
import { newCorrelationId } from '../errors/octane-error.js';
import { registerAdminRoutes } from './admin-routes.js';
import { registerAttachmentRoutes } from './attachment-routes.js';
import { registerEntityRoutes } from './entity-routes.js';
import { registerScriptRoutes } from './script-routes.js';
import { registerErrorHandling } from './error-handler.js';

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

  registerErrorHandling(app, emulator.config.bodyLimit);
  registerAuthentication(app, emulator);
  registerAuthRoutes(app, emulator);
  registerAdminRoutes(app);
  registerEntityRoutes(app, emulator);
  registerScriptRoutes(app, emulator);
  registerAttachmentRoutes(app, emulator);
  await app.ready();
  return app;
}
