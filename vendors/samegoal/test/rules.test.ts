import { describe, expect, it } from 'vitest';
import { checkCsv } from '../../../lambdas/csv.js';
import { isSameGoalDateBytes, oneOfBytes } from '../rules.js';
import { studentChecks } from '../validate.js';

const isSameGoalDate = (value: string) => {
  const bytes = Buffer.from(value);
  return isSameGoalDateBytes(bytes, 0, bytes.length);
};

describe("SameGoal's rules for students.csv", () => {
  it.each(['02/29/2012', '12-31-1999', '2010/01/31', '2000-02-29', '0001-01-01'])('takes %s as a date', (d) => expect(isSameGoalDate(d)).toBe(true));

  it.each(['02/29/2011', '31/02/2010', '2010-13-01', '1900-02-29', '2010-04-31', '01/02-2010', '2010-01/02', '2010-1-02', '1/2/2010', '20100102', '0000-01-01', '2010-01-0x', ' 2010-01-01', '２０１０-01-01'])(
    'refuses %s',
    (d) => expect(isSameGoalDate(d)).toBe(false),
  );

  it('checks every row, and counts characters, not bytes, against the 20 of Student Id', () => {
    const header = 'Student Id,Last Name,First Name,Date of Birth,Gender,District Enrollment,Building,Building Reporting Id';
    const rows = [
      'ÉÉÉÉÉÉÉÉÉÉÉÉÉÉÉÉÉÉÉÉ,A,B,01/02/2010,F,ENROLLED,X,1', // 20 characters, 40 bytes: fine
      'S123456789012345678901,A,B,01/02/2010,F,ENROLLED,X,1',
      'S2, ,B,2010-02-30,X,ENROLED,X,1',
      '"S2",A,B,01/02/2010,m,ENROLLED,X,1',
    ];
    const r = checkCsv(new TextEncoder().encode(`${header}\n${rows.join('\n')}\n`), 64 * 1024, studentChecks);
    expect(r.problems.map((p) => `${p.line} ${p.column}: ${p.message}`)).toEqual([
      '3 Student Id: is 22 characters; at most 20',
      "4 Date of Birth: '2010-02-30' is not a date in MM/DD/YYYY, MM-DD-YYYY, YYYY/MM/DD, YYYY-MM-DD",
      "4 District Enrollment: 'ENROLED' is not one of PRE_ENROLLED, ENROLLED, TRANSFERRED, WITHDREW, DROPPED_OUT, GRADUATED, INACTIVE, HISTORICAL_IDLE",
      "4 Gender: 'X' is not one of M, F, m, f, male, female, Male, Female",
      '4 Last Name: is empty; it is required',
      "5 Student Id: has the same value as line 4; Student Id must be unique",
    ]);
  });

  it('checks dates and enumerations on the bytes of a field, quoted or not, exactly', () => {
    const bytes = new TextEncoder().encode('x,2010-01-31,y');
    expect(isSameGoalDateBytes(bytes, 2, 12)).toBe(true);
    expect(isSameGoalDateBytes(bytes, 1, 12)).toBe(false);
    const isGender = oneOfBytes(['M', 'male', 'Zoë']);
    const test = (value: string) => {
      const b = new TextEncoder().encode(value);
      return isGender(b, 0, b.length);
    };
    expect(['M', 'male', 'Zoë'].map(test)).toEqual([true, true, true]);
    expect(['', 'm', 'MM', 'mal', 'males', 'Zoe', ' M'].map(test)).toEqual([false, false, false, false, false, false, false]);

    const header = 'Student Id,Last Name,First Name,Date of Birth,Gender,District Enrollment,Building,Building Reporting Id';
    const rows = [
      'S1,A,B,"01/02/2010","F","ENROLLED",X,1', // quoted values are the same values
      'S2,A,B,"2010-01-02""","M""","ENROLLED""",X,1', // a doubled quote inside is part of the value
      'S3,A,B,"",,"",X,1', // empty: required, and no format problem besides
    ];
    const r = checkCsv(new TextEncoder().encode(`${header}\n${rows.join('\n')}\n`), 7, studentChecks);
    expect(r.problems.map((p) => `${p.line} ${p.column}: ${p.message}`)).toEqual([
      `3 Date of Birth: '2010-01-02"' is not a date in MM/DD/YYYY, MM-DD-YYYY, YYYY/MM/DD, YYYY-MM-DD`,
      `3 District Enrollment: 'ENROLLED"' is not one of PRE_ENROLLED, ENROLLED, TRANSFERRED, WITHDREW, DROPPED_OUT, GRADUATED, INACTIVE, HISTORICAL_IDLE`,
      `3 Gender: 'M"' is not one of M, F, m, f, male, female, Male, Female`,
      '4 Date of Birth: is empty; it is required',
      '4 Gender: is empty; it is required',
      '4 District Enrollment: is empty; it is required',
    ]);
  });
});
