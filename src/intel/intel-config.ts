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
   * Client addresses as indicators: 'keyed' (HMAC under the community key, the default), 'clear'
   * (the addresses themselves, for partners that block by address), or 'none'.
   */
  network_indicators: z.enum(['none', 'keyed', 'clear']).default('keyed'),
});

export type IntelConfig = z.infer<typeof intelConfigSchema>;

export const defaultIntelConfig: IntelConfig = intelConfigSchema.parse({});
