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
function digits(value: string, at: number, length: number): number {
  let n = 0;
  for (let i = at; i < at + length; i++) {
    const d = value.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    n = n * 10 + d;
  }
  return n;
}

/** True for a real calendar date in one of SameGoal's four formats (checked on every row: no regex, no Date). */
export function isSameGoalDate(value: string): boolean {
  if (value.length !== 10) return false;
  let y: number;
  let m: number;
  let d: number;
  const sep = value[2] === '/' || value[2] === '-' ? value[2] : value[4];
  if (sep !== '/' && sep !== '-') return false;
  if (value[2] === sep && value[5] === sep) {
    [m, d, y] = [digits(value, 0, 2), digits(value, 3, 2), digits(value, 6, 4)];
  } else if (value[4] === sep && value[7] === sep) {
    [y, m, d] = [digits(value, 0, 4), digits(value, 5, 2), digits(value, 8, 2)];
  } else return false;
  if (y < 1 || m < 1 || m > 12 || d < 1) return false;
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  return d <= (m === 2 && !leap ? 28 : DAYS[m - 1]!);
}

export { closest, distance } from '../../lambdas/closest.js';
