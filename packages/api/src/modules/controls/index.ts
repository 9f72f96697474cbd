/** What the server needs from the runtime controls: build the runtime and enforce them on native routes. */
export { ControlsRuntime, type ControlledCall, type ControlsLog, type ControlsRuntimeOptions, type ResponseHeaders } from './controls.runtime.js';
export { defaultRateLimits, procedureCatalogue, type RateLimitTable } from './controls.rules.js';
