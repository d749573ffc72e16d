import { SANDBOX_TEMPLATES } from './templates.js';

/**
 * A realistic nightly SIS extract in the sandbox's template headers: organizations, programs,
 * terms, courses, sections, people, enrollments and roles, with quoted fields where real data
 * has commas. Deterministic for a given size.
 */
export function sampleBatch(people = 2000): Record<string, string> {
  const csv = (file: string, rows: string[][]) => {
    const quote = (v: string) => (/[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
    return [SANDBOX_TEMPLATES[file]!, ...rows].map((r) => r.map(quote).join(',')).join('\r\n') + '\r\n';
  };
  const first = ['Ada', 'Grace', 'Alan', 'Katherine', 'Edsger', 'Barbara', 'Donald', 'Frances', 'José', 'Zoë'];
  const last = ['Lovelace', 'Hopper', 'Turing', 'Johnson', 'Dijkstra', 'Liskov', 'Knuth', 'Allen', "O'Brien", 'Nguyễn'];
  const depts = [['BIO', 'Biology'], ['CHEM', 'Chemistry'], ['ENG', 'English, Writing and Rhetoric'], ['HIST', 'History'], ['MATH', 'Mathematics']];
  const courses = depts.flatMap(([code, name]) => [101, 201, 301].map((n) => [`${code}${n}`, `${name} ${n}`, code!, String(3 + (n % 2))]));
  const sections = courses.flatMap((c) => ['01', '02'].map((s) => [`${c[0]}-${s}-2026FA`, c[0]!, '2026FA', s, c[1]!]));
  const persons = Array.from({ length: people }, (_, i) => {
    const id = `S${String(100000 + i)}`;
    return [id, first[i % 10]!, last[(i * 7) % 10]!, `${id.toLowerCase()}@example.edu`, id.toLowerCase(), 'active'];
  });
  return {
    'organizations.csv': csv('organizations.csv', [['INST', 'Example College', '', 'Institution'], ...depts.map(([c, n]) => [c!, n!, 'INST', 'Department'])]),
    'programs.csv': csv('programs.csv', depts.map(([c, n]) => [`${c}-BA`, `${n} (BA)`, c!, 'Bachelor'])),
    'terms.csv': csv('terms.csv', [['2026FA', 'Fall 2026', '2026-08-24', '2026-12-18']]),
    'courses.csv': csv('courses.csv', courses),
    'sections.csv': csv('sections.csv', sections),
    'person.csv': csv('person.csv', persons),
    'enrollments.csv': csv('enrollments.csv', persons.flatMap((p, i) => [0, 7, 13].map((k) => [sections[(i + k) % sections.length]![0]!, p[0]!, 'Student', 'Enrolled']))),
    'roles.csv': csv('roles.csv', persons.slice(0, 50).map((p, i) => [p[0]!, 'SLL', i % 10 === 0 ? 'Faculty' : 'Student'])),
  };
}
