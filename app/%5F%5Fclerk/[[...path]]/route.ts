// /__clerk/*: Clerk's Frontend API from this origin (lib/clerk-frontend-api.ts). The folder's name is
// percent-encoded because the App Router keeps folders starting with "_" private.
import { frontendApiRoute } from '@/lib/clerk-frontend-api';

export const GET = frontendApiRoute;
export const HEAD = frontendApiRoute;
export const POST = frontendApiRoute;
export const PUT = frontendApiRoute;
export const PATCH = frontendApiRoute;
export const DELETE = frontendApiRoute;
export const OPTIONS = frontendApiRoute;
