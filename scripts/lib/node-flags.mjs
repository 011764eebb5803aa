// The flags Node runs the apps with in `pnpm start` (the images' CMDs carry the same;
// deploy/test/image.test.ts holds them equal).
//
// V8's young generation grows to 16 MB semi-spaces under load; 4 MB ones hold an api and two
// workers about 50 MB lower idle and 70 MB lower at 500 requests/s for the same CPU per request
// (2 MB ones cost CPU past capacity). A worker draining a backlog at full speed pays for them:
// 0.66-0.82 of the raw got worker's deliveries/s in two bench runs with them, 0.90-0.92 without.
export const NODE_FLAGS = ['--max-semi-space-size=4'];
