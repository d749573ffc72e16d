import archiver from 'archiver';

/**
 * The sandbox's own import templates. Watermark's real headers are in its All_CSVs_SysAdmin.zip,
 * which this project does not have: these columns are made up for local runs (only the file
 * names, unique ids and roles.csv's columns come from Watermark's public articles). The
 * sandbox classifies uploads by them, and `templatesZip()` gives them in the same form as
 * Watermark's zip, for `etl watermark registry --from`.
 */
export const SANDBOX_TEMPLATES: Record<string, string[]> = {
  'organizations.csv': ['organization_code', 'name', 'parent_organization_code', 'organization_type'],
  'programs.csv': ['program_code', 'name', 'organization_code', 'degree_level'],
  'person.csv': ['person_id', 'first_name', 'last_name', 'email', 'username', 'status'],
  'terms.csv': ['term_id', 'name', 'start_date', 'end_date'],
  'courses.csv': ['course_catalog_code', 'title', 'organization_code', 'credits'],
  'sections.csv': ['section_id', 'course_catalog_code', 'term_id', 'section_number', 'title'],
  'enrollments.csv': ['section_id', 'person_id', 'enrollment_role', 'enrollment_status'],
  'basicpersonattributes.csv': ['person_id', 'attribute_name', 'attribute_value'],
  'studenttermattributes.csv': ['person_id', 'term_id', 'attribute_name', 'attribute_value'],
  'programcurriculum.csv': ['program_code', 'course_catalog_code', 'requirement_type'],
  'cohortenrollments.csv': ['cohort_code', 'person_id', 'start_term_id'],
  'roles.csv': ['person_id', 'product', 'roles'],
};

/** The file names a header identifies, by the header's exact column set. */
export function classify(header: string[]): string | undefined {
  const set = new Set(header);
  for (const [file, cols] of Object.entries(SANDBOX_TEMPLATES)) {
    if (cols.length === set.size && cols.every((c) => set.has(c))) return file;
  }
  return undefined;
}

export async function templatesZip(): Promise<Buffer> {
  const archive = archiver('zip');
  const chunks: Buffer[] = [];
  archive.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<void>((resolve, reject) => {
    archive.on('end', resolve);
    archive.on('error', reject);
  });
  for (const [file, cols] of Object.entries(SANDBOX_TEMPLATES)) archive.append(`${cols.join(',')}\r\n`, { name: `All_CSVs_SysAdmin/${file}` });
  await archive.finalize();
  await done;
  return Buffer.concat(chunks);
}
