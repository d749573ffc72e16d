/** The 23 entities of the CampusGroups Data Export API, in the order its documentation lists them. */
export const ENTITIES = [
  'events',
  'rsvp',
  'event_registration_options',
  'payments',
  'checkins',
  'users',
  'academic_experiences',
  'work_experiences',
  'groups',
  'members',
  'tags',
  'budgets',
  'budget_transactions',
  'surveys',
  'survey_submissions',
  'rooms',
  'room_reservations',
  'badges',
  'badge_completions',
  'feed_posts',
  'tracks',
  'checklists',
  'checklist_items',
] as const;

export type Entity = (typeof ENTITIES)[number];

export const isEntity = (name: string): name is Entity => (ENTITIES as readonly string[]).includes(name);
