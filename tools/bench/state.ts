// Issue 10, finding 7: does the program's state stay linear in the cluster? Evaluates the real
// index.ts as a preview under the mocks for generated lab-shaped inventories (tier 32_2,
// distributed, the shipped lab stack's experiment), and a bare program with as many
// registrations, one child process each (tools/bench/state-child.ts), one after the other so
// they do not share the CPUs. Prints figures; it fails only when an evaluation fails.
// usage: node tools/run-ts.js tools/bench/state.ts [NODES...]      (default 8 64 256)
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { parse, stringify } from "yaml";
import { repoRoot, scratchProject } from "../mock/project";
import type { BenchFigures } from "./state-child";

const tier = "32_2";
const labStack = `lab-${tier}`;

/** envs/lab.yaml with `count` generated nodes; no host keys, so checking is off. */
function inventory(count: number): string {
    const lab = parse(fs.readFileSync(path.join(repoRoot, "envs", "lab.yaml"), "utf8")) as Record<string, unknown>;
    const nodes = Array.from({ length: count }, (_, i) => ({
        name: `node${i + 1}`,
        host: `node${i + 1}.lab`,
        workerId: `worker-${i + 1}`,
    }));
    return stringify({ ...lab, ssh: { ...(lab.ssh as object), hostKeyChecking: "off" }, nodes });
}

/** The shipped lab stack (its experiment, distributed, 3 repetitions) on another environment. */
function stackFile(env: string): string {
    const lab = parse(fs.readFileSync(path.join(repoRoot, `Pulumi.${labStack}.yaml`), "utf8")) as { config: Record<string, unknown> };
    return stringify({ config: { ...lab.config, "parwop:environment": env } });
}

/**
 * Every module the program imports, loaded (and type-checked) before the child's clock starts; the
 * bare program's child loads them too, so both clocks include only compiling a small entry file
 * against declarations ts-node already holds.
 */
function programModules(dir: string): string[] {
    return ["components", "config", "lib", "model"].flatMap((sub) =>
        fs
            .readdirSync(path.join(dir, sub))
            .filter((f) => f.endsWith(".ts"))
            .map((f) => path.join(dir, sub, f)),
    );
}

function measure(dir: string, stack: string, entry: string, preload: string[]): BenchFigures {
    process.stderr.write(`evaluating ${stack} ...\n`);
    const child = spawnSync(
        process.execPath,
        // Room for the 256-node program's heap (the issue measured 2.7 GB).
        [
            "--max-old-space-size=8192",
            path.join(repoRoot, "tools", "run-ts.js"),
            path.join(repoRoot, "tools", "bench", "state-child.ts"),
            dir,
            stack,
            entry,
            ...preload,
        ],
        { cwd: dir, encoding: "utf8", maxBuffer: 1 << 26 },
    );
    if (child.status !== 0) {
        process.stderr.write(child.stderr);
        throw new Error(`evaluation of ${stack} failed (exit ${child.status ?? child.signal})`);
    }
    return JSON.parse(child.stdout) as BenchFigures;
}

interface Row {
    nodes: number;
    real: BenchFigures;
    bare: BenchFigures;
}

function printTable(rows: Row[]): void {
    const lines = [
        ["nodes", "resources", "inputs bytes", "triggers share", "eval s", "bare s", "ratio"],
        ...rows.map(({ nodes, real, bare }) => [
            String(nodes),
            String(real.resources),
            String(real.inputsBytes),
            `${((100 * real.triggersBytes) / real.inputsBytes).toFixed(1)} %`,
            real.evalSeconds.toFixed(2),
            bare.evalSeconds.toFixed(2),
            (real.evalSeconds / bare.evalSeconds).toFixed(2),
        ]),
    ];
    const widths = lines[0].map((_, c) => Math.max(...lines.map((l) => l[c].length)));
    for (const l of lines) console.log(l.map((cell, c) => cell.padStart(widths[c])).join("  "));
    console.log("eval s, bare s: evaluate() wall time inside the child (process start-up and module loading excluded)");
    console.log(
        `peak RSS MiB (real/bare): ${rows.map((r) => `${r.nodes}: ${r.real.maxRssMiB.toFixed(0)}/${r.bare.maxRssMiB.toFixed(0)}`).join(", ")}`,
    );
}

