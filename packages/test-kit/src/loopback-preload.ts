// Loaded with `node --import` into the apps the tests start: see installLoopbackOnly.
import { installLoopbackOnly } from './loopback-only.js';
import { watchModules } from './module-watch.js';

installLoopbackOnly(JSON.parse(process.env.KT_FAKE_DNS ?? '{}') as Record<string, string[]>);
// A test that must prove a module is never loaded names a file here (see watchModules).
if (process.env.KT_MODULE_LOG) watchModules(process.env.KT_MODULE_LOG);
