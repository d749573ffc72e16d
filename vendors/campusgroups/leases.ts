/** What an execution holds while it exports an entity of a school (lambdas/leases.ts). */
export const entityLease = (school: string, entity: string) => `campusgroups/${school}/${entity}`;

/** Longer than any run the history budget allows; lapses if a run died. */
export const ENTITY_LEASE_SECONDS = 24 * 3600;
