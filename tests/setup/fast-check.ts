// Vitest setup: every property test replays the same generated cases run to run, so a failure in CI is
// reproducible and a pass is not luck. FC_SEED=<n> explores other cases locally; a failing run prints its seed.
import fc from "fast-check";

const seed = Number(process.env.FC_SEED ?? 20_261_205);
if (!Number.isSafeInteger(seed)) throw new Error(`FC_SEED must be an integer, got ${process.env.FC_SEED}`);
fc.configureGlobal({ ...fc.readConfigureGlobal(), seed });
