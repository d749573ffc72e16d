import type { Readable } from 'node:stream';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { CsvChecker, shown, uniqueColumns, type CsvProblem, type HeaderHook, type RowCheck } from '../../lambdas/csv.js';
import { EtlError } from '../../lambdas/errors.js';
import { listObjects, s3 } from '../../lambdas/s3.js';
import {
  closest,
  DATE_FORMAT_LABELS,
  DISTRICT_ENROLLMENT,
  FILE_NAMES,
  GENDERS,
  isSameGoalDateBytes,
  oneOfBytes,
  REQUIRED_FILE,
  STUDENT_ID_MAX,
  STUDENT_OPTIONAL,
  STUDENT_REQUIRED,
} from './rules.js';

export class SameGoalValidationError extends EtlError {
  constructor(message: string) {
    super('SameGoal.ValidationFailed', message);
  }
}

export class MassChangeError extends EtlError {
  constructor(message: string) {
    super('SameGoal.MassChange', message);
  }
}

export interface DeliveryFile {
  name: string;
  key: string;
  rows: number;
  bytes: number;
}

const where = (file: string, p: CsvProblem) => `${file}${p.line ? ` line ${p.line}` : ''}${p.column ? `, column '${p.column}'` : ''}`;

const isGender = oneOfBytes(GENDERS);
const isEnrollment = oneOfBytes(DISTRICT_ENROLLMENT);

/**
 * Checks of students.csv's values: a row check for the CSV checker, set up from the header.
 * Hot: it runs on every row, so it decodes only the fields a check reads as text.
 */
export const studentChecks: HeaderHook = (header, checker) => {
  const index = (col: string) => header.indexOf(col);
  const requiredColumns = STUDENT_REQUIRED.filter((col) => index(col) >= 0);
  const required = requiredColumns.map(index);
  const [id, dob, gender, enrollment] = ['Student Id', 'Date of Birth', 'Gender', 'District Enrollment'].map(index) as [number, number, number, number];
  const unique = uniqueColumns(checker, header, ['Student Id'], 'Student Id must be unique');
  const report = (line: number, column: string, message: string) => checker.problem({ line, column, message });
  const check: RowCheck = (row) => {
    for (let k = 0; k < required.length; k++) {
      if (row.isBlank(required[k]!)) report(row.line, requiredColumns[k]!, 'is empty; it is required');
    }
    // A value of at most 20 bytes has at most 20 characters: decoded only when longer.
    if (id >= 0 && row.byteLength(id) > STUDENT_ID_MAX) {
      const length = [...row.value(id)].length;
      if (length > STUDENT_ID_MAX) report(row.line, 'Student Id', `is ${length} characters; at most ${STUDENT_ID_MAX}`);
    }
    unique?.(row);
    // Checked on the bytes; a value is decoded only to be shown in a problem.
    if (dob >= 0 && !row.isEmpty(dob) && !row.matches(dob, isSameGoalDateBytes)) {
      report(row.line, 'Date of Birth', `${shown(row.value(dob))} is not a date in ${DATE_FORMAT_LABELS}`);
    }
    if (gender >= 0 && !row.isEmpty(gender) && !row.matches(gender, isGender)) {
      report(row.line, 'Gender', `${shown(row.value(gender))} is not one of ${GENDERS.join(', ')}`);
    }
    if (enrollment >= 0 && !row.isEmpty(enrollment) && !row.matches(enrollment, isEnrollment)) {
      report(row.line, 'District Enrollment', `${shown(row.value(enrollment))} is not one of ${DISTRICT_ENROLLMENT.join(', ')}`);
    }
  };
  check.finish = unique?.finish;
  return check;
};

