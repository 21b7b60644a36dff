// Loaded by tools/run-ts.js (Pulumi's own TypeScript path): evaluates index.ts for a stack under mocks.
import { evaluate } from "../../tools/mockrun";
import { stackConfig } from "../../tools/stackConfig";

const stack = process.argv[2];
evaluate(stack, stackConfig(stack)).then((ev) => {
    const containers = ev.resources.filter((r) => r.type === "docker:index/container:Container").length;
    process.stdout.write(JSON.stringify({ containers, coordinatorUrl: ev.outputs.coordinatorUrl }) + "\n");
});
