// `npm run openapi`: writes openapi/openapi.json, the OpenAPI document the server generates from
// its routes and resource table (src/http/openapi.ts). test/openapi/openapi-drift.test.ts fails
// when the committed file differs from what the server generates.

import fs from 'node:fs';
import { buildApp } from '../src/http/app.js';
import { OPENAPI_FILE, openApiText } from '../src/http/openapi.js';

const app = await buildApp({ db: ':memory:' });
try {
  const text = await openApiText(app);
  const before = fs.existsSync(OPENAPI_FILE) ? fs.readFileSync(OPENAPI_FILE, 'utf8') : undefined;
  fs.writeFileSync(OPENAPI_FILE, text);
  console.log(`${OPENAPI_FILE}: ${before === text ? 'unchanged' : 'written'} (${Object.keys((app.swagger() as { paths: object }).paths).length} paths, ${text.length} bytes)`);
} finally {
  await app.close();
}
