import type { Script } from '@knocker/queue';

const lua = (file: string) => new URL(`./lua/${file}`, import.meta.url);
// Every script but `parked` starts with the shared functions of common.lua.
const COMMON = lua('common.lua');
const script = (name: string, keys: number, file: string): Script => ({ name, keys, file: lua(file), prelude: COMMON });

/** Flow control's scripts, each in src/lua; KEYS are a flow key's parts (keys.ts), then the index. */
export const SCRIPTS = {
  acquire: script('knockerFlowAcquire', 8, 'acquire.lua'),
  parked: { name: 'knockerFlowParked', keys: 1, file: lua('parked.lua') },
  renew: script('knockerFlowRenew', 7, 'renew.lua'),
  release: script('knockerFlowRelease', 8, 'release.lua'),
  drop: script('knockerFlowDrop', 8, 'drop.lua'),
  sweep: script('knockerFlowSweep', 1, 'sweep.lua'),
  pause: script('knockerFlowPause', 8, 'pause.lua'),
  list: script('knockerFlowList', 1, 'list.lua'),
} as const satisfies Record<string, Script>;
