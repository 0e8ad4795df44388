// `distillguard users add|list|disable`: the people who work cases and the log, one role each. A
// token is printed once; the store keeps its keyed hash. The first user of a store is an admin
// added without --as; every later change is made by an admin.
import type { Command } from 'commander';
import { DistillGuardError } from '../../core/index.js';
import { addUser, parseRole, requireAction, roles } from '../../designate/index.js';
import { actingUser, deskOptions, withDesk, type DeskOptions } from '../acting-user.js';

export function registerUsers(program: Command): void {
  const users = program
    .command('users')
    .description(`the users of cases and the log, each with one role (${roles.join(', ')})`);
  deskOptions(
    users
      .command('add <name>')
      .description(
        'add a user and print its token once (the first user is an admin, added without --as)',
      )
      .requiredOption('--role <role>', roles.join(', ')),
  ).action(async (name: string, options: DeskOptions & { role: string }) => {
    const role = parseRole(options.role);
    const added = await withDesk(options, async ({ store, desk, keyHashSecret }) => {
      const by = options.as ? await actingUser(store, keyHashSecret, options) : null;
      // one transaction: two first admins cannot both be added, and no user exists unlogged
      return store.designation.atomically(async () => {
        const user = await addUser(store.designation, keyHashSecret, { name, role, by });
        await desk.log.append({
          kind: 'user.added',
          at: new Date().toISOString(),
          actor: by?.name ?? name,
          role: by?.role ?? 'admin',
          user: name,
          user_role: role,
        });
        return user;
      });
    });
    process.stdout.write(
      `added ${added.name} (${added.role})\ntoken (shown once; keep it in a file only this user reads): ${added.token}\n`,
    );
  });
  deskOptions(users.command('list').description('users, roles and who added them')).action(
    async (options: DeskOptions) => {
      const rows = await withDesk(options, async ({ store, keyHashSecret }) => {
        requireAction(await actingUser(store, keyHashSecret, options), 'read');
        return store.designation.listUsers();
      });
      for (const row of rows)
        process.stdout.write(
          `${row.name}\t${row.role}\tadded ${row.createdAt} by ${row.createdBy}${row.disabledAt ? `\tdisabled ${row.disabledAt}` : ''}\n`,
        );
    },
  );
  deskOptions(
    users
      .command('disable <name>')
      .description('refuse this user from now on (its history stays attributed)'),
  ).action(async (name: string, options: DeskOptions) => {
    await withDesk(options, async ({ store, desk, keyHashSecret }) => {
      const by = await actingUser(store, keyHashSecret, options);
      requireAction(by, 'manage-users');
      const at = new Date().toISOString();
      await store.designation.atomically(async () => {
        const target = await store.designation.findUser(name);
        if (!target || target.disabledAt !== null)
          throw new DistillGuardError(
            'usage',
            `no active user '${name}'; \`distillguard users list\` shows them.`,
          );
        const admins = (await store.designation.listUsers()).filter(
          (user) => user.role === 'admin' && user.disabledAt === null,
        );
        if (target.role === 'admin' && admins.length === 1)
          throw new DistillGuardError(
            'refused',
            `'${name}' is the last active admin: add another admin first, or no one could manage users again.`,
          );
        await store.designation.disableUser(name, at);
        await desk.log.append({
          kind: 'user.disabled',
          at,
          actor: by.name,
          role: by.role,
          user: name,
          user_role: target.role,
        });
      });
    });
    process.stdout.write(`disabled ${name}\n`);
  });
}
