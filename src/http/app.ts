// buildApp: a ready Fastify instance serving the Octane API over one emulator instance. It never
// listens; src/cli.ts and startEmulator() do. The request pipeline, in order:
//   onRequest: correlation id, caller (session cookie / Basic / bearer; 401 without)
//   route of one URI shape of one resource: shared space / workspace exist (404), technical
//     preview header (403), method allowed by the descriptor (405)
//   generic entity service (query compiled to SQL, hooks of the resource) -> Octane JSON
//   any throw -> the root error handler -> Octane's error JSON

import cookie from '@fastify/cookie';
import multipart from '@fastify/multipart';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import Fastify, { type FastifyInstance, type FastifyRequest, type FastifyServerOptions, type RequestPayload } from 'fastify';
import { registerAuthentication, registerAuthRoutes } from '../auth/authentication.js';
import type { EmulatorConfig } from '../config.js';
import { Emulator } from '../emulator.js';
import { errors } from '../errors/catalog.js';
import { newCorrelationId } from '../errors/octane-error.js';
import { registerAdminApi } from './admin-api.js';
import { registerAdminRoutes } from './admin-routes.js';
import { Faults } from './faults.js';
import { RequestJournal } from './journal.js';
import { registerAttachmentRoutes } from './attachment-routes.js';
import { registerCiRoutes } from './ci-routes.js';
import { registerEntityRoutes, registerUploadCollections } from './entity-routes.js';
import { registerScriptRoutes } from './script-routes.js';
import { clientErrorHandler, registerErrorHandling } from './error-handler.js';
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
  interface FastifyRequest {
    correlationIdDrawn: string;
  }
}

const DECODERS = { gzip: createGunzip, deflate: createInflate, br: createBrotliDecompress } as const;
type Coding = keyof typeof DECODERS;

/**
 * The coding of a request body from its Content-Encoding: undefined for none (or identity), the
 * decoder's name, or null for what the emulator cannot decode (an unknown coding, or more than one
 * coding stacked). "x-gzip" is gzip; some clients send a media type ("application/gzip").
 */
function contentCoding(header: string): Coding | null | undefined {
  const codings = header
    .split(',')
    .map((c) => c.trim().replace(/^application\//, '').replace(/^x-/, ''))
    .filter((c) => c !== '' && c !== 'identity');
  if (codings.length === 0) return undefined;
  if (codings.length > 1) return null;
  const [coding] = codings;
  return coding in DECODERS ? (coding as Coding) : null;
}

export async function buildApp(options: AppOptions = {}): Promise<FastifyInstance> {
  const { logger = false, ...config } = options;
  const emulator = await Emulator.open(config);
  const app = Fastify({
    logger,
    bodyLimit: emulator.config.bodyLimit,
    // Octane's query strings carry JSON and long filters.
    routerOptions: { maxParamLength: 2000 },
    // what Node refuses before routing (an oversized request line or header block) in Octane's shape
    clientErrorHandler,
  });
  app.decorate('emulator', emulator);
  // on close: first release long polls and stop the test-results worker, then (once in-flight
  // requests are done) close the database
  app.addHook('preClose', async () => emulator.beginClose());
  app.addHook('onClose', async () => emulator.close());
  // a keep-alive connection whose request was in flight at close would hold the stop for the
  // keep-alive timeout: answer it with Connection: close instead
  app.addHook('onSend', (_request, reply, payload, done) => {
    if (emulator.isClosing) reply.header('connection', 'close');
    done(null, payload);
  });

  // drawn when first asked for (error answers only), then the same for the rest of the request
  app.decorateRequest('correlationIdDrawn', '');
  app.decorateRequest('correlationId', {
    getter(this: FastifyRequest) {
      if (!this.correlationIdDrawn) this.correlationIdDrawn = newCorrelationId();
      return this.correlationIdDrawn;
    },
  });

  await app.register(cookie);
  // A multipart body is read only where uploads go (see the uploads context below); elsewhere it is
  // accepted unread, as the multipart plugin's own parser does, and the route answers as for no body.
  app.addContentTypeParser('multipart/form-data', (_request, _payload, done) => done(null));

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
  const inflate = (request: FastifyRequest, payload: RequestPayload): RequestPayload => {
    const raw = request.headers['content-encoding'];
    // most requests (every GET) carry no Content-Encoding: nothing to look at
    if (raw === undefined) return payload;
    const header = String(raw).toLowerCase();
    const coding = contentCoding(header);
    if (coding === undefined) return payload;
    if (coding === null) {
      throw errors.unsupportedContentEncoding(header, `the Content-Encoding '${header}' is not supported: send the body as is, or with gzip, deflate or br`);
    }
    // The multipart plugin reads the raw request itself, never the stream returned here: a
    // compressed multipart body could not be inflated on its way there, so it is refused before any
    // byte is read.
    if (/^\s*multipart\//i.test(String(request.headers['content-type'] ?? ''))) {
      throw errors.unsupportedContentEncoding(header, `multipart uploads are not accepted with Content-Encoding: ${coding}; send the multipart body uncompressed`);
    }
    const inflated = DECODERS[coding]();
    // a body that is not in that coding ends the request with the inflater's error (mapped to a 400)
    payload.on('error', (err) => inflated.destroy(err));
    // Fastify's body reader listens for errors while it reads; before (no parser for the content
    // type), after (body over the limit) or without it (a method without a body), an inflater error
    // or a client going away must not be an unhandled 'error' event, which would end the process
    inflated.on('error', () => {});
    delete request.headers['content-length'];
    return payload.pipe(inflated) as unknown as typeof payload;
  };
  app.addHook('preParsing', (request, _reply, payload, done) => {
    let body: RequestPayload;
    try {
      body = inflate(request, payload);
    } catch (e) {
      return done(e as Error);
    }
    done(null, body);
  });

  registerErrorHandling(app, { bodyLimit: emulator.config.bodyLimit, attachmentMaxBytes: emulator.config.attachmentMaxBytes });
  // the admin API's journal and faults see requests before authentication does
  const journal = new RequestJournal(emulator.config.journalSize);
  const faults = new Faults();
  journal.attach(app);
  faults.attach(app, emulator);
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
  registerAdminApi(app, emulator, journal, faults);
  // The multipart plugin in a context of its own, with the collections that take uploads: its two
  // asynchronous hooks (a listener for temporary files the emulator never saves) run on the
  // requests of this context only, not on every API request. Registered after every parser and
  // hook of the root, which the context inherits.
  await app.register(async (uploads) => {
    uploads.removeContentTypeParser('multipart/form-data');
    await uploads.register(multipart, {
      limits: { fileSize: emulator.config.attachmentMaxBytes, files: 2, fields: 10, parts: 12, fieldSize: 1024 * 1024 },
    });
    registerUploadCollections(uploads, emulator);
  });
  await app.register(async (ci) => {
    // XML bodies (test results, coverage reports) and text (LCOV, logs) are read raw here, and
    // only here: everywhere else the API speaks JSON
    ci.addContentTypeParser(['application/xml', 'text/xml', 'text/plain'], { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
    registerCiRoutes(ci, emulator);
  });
  await app.ready();
  return app;
}
