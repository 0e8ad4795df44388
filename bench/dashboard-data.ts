// The store the dashboard benchmark serves: a simulated week with one large campaign, analysed
// into SQLite, an analyst to log in as and a case on the large campaign. Made once into a folder
// named for its parameters and reused while its marker file is there (the set-up takes minutes).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { builtCliMain } from './bench-targets.js';

export interface DashboardDataOptions {
  /** The folder that holds one subfolder per parameter set. */
  parent: string;
  scale: string;
  seed: string;
  hydraAccounts: string;
}

/** What the marker file records: enough to serve and log in without repeating the set-up. */
interface DataMarker {
  analyst_token: string;
  campaign_id: string;
  case_id: string;
  interactions: number;
  setup_seconds: { simulate: number; analyze: number; users_and_case: number };
  made_at: string;
}

export interface DashboardData extends DataMarker {
  folder: string;
  database: string;
  /** True when the folder was made by an earlier run. */
  reused: boolean;
}

const markerName = 'bench-data.json';

/** The store for `options`, made now unless an earlier run left it complete. */
export function dashboardData(options: DashboardDataOptions): DashboardData {
  const folder = join(
    options.parent,
    `scale${options.scale}-seed${options.seed}-hydra${options.hydraAccounts}`,
  );
  const database = join(folder, 'store.db');
  const marker = join(folder, markerName);
  if (existsSync(marker)) {
    const recorded = JSON.parse(readFileSync(marker, 'utf8')) as DataMarker;
    return { ...recorded, folder, database, reused: true };
  }
  // a folder without its marker is an interrupted set-up: start again
  rmSync(folder, { recursive: true, force: true });
  mkdirSync(folder, { recursive: true });
  const simulation = join(folder, 'sim');
  const report = join(folder, 'report.json');

  const simulateSeconds = timed(() =>
    cli([
      'simulate',
      '--out',
      simulation,
      '--scale',
      options.scale,
      '--seed',
      options.seed,
      '--hydra-accounts',
      options.hydraAccounts,
    ]),
  );
  const analyzeSeconds = timed(() =>
    cli([
      'analyze',
      '--interactions',
      join(simulation, 'interactions.jsonl'),
      '--accounts',
      join(simulation, 'accounts.jsonl'),
      '--out',
      report,
      '--db',
      database,
    ]),
  );
  const analysis = JSON.parse(readFileSync(report, 'utf8')) as {
    input: { interactions?: number };
    campaigns: { campaign_id: string; accounts: unknown[] }[];
  };
  const largest = [...analysis.campaigns].sort((a, b) => b.accounts.length - a.accounts.length)[0];
  if (!largest) throw new Error(`analyze found no campaign in ${simulation}`);

  let analystToken = '';
  let caseId = '';
  const usersSeconds = timed(() => {
    // the first user is an admin, who adds the analyst; the analyst opens a case for the case page
    const adminToken = tokenOf(
      cliOutput(['users', 'add', 'bench-admin', '--role', 'admin', '--db', database]),
    );
    analystToken = tokenOf(
      cliOutput(
        [
          'users',
          'add',
          'bench-analyst',
          '--role',
          'analyst',
          '--as',
          'bench-admin',
          '--db',
          database,
        ],
        adminToken,
      ),
    );
    const opened = cliOutput(
      [
        'cases',
        'open',
        '--campaign',
        largest.campaign_id,
        '--reason',
        'the dashboard benchmark',
        '--as',
        'bench-analyst',
        '--db',
        database,
      ],
      analystToken,
    );
    caseId = /opened (\S+)/.exec(opened)?.[1] ?? '';
    if (!caseId) throw new Error(`cases open printed no case id: ${opened}`);
  });
  const recorded: DataMarker = {
    analyst_token: analystToken,
    campaign_id: largest.campaign_id,
    case_id: caseId,
    interactions: analysis.input.interactions ?? Number.NaN,
    setup_seconds: {
      simulate: round(simulateSeconds),
      analyze: round(analyzeSeconds),
      users_and_case: round(usersSeconds),
    },
    made_at: new Date().toISOString(),
  };
  // the simulated log stays: the store points into it for each exchange's raw record
  writeFileSync(marker, `${JSON.stringify(recorded, null, 2)}\n`, { mode: 0o600 });
  return { ...recorded, folder, database, reused: false };
}

/** Runs the built CLI with its output on our stderr (the table owns stdout). */
function cli(args: string[]): void {
  process.stderr.write(`distillguard ${args.join(' ')}\n`);
  execFileSync(process.execPath, [builtCliMain, ...args], { stdio: ['ignore', 2, 2] });
}

/** Runs the built CLI as the user of `token` and returns what it printed (a token, a case id). */
function cliOutput(args: string[], token?: string): string {
  process.stderr.write(`distillguard ${args.join(' ')}\n`);
  return execFileSync(process.execPath, [builtCliMain, ...args], {
    env: token ? { ...process.env, DISTILLGUARD_TOKEN: token } : process.env,
    stdio: ['ignore', 'pipe', 'inherit'],
  }).toString();
}

function tokenOf(output: string): string {
  const token = /token[^:]*:\s*(\S+)\s*$/m.exec(output)?.[1];
  if (!token) throw new Error(`users add printed no token: ${output}`);
  return token;
}

function timed(work: () => unknown): number {
  const started = process.hrtime.bigint();
  work();
  return Number(process.hrtime.bigint() - started) / 1e9;
}

const round = (seconds: number) => Math.round(seconds * 10) / 10;
