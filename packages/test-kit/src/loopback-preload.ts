// Loaded with `node --import` into the apps the tests start: see installLoopbackOnly.
import { installLoopbackOnly } from './loopback-only.js';

installLoopbackOnly(JSON.parse(process.env.KT_FAKE_DNS ?? '{}') as Record<string, string[]>);
