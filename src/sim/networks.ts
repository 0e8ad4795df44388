// Simulated internet: autonomous systems (consumer ISPs, mobile, clouds, hosting, universities)
// with /24 prefixes, so every request carries an IP, ASN and country that hang together.
import type { Random } from './random.js';

export type NetworkKind = 'isp' | 'cloud' | 'hosting' | 'university';

export interface Network {
  asn: number;
  name: string;
  country: string;
  kind: NetworkKind;
  /** Allocated /24 prefixes as "a.b.c". */
  prefixes: string[];
}

export interface Address {
  ip: string;
  asn: number;
  country: string;
}

const ispTable: [number, string, string][] = [
  [7922, 'Comcast', 'US'],
  [20115, 'Charter', 'US'],
  [701, 'Verizon', 'US'],
  [7018, 'AT&T', 'US'],
  [812, 'Rogers', 'CA'],
  [3320, 'Deutsche Telekom', 'DE'],
  [3209, 'Vodafone DE', 'DE'],
  [3215, 'Orange', 'FR'],
  [2856, 'BT', 'GB'],
  [3352, 'Telefonica', 'ES'],
  [4713, 'NTT OCN', 'JP'],
  [4766, 'Korea Telecom', 'KR'],
  [9498, 'Bharti Airtel', 'IN'],
  [55836, 'Reliance Jio', 'IN'],
  [4134, 'China Telecom', 'CN'],
  [4837, 'China Unicom', 'CN'],
  [28573, 'Claro', 'BR'],
  [7473, 'Singtel', 'SG'],
  [1221, 'Telstra', 'AU'],
  [7552, 'Viettel', 'VN'],
  [9121, 'Turk Telekom', 'TR'],
  [9299, 'PLDT', 'PH'],
  [7713, 'Telkom Indonesia', 'ID'],
  [9269, 'HKBN', 'HK'],
  [8151, 'Telmex', 'MX'],
  [5089, 'Virgin Media', 'GB'],
  [3269, 'TIM', 'IT'],
  [6830, 'Liberty Global', 'NL'],
  [12389, 'Rostelecom', 'RU'],
  [45899, 'VNPT', 'VN'],
  [17676, 'SoftBank', 'JP'],
  [3462, 'Chunghwa', 'TW'],
  [9808, 'China Mobile', 'CN'],
  [45609, 'Airtel Mobile', 'IN'],
];

const cloudTable: [number, string, string, NetworkKind][] = [
  [16509, 'Amazon AWS', 'US', 'cloud'],
  [15169, 'Google Cloud', 'US', 'cloud'],
  [8075, 'Microsoft Azure', 'US', 'cloud'],
  [31898, 'Oracle Cloud', 'US', 'cloud'],
  [45102, 'Alibaba Cloud', 'SG', 'cloud'],
  [132203, 'Tencent Cloud', 'HK', 'cloud'],
  [14061, 'DigitalOcean', 'US', 'hosting'],
  [24940, 'Hetzner', 'DE', 'hosting'],
  [16276, 'OVH', 'FR', 'hosting'],
  [63949, 'Akamai Linode', 'US', 'hosting'],
  [20473, 'Vultr', 'US', 'hosting'],
  [9009, 'M247', 'GB', 'hosting'],
];

const universityTable: [number, string, string][] = [
  [3, 'MIT', 'US'],
  [32, 'Stanford University', 'US'],
  [25, 'UC Berkeley', 'US'],
  [9, 'Carnegie Mellon', 'US'],
  [559, 'SWITCH (ETH Zurich)', 'CH'],
  [786, 'JANET (Oxford)', 'GB'],
  [4538, 'CERNET (Tsinghua)', 'CN'],
  [2500, 'WIDE (U Tokyo)', 'JP'],
  [1781, 'KAIST', 'KR'],
  [55824, 'NKN (IIT)', 'IN'],
  [12816, 'MWN (TU Munich)', 'DE'],
  [239, 'University of Toronto', 'CA'],
  [2200, 'RENATER (Sorbonne)', 'FR'],
  [1103, 'SURF (Amsterdam)', 'NL'],
  [7575, 'AARNet (Melbourne)', 'AU'],
  [1930, 'FCCN (Lisbon)', 'PT'],
];

