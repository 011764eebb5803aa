export { buildOpenApi } from './document.js';
export { openApiOptions } from './config.js';
export { describedHeaders } from './headers.js';
export type { OpenApiOptions, Json, JsonObject } from './options.js';
export { renderOpenApi } from './render.js';
