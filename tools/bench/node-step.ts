// Prints the command line a node step runs on its node, as the program renders it
// (lib/scripts.ts), for tools that run a step by hand (tools/bench/drop-caches.sh).
// usage: node tools/run-ts.js tools/bench/node-step.ts drop NODE
import { dropCachesStep } from "../../lib/scripts";

const [kind, node] = process.argv.slice(2);
if (kind !== "drop" || node === undefined) {
    process.stderr.write("usage: node tools/run-ts.js tools/bench/node-step.ts drop NODE\n");
    process.exit(2);
}
process.stdout.write(`${dropCachesStep(node).create}\n`);
