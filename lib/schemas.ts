// Input rules shared by the server actions and the JSON API. The database enforces the same limits
// (tasks_title_length, projects_name_length); checking here first gives the user a clear message.
import { z } from 'zod';

// Postgres text cannot hold NUL (U+0000), and a lone UTF-16 surrogate is not valid JSON for the data
// API: refuse both here with a message, instead of a database error later.
const storableText = (v: string) => !v.includes('\u0000') && v.isWellFormed();
const NOT_STORABLE = 'cannot contain NUL characters or broken Unicode (lone surrogates).';

export const taskTitle = z
  .string({ error: 'Title must be text.' })
  .refine(storableText, { error: `Title ${NOT_STORABLE}` })
  .trim()
  .min(1, { error: 'Title cannot be empty.' })
  .max(200, { error: 'Title can be at most 200 characters.' });

export const newTask = z.strictObject({ title: taskTitle });

export const taskChanges = z
  .strictObject({ title: taskTitle.optional(), done: z.boolean({ error: 'done must be true or false.' }).optional() })
  .refine((v) => v.title !== undefined || v.done !== undefined, { error: 'Send a title, done, or both.' });

export const projectName = z
  .string({ error: 'Name must be text.' })
  .refine(storableText, { error: `Name ${NOT_STORABLE}` })
  .trim()
  .min(1, { error: 'Name cannot be empty.' })
  .max(100, { error: 'Name can be at most 100 characters.' });

/** What the JSON API returns for a task (GET, POST and PATCH answer the same shape). */
export const TASK_COLUMNS = 'id, title, done, created_at, updated_at';

/** Row ids are uuids; anything else cannot name a row, so it is a 404 rather than a database error. */
export const rowId = z.guid();
