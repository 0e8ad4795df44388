// Users of cases, the log and (later) the admin API and dashboard: a name, one role, a token shown
// once and stored as an HMAC under the store's key-hashing secret. Every action is attributed to
// the user who authenticated.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { DistillGuardError } from '../core/index.js';
import type { DesignationStore, UserRow } from '../store/index.js';
import { isRole, requireAction, roles, type Actor, type Role } from './roles.js';

const namePattern = /^[a-z0-9][a-z0-9._-]{0,63}$/i;

/** How a user token is stored: HMAC-SHA-256 under the key-hashing secret (API keys use the same). */
export function userTokenHash(keyHashSecret: Buffer, token: string): string {
  return createHmac('sha256', keyHashSecret).update(`user-token:${token}`).digest('base64url');
}

export function parseRole(text: string): Role {
  if (isRole(text)) return text;
  throw new DistillGuardError('usage', `unknown role '${text}': use one of ${roles.join(', ')}.`);
}

export interface AddedUser {
  name: string;
  role: Role;
  /** Shown once; only its keyed hash is stored. */
  token: string;
}

/**
 * Adds a user. The first user of a store must be an admin and needs no one to vouch for it
 * (`by` null); every later one is added by an admin. The check for existing users and the add run
 * in one transaction, so two first admins cannot both be added.
 * @throws DistillGuardError on a bad name, a taken name, or an actor who may not manage users.
 */
export async function addUser(
  store: DesignationStore,
  keyHashSecret: Buffer,
  request: { name: string; role: Role; by: Actor | null },
): Promise<AddedUser> {
  if (!namePattern.test(request.name))
    throw new DistillGuardError(
      'usage',
      `user name '${request.name}' is not allowed: use 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit.`,
    );
  return store.atomically(async () => {
    const existing = await store.listUsers();
    if (request.by === null) {
      if (existing.length > 0)
        throw new DistillGuardError(
          'forbidden',
          `this store already has users: add '${request.name}' as an admin (--as NAME with DISTILLGUARD_TOKEN or --token-file).`,
        );
      if (request.role !== 'admin')
        throw new DistillGuardError(
          'usage',
          `the first user of a store must be an admin (--role admin); it then adds the others.`,
        );
    } else requireAction(request.by, 'manage-users');
    const token = `dgu-${randomBytes(30).toString('base64url')}`;
    const added = await store.addUser({
      name: request.name,
      role: request.role,
      tokenHash: userTokenHash(keyHashSecret, token),
      createdAt: new Date().toISOString(),
      createdBy: request.by?.name ?? '(first user)',
      disabledAt: null,
    });
    if (!added)
      throw new DistillGuardError(
        'usage',
        `a user named '${request.name}' already exists (disabled users keep their name).`,
      );
    return { name: request.name, role: request.role, token };
  });
}

/**
 * The user `name` if `token` is theirs and they are not disabled.
 * @throws DistillGuardError('forbidden') without saying which of name or token was wrong.
 */
export async function authenticateUser(
  store: DesignationStore,
  keyHashSecret: Buffer,
  name: string,
  token: string,
): Promise<Actor> {
  const row: UserRow | null = await store.findUser(name);
  const hash = Buffer.from(userTokenHash(keyHashSecret, token));
  const matches =
    row !== null &&
    row.tokenHash.length === hash.length &&
    timingSafeEqual(Buffer.from(row.tokenHash), hash);
  if (!row || !matches)
    throw new DistillGuardError(
      'forbidden',
      `unknown user '${name}' or wrong token. Pass the token 'users add' printed for this user in DISTILLGUARD_TOKEN or --token-file.`,
    );
  if (row.disabledAt !== null)
    throw new DistillGuardError('forbidden', `user '${name}' was disabled on ${row.disabledAt}.`);
  if (!isRole(row.role))
    throw new DistillGuardError(
      'store_failed',
      `user '${name}' has an unknown role '${row.role}'.`,
    );
  return { name: row.name, role: row.role };
}

/**
 * The user a bearer token belongs to (the admin API and the dashboard), or null when it is no
 * live user's token.
 */
export async function userOfToken(
  store: DesignationStore,
  keyHashSecret: Buffer,
  token: string,
): Promise<Actor | null> {
  const hash = userTokenHash(keyHashSecret, token);
  const row = await store.findUserByTokenHash(hash);
  if (
    !row ||
    row.disabledAt !== null ||
    !isRole(row.role) ||
    !timingSafeEqual(Buffer.from(row.tokenHash), Buffer.from(hash))
  )
    return null;
  return { name: row.name, role: row.role };
}
