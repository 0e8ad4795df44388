// The MITRE ATLAS techniques and case study that describe a distillation campaign, as STIX
// external references (names and ids from ATLAS.yaml, mitre-atlas/atlas-data; Apache-2.0).
import type { JsonObject } from '../core/index.js';

export interface AtlasTechnique {
  id: string;
  name: string;
  /** What the technique means for a distillation campaign (our words). */
  use: string;
}

export const atlasTechniques: readonly AtlasTechnique[] = [
  {
    id: 'AML.T0024.002',
    name: 'Extract AI Model',
    use: "harvests the model's outputs at scale to copy its capabilities",
  },
  {
    id: 'AML.T0005.001',
    name: 'Train Proxy via Replication',
    use: 'trains a student model on the harvested outputs',
  },
  {
    id: 'AML.T0040',
    name: 'AI Model Inference API Access',
    use: 'works through the public inference API',
  },
  {
    id: 'AML.T0021',
    name: 'Establish Accounts',
    use: 'spreads its traffic over many accounts',
  },
  {
    id: 'AML.T0008.005',
    name: 'AI Service Proxies',
    use: 'reaches the API through proxy services and rotating exits',
  },
];

export const atlasCaseStudy = {
  id: 'AML.CS0056',
  name: 'Model Distillation Campaigns Targeting Anthropic Claude',
};

export function atlasReference(id: string, kind: 'techniques' | 'studies'): JsonObject {
  return {
    source_name: 'mitre-atlas',
    external_id: id,
    url: `https://atlas.mitre.org/${kind}/${id}`,
  };
}
