// The `intel` block of the config file: who we are when we share (the STIX identity), which TLP
// an export carries unless told, and whether client network indicators are shared at all.
import { z } from 'zod';
import { tlpLevels } from './tlp.js';

export const intelConfigSchema = z.strictObject({
  /** The reporting organisation, as partners will see it (the identity every object is created by). */
  organization: z
    .strictObject({
      name: z.string().min(1),
      identity_class: z
        .enum(['organization', 'individual', 'group', 'system', 'class', 'unknown'])
        .default('organization'),
      sectors: z.array(z.string().min(1)).optional(),
      contact_information: z.string().min(1).optional(),
    })
    .optional(),
  /** TLP of an export that does not say (--tlp). AMBER: partners only, never published. */
  default_tlp: z.enum(tlpLevels).default('amber'),
  /**
   * Client addresses as indicators: 'none' (the default), 'keyed' (HMAC under the community key:
   * hidden from outsiders, but any holder of the key can try all 2^32 IPv4 addresses), or 'clear'
   * (the addresses themselves, for partners that block by address).
   */
  network_indicators: z.enum(['none', 'keyed', 'clear']).default('none'),
  /**
   * Whether `serve`'s live detection counts partners' keyed indicators (imported or pulled into its
   * store, with the community key) as evidence, so that the response ladder acts on them.
   */
  partner_signal: z.boolean().default(true),
  /**
   * A hub's sharing agreements: where `intel relay` (and `hub` after each post) passes on what it
   * received: a partner lab's or an allied hub's TAXII collection, the TLP at most (AMBER+STRICT
   * and RED never leave), with or without the source lab's attribution.
   */
  relay_to: z
    .array(
      z.strictObject({
        /** The target's name; also: nothing it sent is relayed back to it (its partner name here). */
        name: z.string().min(1),
        /** Its TAXII 2.1 discovery or API root URL. */
        server: z.url(),
        /** Its collection to post to. */
        collection: z.string().min(1),
        user: z.string().min(1).optional(),
        password_file: z.string().min(1).optional(),
        token_file: z.string().min(1).optional(),
        /** Our collections whose additions are relayed. */
        from_collections: z.array(z.string().min(1)).min(1).default(['campaigns']),
        max_tlp: z.enum(tlpLevels).default('green'),
        attribution: z.boolean().default(true),
      }),
    )
    .default([]),
});

export type IntelConfig = z.infer<typeof intelConfigSchema>;

export const defaultIntelConfig: IntelConfig = intelConfigSchema.parse({});
