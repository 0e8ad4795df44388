// Fixed watermark keys for tests and measurement scripts: same label, same key, so results repeat.
import { createHash } from 'node:crypto';
import {
  defaultParameters,
  parseWatermarkKey,
  type WatermarkKey,
  type WatermarkParameters,
  type WatermarkScheme,
} from '../watermark/index.js';

export function fixedWatermarkKey(
  scheme: WatermarkScheme,
  label: string,
  overrides: Partial<WatermarkParameters> = {},
): WatermarkKey {
  const secret = createHash('sha256').update(`test-key/${scheme}/${label}`).digest();
  return parseWatermarkKey({
    key_id: `wk_test_${label}`,
    scheme,
    parameters: { ...defaultParameters(scheme), ...overrides },
    secret: secret.toString('base64url'),
    created_at: '2026-11-27T00:00:00.000Z',
  });
}
