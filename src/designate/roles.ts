// Who may do what: five roles, each a set of actions. One user holds one role; the admin manages
// users and keys but neither approves nor moves cases, so no single account can push a case
// through review alone.
import { DistillGuardError } from '../core/index.js';

export const roles = ['viewer', 'analyst', 'reviewer', 'liaison', 'admin'] as const;
export type Role = (typeof roles)[number];

export const actions = [
  'read',
  'open-case',
  'attach',
  'work-case',
  'approve',
  'review-case',
  'talk-to-hub',
  'manage-users',
  'include-raw',
  'read-raw',
  'audit',
] as const;
export type Action = (typeof actions)[number];

const granted: Record<Role, readonly Action[]> = {
  viewer: ['read'],
  analyst: ['read', 'read-raw', 'open-case', 'attach', 'work-case', 'audit'],
  reviewer: ['read', 'read-raw', 'attach', 'approve', 'review-case'],
  liaison: ['read', 'attach', 'talk-to-hub'],
  admin: ['read', 'read-raw', 'manage-users', 'include-raw'],
};

/** What an action means, for messages. */
const described: Record<Action, string> = {
  read: 'read cases and the log',
  'open-case': 'open cases',
  attach: 'attach evidence',
  'work-case': 'move a case through evidence gathering and record appeals',
  approve: 'approve a case for sharing or nomination',
  'review-case': 'decide reviews and appeals',
  'talk-to-hub': 'share with partners and nominate to the hub',
  'manage-users': 'manage users',
  'include-raw': 'put raw exchanges and personal data in an evidence package',
  'read-raw': "read accounts' raw exchanges and personal data",
  audit: 'start a watermark audit of a suspect model',
};

export function isRole(value: string): value is Role {
  return (roles as readonly string[]).includes(value);
}

export function may(role: Role, action: Action): boolean {
  return granted[role].includes(action);
}

/** The roles that may take an action, for messages ("this needs the reviewer role"). */
export function rolesFor(action: Action): Role[] {
  return roles.filter((role) => may(role, action));
}

/** An acting user: who, and in which role. */
export interface Actor {
  name: string;
  role: Role;
}

/**
 * @throws DistillGuardError('forbidden') naming the user, its role, and the roles that may.
 */
export function requireAction(actor: Actor, action: Action): void {
  if (may(actor.role, action)) return;
  const needed = rolesFor(action);
  throw new DistillGuardError(
    'forbidden',
    `user '${actor.name}' (${actor.role}) may not ${described[action]}: this needs the ${needed.join(' or ')} role.`,
  );
}