/** Countries that appear in the traffic, with their UTC offset in hours (one zone each, for simplicity). */
export const countryUtcOffset: Record<string, number> = {
  US: -6,
  CA: -5,
  MX: -6,
  BR: -3,
  GB: 0,
  IE: 0,
  PT: 0,
  DE: 1,
  FR: 1,
  ES: 1,
  IT: 1,
  NL: 1,
  CH: 1,
  TR: 3,
  RU: 3,
  IN: 5.5,
  VN: 7,
  ID: 7,
  CN: 8,
  HK: 8,
  SG: 8,
  TW: 8,
  PH: 8,
  JP: 9,
  KR: 9,
  AU: 10,
};

function isReserved(first: number, second: number): boolean {
  return (
    first === 0 ||
    first === 10 ||
    first === 127 ||
    first >= 224 ||
    (first === 100 && second >= 64 && second < 128) ||
    (first === 169 && second === 254) ||
    (first === 172 && second >= 16 && second < 32) ||
    (first === 192 && second === 168) ||
    (first === 198 && (second === 18 || second === 19))
  );
}

/** Builds the simulated internet once per run: every network gets its own /24s, none shared. */
export class Internet {
  readonly isps: Network[];
  readonly clouds: Network[];
  readonly universities: Network[];
  private readonly used = new Set<string>();
  private readonly random: Random;

  constructor(random: Random) {
    this.random = random;
    this.isps = ispTable.map(([asn, name, country]) => this.network(asn, name, country, 'isp', 24));
    this.clouds = cloudTable.map(([asn, name, country, kind]) =>
      this.network(asn, name, country, kind, 12),
    );
    this.universities = universityTable.map(([asn, name, country]) =>
      this.network(asn, name, country, 'university', 2),
    );
  }

  private network(
    asn: number,
    name: string,
    country: string,
    kind: NetworkKind,
    count: number,
  ): Network {
    const prefixes: string[] = [];
    const first = 20 + this.random.int(200);
    while (prefixes.length < count) {
      const a = this.random.chance(0.7) ? first : 20 + this.random.int(200);
      const b = this.random.int(256);
      const c = this.random.int(256);
      if (isReserved(a, b)) continue;
      const prefix = `${a}.${b}.${c}`;
      if (this.used.has(prefix)) continue;
      this.used.add(prefix);
      prefixes.push(prefix);
    }
    return { asn, name, country, kind, prefixes };
  }

  /** An address inside `network`, on a random /24 of it. */
  addressIn(network: Network, random: Random): Address {
    return {
      ip: `${random.pick(network.prefixes)}.${1 + random.int(254)}`,
      asn: network.asn,
      country: network.country,
    };
  }

  /** A consumer ISP of `country` (or any ISP when the country has none). */
  ispOf(country: string, random: Random): Network {
    const local = this.isps.filter((network) => network.country === country);
    return random.pick(local.length > 0 ? local : this.isps);
  }

  /** A pool of `size` residential addresses spread over many ISPs and countries, as proxy resellers sell. */
  residentialPool(size: number, random: Random, countries?: string[]): Address[] {
    const candidates = countries
      ? this.isps.filter((network) => countries.includes(network.country))
      : this.isps;
    return Array.from({ length: size }, () => this.addressIn(random.pick(candidates), random));
  }
}

/** Client user agents by family, as official SDKs and common HTTP clients send them. */
export const userAgents = {
  openaiPython: [
    'OpenAI/Python 1.51.2',
    'OpenAI/Python 1.54.4',
    'OpenAI/Python 1.57.0',
    'OpenAI/Python 1.59.7',
  ],
  openaiNode: ['OpenAI/JS 4.67.3', 'OpenAI/JS 4.73.1', 'OpenAI/JS 4.77.0'],
  anthropicPython: [
    'Anthropic/Python 0.39.0',
    'Anthropic/Python 0.42.0',
    'Anthropic/Python 0.45.2',
  ],
  anthropicNode: ['Anthropic/JS 0.32.1', 'Anthropic/JS 0.36.3'],
  scripts: [
    'python-requests/2.31.0',
    'python-httpx/0.27.2',
    'curl/8.5.0',
    'Go-http-client/1.1',
    'axios/1.7.7',
    'aiohttp/3.10.10',
  ],
  browsers: [
    'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0',
    'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1',
    'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36',
  ],
  frameworks: ['langchain-openai/0.2.9', 'llama-index/0.12.1', 'litellm/1.52.0', 'vercel-ai/4.0.3'],
} as const;
