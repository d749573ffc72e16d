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

const DATE_FORMATS: Array<{ label: string; re: RegExp; order: [number, number, number] }> = [
  { label: 'MM/DD/YYYY', re: /^(\d{2})\/(\d{2})\/(\d{4})$/, order: [3, 1, 2] },
  { label: 'MM-DD-YYYY', re: /^(\d{2})-(\d{2})-(\d{4})$/, order: [3, 1, 2] },
  { label: 'YYYY/MM/DD', re: /^(\d{4})\/(\d{2})\/(\d{2})$/, order: [1, 2, 3] },
  { label: 'YYYY-MM-DD', re: /^(\d{4})-(\d{2})-(\d{2})$/, order: [1, 2, 3] },
];

export const DATE_FORMAT_LABELS = DATE_FORMATS.map((f) => f.label).join(', ');

/** True for a real calendar date in one of SameGoal's four formats. */
export function isSameGoalDate(value: string): boolean {
  for (const f of DATE_FORMATS) {
    const m = f.re.exec(value);
    if (!m) continue;
    const [y, mo, d] = f.order.map((i) => Number(m[i])) as [number, number, number];
    const date = new Date(Date.UTC(y, mo - 1, d));
    return date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d;
  }
  return false;
}

export { closest, distance } from '../../lambdas/closest.js';
