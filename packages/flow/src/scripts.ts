import { FLOW_KEY_PARTS } from '@knocker/keys';
import type { Script } from '@knocker/queue';

const lua = (file: string) => new URL(`./lua/${file}`, import.meta.url);
// Every script but `parked` starts with the shared functions of common.lua.
const COMMON = lua('common.lua');
const script = (name: string, keys: number, file: string): Script => ({ name, keys, file: lua(file), prelude: COMMON });

const PARTS = FLOW_KEY_PARTS.length;

/** Flow control's scripts, each in src/lua; KEYS are a flow key's parts (keys.ts), then the index (and the register of limits). */
export const SCRIPTS = {
  acquire: script('knockerFlowAcquire', PARTS + 2, 'acquire.lua'),
  parked: { name: 'knockerFlowParked', keys: 1, file: lua('parked.lua') },
  renew: script('knockerFlowRenew', PARTS, 'renew.lua'),
  release: script('knockerFlowRelease', PARTS + 1, 'release.lua'),
  drop: script('knockerFlowDrop', PARTS + 1, 'drop.lua'),
  sweep: script('knockerFlowSweep', 1, 'sweep.lua'),
  pause: script('knockerFlowPause', PARTS + 1, 'pause.lua'),
  list: script('knockerFlowList', 1, 'list.lua'),
  limits: script('knockerFlowLimits', PARTS + 2, 'limits.lua'),
  view: script('knockerFlowView', PARTS, 'view.lua'),
} as const satisfies Record<string, Script>;
