// Every property test runs from a fixed seed (override with FC_SEED); fast-check prints the seed
// and the shrunk counterexample path on failure, so any failure replays exactly.
import fc from 'fast-check';

const seed = Number(process.env.FC_SEED ?? 20261124);
const numRuns = Number(process.env.FC_NUM_RUNS ?? 25);
fc.configureGlobal({ seed, numRuns, endOnFailure: false });
