// One evaluation for tools/bench/state.ts, in a process of its own so each stack starts from a
// fresh SDK and heap. The clock runs inside: process start-up, and loading and type-checking the
// program's modules (PRELOAD, required before the clock), are not counted; what is counted is the
// program's run under the mocks, registrations included, until every registration has settled.
// usage: node tools/run-ts.js tools/bench/state-child.ts DIR STACK ENTRY [PRELOAD...]
// stdout: one JSON line, BenchFigures.
import { performance } from "perf_hooks";
import { evaluate } from "../mock/mockrun";
import { stackConfig } from "../mock/stackConfig";

/** Inputs of the resources whose type and name (digits as N) are alike: "command:local:Command experiment-sqN-rN-run". */
export interface BenchGroup {
    count: number;
    bytes: number;
    triggersBytes: number;
}

export interface BenchFigures {
    resources: number;
    /** Bytes of JSON of every registered resource's inputs. */
    inputsBytes: number;
    /** The part of inputsBytes that is `triggers`. */
    triggersBytes: number;
    evalSeconds: number;
    /** Loading PRELOAD (mostly ts-node type-checking), kept out of evalSeconds. */
    loadSeconds: number;
    maxRssMiB: number;
    groups: Record<string, BenchGroup>;
}

const bytesOf = (value: unknown) => Buffer.byteLength(JSON.stringify(value) ?? "");

async function main(dir: string, stack: string, entry: string, preload: string[]): Promise<BenchFigures> {
    const cfg = stackConfig(stack, dir);
    const loadStart = performance.now();
    for (const module of preload) require(module);
    const start = performance.now();
    const evaluation = await evaluate(stack, cfg, { entry });
    const evalSeconds = (performance.now() - start) / 1000;
    const figures: BenchFigures = {
        resources: evaluation.resources.length,
        inputsBytes: 0,
        triggersBytes: 0,
        evalSeconds,
        loadSeconds: (start - loadStart) / 1000,
        maxRssMiB: process.resourceUsage().maxRSS / 1024,
        groups: {},
    };
    for (const r of evaluation.resources) {
        const bytes = bytesOf(r.inputs);
        const triggersBytes = r.inputs.triggers === undefined ? 0 : bytesOf(r.inputs.triggers);
        const key = `${r.type} ${r.name.replace(/\d+/g, "N")}`;
        const group = (figures.groups[key] ??= { count: 0, bytes: 0, triggersBytes: 0 });
        group.count += 1;
        group.bytes += bytes;
        group.triggersBytes += triggersBytes;
        figures.inputsBytes += bytes;
        figures.triggersBytes += triggersBytes;
    }
    return figures;
}

// Run by tools/run-ts.js, whose module is require.main: no `require.main === module` guard here.
const [dir, stack, entry, ...preload] = process.argv.slice(2);
main(dir, stack, entry, preload).then(
    // exit: the SDK may keep handles open after a mocked run.
    (figures) => process.stdout.write(JSON.stringify(figures) + "\n", () => process.exit(0)),
    (e: unknown) => {
        process.stderr.write(`${(e as Error)?.stack ?? String(e)}\n`);
        process.exit(1);
    },
);