/** Where check (a) fails: per resource group, bytes per resource and totals at `small` and `large` nodes. */
function printGrowth(small: Row, large: Row): void {
    const scale = large.nodes / small.nodes;
    console.log(`inputs per group, ${small.nodes} -> ${large.nodes} nodes (growth = total bytes ratio; linear = ${scale}):`);
    const keys = Object.keys(large.real.groups).sort((a, b) => large.real.groups[b].bytes - large.real.groups[a].bytes);
    for (const key of keys.slice(0, 12)) {
        const s = small.real.groups[key] ?? { count: 0, bytes: 0, triggersBytes: 0 };
        const l = large.real.groups[key];
        const per = (g: typeof s) => (g.count === 0 ? 0 : Math.round(g.bytes / g.count));
        console.log(
            `  ${key}: ${s.count} -> ${l.count} resources, ${per(s)} -> ${per(l)} B each ` +
                `(triggers ${s.count === 0 ? 0 : Math.round(s.triggersBytes / s.count)} -> ${Math.round(l.triggersBytes / l.count)}), ` +
                `total ${l.bytes} B, growth ${s.bytes === 0 ? "new" : (l.bytes / s.bytes).toFixed(1)}`,
        );
    }
}

function check(label: string, ok: boolean | undefined, detail: string): void {
    console.log(`${ok === undefined ? "N/A " : ok ? "PASS" : "FAIL"} ${label}: ${detail}`);
}

function main(sizes: number[]): void {
    const files: Record<string, string> = {
        [`stacks/${tier}.yaml`]: fs.readFileSync(path.join(repoRoot, "stacks", `${tier}.yaml`), "utf8"),
    };
    for (const n of sizes) {
        files[`envs/bench${n}.yaml`] = inventory(n);
        files[`Pulumi.bench${n}-${tier}.yaml`] = stackFile(`bench${n}`);
    }
    const dir = scratchProject(files);
    try {
        const rows: Row[] = [];
        for (const n of sizes) {
            const real = measure(dir, `bench${n}-${tier}`, path.join(dir, "index.ts"), programModules(dir));
            fs.writeFileSync(path.join(dir, `Pulumi.bare${n}.yaml`), stringify({ config: { "bench:resources": real.resources } }));
            const bare = measure(dir, `bare${n}`, path.join(dir, "tools", "bench", "state-bare.ts"), programModules(dir));
            rows.push({ nodes: n, real, bare });
        }
        printTable(rows);
        const at = (n: number) => rows.find((r) => r.nodes === n);
        const [r64, r256] = [at(64), at(256)];
        const limit = r64 && r64.real.inputsBytes * (256 / 64) * 1.1;
        const inputsOk = r64 && r256 && limit !== undefined ? r256.real.inputsBytes <= limit : undefined;
        check(
            "(a) inputs(256) <= inputs(64) x 256/64 x 1.1",
            inputsOk,
            r256 && limit ? `${r256.real.inputsBytes} vs ${Math.round(limit)} bytes` : "needs 64 and 256",
        );
        const timeOk = r256 ? r256.real.evalSeconds <= 1.3 * r256.bare.evalSeconds : undefined;
        check(
            "(b) eval(256) <= 1.3 x bare(256)",
            timeOk,
            r256 ? `${r256.real.evalSeconds.toFixed(2)} vs ${(1.3 * r256.bare.evalSeconds).toFixed(2)} s` : "needs 256",
        );
        if (inputsOk === false && r64 && r256) printGrowth(r64, r256);
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

const args = process.argv.slice(2);
if (args.some((a) => !/^[1-9][0-9]*$/.test(a))) {
    console.error("usage: node tools/run-ts.js tools/bench/state.ts [NODES...]   (default 8 64 256)");
    process.exit(2);
}
try {
    main(args.length > 0 ? args.map(Number) : [8, 64, 256]);
} catch (e) {
    console.error((e as Error).message);
    process.exit(1);
}
