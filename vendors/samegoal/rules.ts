/**
 * SameGoal's generic demographics API, as its technical guide states it (DESIGN.md "Vendor
 * facts"): the file names it takes and, for students.csv, the columns, enumerations and date
 * formats. SameGoal processes what it is sent and deletes a student's guardians missing from a
 * load, so these checks run before anything is sent.
 */
export const REQUIRED_FILE = 'students.csv';
export const FILE_NAMES = ['students.csv', 'guardians.csv', 'users.csv', 'user_roles.csv', 'absences.csv'] as const;

export const STUDENT_REQUIRED = [
  'Student Id',
  'Last Name',
  'First Name',
  'Date of Birth',
  'Gender',
  'District Enrollment',
  'Building',
  'Building Reporting Id',
] as const;

export const STUDENT_OPTIONAL = [
  'Middle Name',
  'Grade',
  'Address',
  'City',
  'State',
  'Zip',
  'Race',
  'District of Residence',
  'County of Residence',
  'District of Service',
  'Student Reporting Id',
  'SIS Internal ID',
] as const;

export const GENDERS = ['M', 'F', 'm', 'f', 'male', 'female', 'Male', 'Female'];

export const DISTRICT_ENROLLMENT = ['PRE_ENROLLED', 'ENROLLED', 'TRANSFERRED', 'WITHDREW', 'DROPPED_OUT', 'GRADUATED', 'INACTIVE', 'HISTORICAL_IDLE'];

export const STUDENT_ID_MAX = 20;

export const DATE_FORMAT_LABELS = 'MM/DD/YYYY, MM-DD-YYYY, YYYY/MM/DD, YYYY-MM-DD';

const DAYS = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** The number of `length` ASCII digits at `at`, or -1. */
function digits(bytes: Uint8Array, at: number, length: number): number {
  let n = 0;
  for (let i = at; i < at + length; i++) {
    const d = bytes[i]! - 48;
    if (d < 0 || d > 9) return -1;
    n = n * 10 + d;
  }
  return n;
}

const SLASH = 0x2f;
const DASH = 0x2d;

/**
 * True when bytes[start, end) are a real calendar date in one of SameGoal's four formats.
 * Checked on every row, so on the bytes as the file has them: no decoding, no regex, no Date.
 */
export function isSameGoalDateBytes(bytes: Uint8Array, start: number, end: number): boolean {
  if (end - start !== 10) return false;
  // Plain locals, no closure or array per call: this runs on every row.
  const b2 = bytes[start + 2];
  const sep = b2 === SLASH || b2 === DASH ? b2 : bytes[start + 4];
  if (sep !== SLASH && sep !== DASH) return false;
  let y: number;
  let m: number;
  let d: number;
  if (b2 === sep && bytes[start + 5] === sep) {
    m = digits(bytes, start, 2);
    d = digits(bytes, start + 3, 2);
    y = digits(bytes, start + 6, 4);
  } else if (bytes[start + 4] === sep && bytes[start + 7] === sep) {
    y = digits(bytes, start, 4);
    m = digits(bytes, start + 5, 2);
    d = digits(bytes, start + 8, 2);
  } else return false;
  if (y < 1 || m < 1 || m > 12 || d < 1) return false;
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  return d <= (m === 2 && !leap ? 28 : DAYS[m - 1]!);
}

/** A test of a field's bytes: true when they are exactly one of `values` (as UTF-8), with no decoding. */
export function oneOfBytes(values: readonly string[]): (bytes: Uint8Array, start: number, end: number) => boolean {
  // By length, so a value is compared only with the choices as long as it.
  const byLength: Uint8Array[][] = [];
  for (const value of values) {
    const bytes = Buffer.from(value);
    (byLength[bytes.length] ??= []).push(bytes);
  }
  return (bytes, start, end) => {
    const choices = byLength[end - start];
    if (choices === undefined) return false;
    for (let c = 0; c < choices.length; c++) {
      const choice = choices[c]!;
      let i = 0;
      while (i < choice.length && bytes[start + i] === choice[i]) i++;
      if (i === choice.length) return true;
    }
    return false;
  };
}

export { closest, distance } from '../../lambdas/closest.js';
