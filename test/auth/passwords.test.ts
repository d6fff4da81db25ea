// Checks of secrets against their stored scrypt hashes, with the cache of verified secrets
// (src/auth/passwords.ts): a repeated check is cheap, a wrong secret is never let in, and a
// changed password is checked against its new hash only.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashSecret, isHashed, verifySecret } from '../../src/auth/passwords.js';
import { makeApp, PREVIEW, type TestApp } from '../helpers/app.js';

describe('verifySecret', () => {
  it('matches the right secret only, cached or not', () => {
    const stored = hashSecret('s3cret!');
    expect(isHashed(stored)).toBe(true);
    expect(stored).not.toContain('s3cret!');
    for (let i = 0; i < 3; i++) {
      expect(verifySecret('s3cret!', stored)).toBe(true);
      expect(verifySecret('s3cret', stored)).toBe(false);
      expect(verifySecret('S3CRET!', stored)).toBe(false);
      expect(verifySecret('', stored)).toBe(false);
    }
    expect(verifySecret('s3cret!', null)).toBe(false);
    expect(verifySecret('s3cret!', 's3cret!')).toBe(false);
  });

  it('a secret verified once is not hashed again (a repeated check costs far less than scrypt)', () => {
    const fresh = Array.from({ length: 20 }, (_, i) => ({ secret: `pw-${i}`, stored: hashSecret(`pw-${i}`) }));
    let t0 = performance.now();
    for (const f of fresh) expect(verifySecret(f.secret, f.stored)).toBe(true);
    const first = performance.now() - t0;
    t0 = performance.now();
    for (let i = 0; i < 10; i++) for (const f of fresh) expect(verifySecret(f.secret, f.stored)).toBe(true);
    const repeated = performance.now() - t0;
    // 200 cached checks against 20 scrypt computations
    expect(repeated).toBeLessThan(first);
  });

  it('the same secret under another salt is its own entry', () => {
    const a = hashSecret('same');
    const b = hashSecret('same');
    expect(a).not.toBe(b);
    expect(verifySecret('same', a)).toBe(true);
    expect(verifySecret('same', b)).toBe(true);
    expect(verifySecret('other', b)).toBe(false);
  });
});

describe('signing in again after a password change', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await makeApp();
  });
  afterAll(() => t.close());

  const signIn = (user: string, password: string) => t.app.inject({ method: 'POST', url: '/authentication/sign_in', payload: { user, password } }).then((r) => r.statusCode);

  it('the old password stops working at once, the new one works, repeated sign-ins stay right', async () => {
    const created = await t.post(`${t.space}/users`, { data: [{ email: 'cache.user@example.com', first_name: 'Cache', last_name: 'User', password: 'First-pw1' }] }, PREVIEW);
    expect(created.status, created.text).toBe(201);
    const id = created.body.data[0].id;
    const name = 'cache.user@example.com';
    for (let i = 0; i < 3; i++) expect(await signIn(name, 'First-pw1')).toBe(200);
    expect(await signIn(name, 'Second-pw2')).toBe(401);
    const changed = await t.put(`${t.space}/users/${id}`, { password: 'Second-pw2' }, PREVIEW);
    expect(changed.status, changed.text).toBe(200);
    expect(await signIn(name, 'First-pw1')).toBe(401);
    for (let i = 0; i < 3; i++) expect(await signIn(name, 'Second-pw2')).toBe(200);
    // back to the first password: a new salted hash, checked afresh
    expect((await t.put(`${t.space}/users/${id}`, { password: 'First-pw1' }, PREVIEW)).status).toBe(200);
    expect(await signIn(name, 'Second-pw2')).toBe(401);
    expect(await signIn(name, 'First-pw1')).toBe(200);
  });
});
