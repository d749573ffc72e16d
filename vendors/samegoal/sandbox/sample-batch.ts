/** A district's nightly SameGoal extract: students.csv and guardians.csv, deterministic for a size. */
export function sampleDelivery(students = 500): Record<string, string> {
  const first = ['Ada', 'Grace', 'Alan', 'Katherine', 'Edsger', 'Barbara', 'José', 'Zoë'];
  const last = ['Lovelace', 'Hopper', 'Turing', 'Johnson', "O'Brien", 'Nguyễn', 'García', 'Smith, Jr.'];
  const q = (v: string) => (/[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
  const rows = (header: string[], data: string[][]) => [header, ...data].map((r) => r.map(q).join(',')).join('\r\n') + '\r\n';
  const studentRows = Array.from({ length: students }, (_, i) => [
    `S${String(100000 + i)}`,
    last[i % last.length]!,
    first[(i * 3) % first.length]!,
    `${String((i % 12) + 1).padStart(2, '0')}/${String((i % 28) + 1).padStart(2, '0')}/${2008 + (i % 10)}`,
    i % 2 ? 'F' : 'M',
    'ENROLLED',
    `Lincoln Elementary ${(i % 3) + 1}`,
    `B${(i % 3) + 1}`,
    String(i % 13),
  ]);
  return {
    'students.csv': rows(['Student Id', 'Last Name', 'First Name', 'Date of Birth', 'Gender', 'District Enrollment', 'Building', 'Building Reporting Id', 'Grade'], studentRows),
    'guardians.csv': rows(
      ['Student Id', 'Guardian Last Name', 'Guardian First Name', 'Relationship', 'Email'],
      studentRows.map((s, i) => [s[0]!, s[1]!, first[(i * 5) % first.length]!, i % 2 ? 'Mother' : 'Father', `guardian${i}@example.org`]),
    ),
  };
}