function headerProblems(file: string, header: string[]): string[] {
  const known = [...STUDENT_REQUIRED, ...STUDENT_OPTIONAL] as readonly string[];
  const problems: string[] = [];
  for (const col of STUDENT_REQUIRED) {
    if (!header.includes(col)) problems.push(`${file} line 1: is missing the required column '${col}'`);
  }
  const unknown = header.filter((col) => !known.includes(col));
  for (const col of unknown.slice(0, 10)) {
    problems.push(`${file} line 1, column ${shown(col)}: is not a SameGoal column; did you mean '${closest(col.slice(0, 100), known)}'?`);
  }
  if (unknown.length > 10) problems.push(`${file} line 1: ${unknown.length - 10} more columns that are not SameGoal columns`);
  return problems;
}

/**
 * Every file of a delivery, checked before anything is sent: names (students.csv required,
 * four others allowed), RFC 4180 and UTF-8, and for students.csv its columns, enumerations,
 * dates and unique Student Ids. Throws with every problem, each with file, line and column.
 */
export async function validateDelivery(bucket: string, prefix: string): Promise<DeliveryFile[]> {
  const objects = (await listObjects(bucket, prefix)).filter((o) => !o.key.endsWith('/_READY'));
  const problems: string[] = [];
  const files: DeliveryFile[] = [];
  for (const o of objects.sort((a, b) => a.key.localeCompare(b.key))) {
    const name = o.key.slice(prefix.length);
    if (!(FILE_NAMES as readonly string[]).includes(name)) {
      problems.push(`${name}: SameGoal takes only ${FILE_NAMES.join(', ')}; did you mean '${closest(name, FILE_NAMES)}'?`);
      continue;
    }
    const checker = new CsvChecker(name === REQUIRED_FILE ? studentChecks : undefined);
    const body = (await s3.send(new GetObjectCommand({ Bucket: bucket, Key: o.key }))).Body as Readable;
    for await (const chunk of body) checker.write(chunk as Buffer);
    const result = checker.end();
    if (name === REQUIRED_FILE && result.header.length > 0) problems.push(...headerProblems(name, result.header));
    for (const p of result.problems) problems.push(`${where(name, p)}: ${p.message}`);
    if (result.moreProblems > 0) problems.push(`${name}: ${result.moreProblems} more problems like these`);
    files.push({ name, key: o.key, rows: result.rows, bytes: o.size });
  }
  if (!files.some((f) => f.name === REQUIRED_FILE) && !problems.some((p) => p.startsWith(`${REQUIRED_FILE}`))) {
    problems.unshift(`${REQUIRED_FILE}: is required and is not in s3://${bucket}/${prefix}`);
  }
  if (problems.length > 0) {
    throw new SameGoalValidationError(
      `The delivery in s3://${bucket}/${prefix} has ${problems.length} problem${problems.length === 1 ? '' : 's'}; nothing was sent to SameGoal.\n` +
        problems.map((p) => `- ${p}`).join('\n'),
    );
  }
  return files;
}

export interface DeliveredCounts {
  epoch: string;
  rows: Record<string, number>;
}

/**
 * SameGoal deletes a student's guardians that are missing from a load: a sharp drop in
 * students or guardians against the last delivery stops the run unless allowed.
 */
export function massChangeGuard(files: DeliveryFile[], last: DeliveredCounts | undefined, thresholdPercent: number, allowed: boolean): string[] {
  if (!last) return [];
  const drops: string[] = [];
  for (const name of ['students.csv', 'guardians.csv']) {
    const before = last.rows[name];
    const now = files.find((f) => f.name === name)?.rows ?? 0;
    if (before === undefined || before === 0) continue;
    const dropPercent = ((before - now) / before) * 100;
    if (dropPercent > thresholdPercent) {
      drops.push(`${name} has ${now} rows, ${dropPercent.toFixed(1)}% fewer than the ${before} delivered in ${last.epoch} (limit ${thresholdPercent}%)`);
    }
  }
  if (drops.length > 0 && !allowed) {
    throw new MassChangeError(
      `Stopped before sending anything: ${drops.join('; ')}. SameGoal deletes guardians missing from a load. ` +
        `If the drop is real, run again with "allowMassChange": true.`,
    );
  }
  return drops;
}
