// Reads and validates the two files eval compares: the simulator's labels and an analysis report.
// Each failure names the file, the field at fault, and what to pass instead.
import { readFile } from 'node:fs/promises';
import {
  DistillGuardError,
  describeFileError,
  validateLabels,
  validateReport,
  type AnalysisReport,
  type Labels,
  type Validator,
} from '../core/index.js';

interface InputKind<T> {
  /** How the file is named in messages. */
  role: string;
  schemaFile: string;
  /** Where a good file comes from. */
  remedy: string;
  validator: () => Validator<T>;
}

const labelsInput: InputKind<Labels> = {
  role: 'labels file',
  schemaFile: 'contracts/labels.schema.json',
  remedy: 'Pass the labels JSON that `distillguard simulate` writes beside the interactions.',
  validator: validateLabels,
};

const reportInput: InputKind<AnalysisReport> = {
  role: 'report file',
  schemaFile: 'contracts/analysis-report.schema.json',
  remedy: 'Pass the report JSON that `distillguard analyze --out FILE` writes.',
  validator: validateReport,
};

/**
 * Reads both files (whole: they are single JSON documents, tens of MB at most) and checks each
 * against its contract. Throws DistillGuardError `input_unreadable` or `input_invalid`; when both
 * files are bad, the labels file's error is the one thrown.
 */
export async function readEvaluationInputs(
  labelsPath: string,
  reportPath: string,
): Promise<{ labels: Labels; report: AnalysisReport }> {
  const [labels, report] = await Promise.allSettled([
    readInput(labelsPath, labelsInput),
    readInput(reportPath, reportInput),
  ]);
  if (labels.status === 'rejected') throw labels.reason;
  if (report.status === 'rejected') throw report.reason;
  return { labels: labels.value, report: report.value };
}

async function readInput<T>(path: string, kind: InputKind<T>): Promise<T> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new DistillGuardError(
      'input_unreadable',
      `${kind.role}: ${describeReadError(path, error)}`,
      { cause: error },
    );
  }

  let value: unknown;
  try {
    // A byte-order mark is legal in a UTF-8 file but not in JSON.
    value = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch (error) {
    throw new DistillGuardError(
      'input_invalid',
      `${kind.role} '${path}' is not valid JSON (${(error as Error).message}). ${kind.remedy}`,
      { cause: error },
    );
  }

  const isValid = kind.validator();
  if (!isValid(value)) {
    const { field, reason } = isValid.problem();
    const where = field === '' ? 'the document itself' : `field '${field}'`;
    throw new DistillGuardError(
      'input_invalid',
      `${kind.role} '${path}' does not fit ${kind.schemaFile}: ${where} ${reason}. ${kind.remedy}`,
    );
  }
  return value;
}

function describeReadError(path: string, error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  // The shared wording suggests '-' and .jsonl files, which do not apply to these two JSON files.
  if (code === 'ENOENT') return `cannot read '${path}': no such file. Check the path.`;
  if (code === 'EISDIR') return `cannot read '${path}': it is a directory. Pass a .json file.`;
  return describeFileError(path, error);
}
