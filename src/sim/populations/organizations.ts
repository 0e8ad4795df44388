// Account records for companies (app developers, SaaS products, batch users): an org id, a company
// e-mail domain, their own card, and a fixed set of cloud egress addresses.
import type { Account } from '../../core/index.js';
import type { ClientInfo } from '../exchange.js';
import type { Address, Network } from '../networks.js';
import type { Random } from '../random.js';
import {
  createdBefore,
  newAccountId,
  newPaymentFingerprint,
  type SimulationContext,
} from '../context.js';

const companyCountries: [string, number][] = [
  ['US', 40],
  ['DE', 8],
  ['GB', 8],
  ['IN', 8],
  ['FR', 5],
  ['CA', 5],
  ['JP', 4],
  ['BR', 4],
  ['SG', 3],
  ['NL', 3],
  ['KR', 3],
  ['AU', 3],
];

export interface Organization {
  record: Account;
  country: string;
  egress: Address[];
  cloud: Network;
}

export function organization(
  context: SimulationContext,
  random: Random,
  options: { egressAddresses: number; ageDaysMedian: number },
): Organization {
  const country = random.weighted(companyCountries);
  const slug = `${random.pick(['bright', 'blue', 'north', 'rapid', 'clear', 'deep', 'open', 'smart', 'true', 'meta', 'nova', 'prime'])}${random.pick(['labs', 'works', 'soft', 'data', 'stack', 'ly', 'hq', 'ware', 'flow', 'base'])}${random.between(1, 99)}`;
  const cloud = random.pick(context.internet.clouds);
  const egress = Array.from({ length: options.egressAddresses }, () =>
    context.internet.addressIn(cloud, random),
  );
  const record: Account = {
    account_id: newAccountId(random),
    created_at: createdBefore(context, random.logNormal(options.ageDaysMedian, 0.8)),
    verification: random.weighted<NonNullable<Account['verification']>>([
      ['organization', 45],
      ['card', 45],
      ['startup', 10],
    ]),
    org_id: `org_${random.token(10)}`,
    email_domain: `${slug}.${random.pick(['com', 'io', 'ai', 'dev', 'app'])}`,
    payment_fingerprint: newPaymentFingerprint(random),
    country,
    signup_ip: context.internet.addressIn(context.internet.ispOf(country, random), random).ip,
  };
  return { record, country, egress, cloud };
}

/** A client that sends from one of the organization's egress addresses with a fixed user agent. */
export function egressClient(egress: Address[], userAgent: string): (random: Random) => ClientInfo {
  return (random) => ({ ...random.pick(egress), userAgent });
}
