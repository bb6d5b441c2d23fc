// The typed API an app's own tests and benchmarks use (the CLI covers everything else): where a stack
// lives and which ports it uses, starting one in-process, its variables, its keys and tokens.
export {
  keepingTsconfig,
  layout,
  localRoot,
  keysFile,
  projectRoot,
  scratchInstance,
  testInstance,
  type Profile,
  type StackLayout,
} from './paths.ts';
export { functionSecrets, httpOk, startStack, stackEnv, type RunningStack } from './stack.ts';
export { formatEnv, parseEnv, readEnvFile } from './env-file.ts';
export { loadKeys, LOCAL_FAPI_HOST, type LocalKeys } from './keys.ts';
export { mintSessionToken, mintTemplateToken, UnknownTemplateError, type TokenSubject } from './clerk/tokens.ts';
export { LOCAL_PASSWORD, seedAccounts, seedOrgs } from './clerk/store.ts';
export { jwtTemplates } from './clerk/templates.ts';
export { FRONTEND_API_WRITTEN_FOR } from './clerk/endpoints.ts';
export { applySchema, RESET_SQL } from './migrate.ts';
export { checkoutHome, postgresDataDir, runsAsRoot } from './postgres-as-root.ts';
export { denoBinary, discoverFunctions, functionSettings, functionsDir, type EdgeFunction } from './functions/config.ts';
export { functionRoute } from './functions/route.ts';
export { installLine } from './postgrest-binary.ts';
export { remoteDatabase, supabaseCli } from './supabase-cli.ts';
export { bootstrapSqlFile } from './migrate.ts';
