// The bench's baselines (bench/baselines/README.md): a separate Next.js app, built from the project's
// node_modules into bench/baselines/.next, never part of the app's own build.
const config = { poweredByHeader: false };
export default config;
