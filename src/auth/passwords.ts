// Secrets (user passwords, API key secrets) are kept as salted scrypt hashes, never in clear.

import { randomBytes, scryptSync, timingSafeEqual } from 'node:crypto';

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

export function verifySecret(secret: string, stored: string | null | undefined): boolean {
  if (!stored || !isHashed(stored)) return false;
  const [saltText, keyText] = stored.slice(PREFIX.length).split('$');
  if (!saltText || !keyText) return false;
  const expected = Buffer.from(keyText, 'base64');
  const actual = scryptSync(secret, Buffer.from(saltText, 'base64'), expected.length, COST);
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}
