// Secrets (user passwords, API key secrets) are kept as salted scrypt hashes, never in clear.

import { createHmac, randomBytes, scryptSync, timingSafeEqual } from 'node:crypto';

const KEY_LENGTH = 32;
// Cost kept modest: an emulator signs in often and is not guarding real accounts.
const COST = { N: 1024, r: 8, p: 1 };
const PREFIX = 'scrypt$';

export function hashSecret(secret: string): string {
  const salt = randomBytes(16);
  const key = scryptSync(secret, salt, KEY_LENGTH, COST);
  return `${PREFIX}${salt.toString('base64')}$${key.toString('base64')}`;
}

export function isHashed(value: string): boolean {
  return value.startsWith(PREFIX);
}

/**
 * Secrets that matched their stored hash, so that a client signing in again and again (a CI suite,
 * Basic auth on every request) pays scrypt once. An entry is an HMAC, under a key drawn at start
 * and never stored, of the stored hash and the secret: no secret is kept in clear, and a changed
 * password (a new salted hash) never matches an entry of the old one. Failed checks are not kept.
 */
const verified = new Set<string>();
const VERIFIED_LIMIT = 10_000;
const verifiedKey = randomBytes(32);

function verifiedDigest(secret: string, stored: string): string {
  return createHmac('sha256', verifiedKey).update(stored).update('\0').update(secret).digest('base64');
}

export function verifySecret(secret: string, stored: string | null | undefined): boolean {
  if (!stored || !isHashed(stored)) return false;
  const digest = verifiedDigest(secret, stored);
  if (verified.has(digest)) return true;
  if (!scryptMatches(secret, stored)) return false;
  if (verified.size >= VERIFIED_LIMIT) verified.clear();
  verified.add(digest);
  return true;
}

function scryptMatches(secret: string, stored: string): boolean {
  const [saltText, keyText] = stored.slice(PREFIX.length).split('$');
  if (!saltText || !keyText) return false;
  const expected = Buffer.from(keyText, 'base64');
  const actual = scryptSync(secret, Buffer.from(saltText, 'base64'), expected.length, COST);
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}
