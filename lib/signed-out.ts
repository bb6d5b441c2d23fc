// The answer every server action gives a caller it reads as signed out. Its own module (no
// 'server-only') because the browser side compares against it too (lib/use-session-action.ts).
/** The exact answer a signed-out caller gets from every server action (tests walk every action for it). */
export const SIGNED_OUT = 'Your session has ended. Sign in again.';
