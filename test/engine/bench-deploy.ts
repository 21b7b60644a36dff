/**
 * Benchmark of the deploy verbs on the test lab through the real engine (not a test: it prints
 * figures and asserts nothing). For 1, 2 and 4 nodes: wall time of `up` from nothing, of a
 * no-op `up`, and of `destroy`, medians of REPS runs, with the 4-node / 1-node ratio of each;
 * then where one 4-node `up` spends its time, phase by phase, from the engine's own
 * per-resource durations (the `created (12s)` it prints).
 *
 * Usage: bash test/engine/bench-deploy.sh [REPS]    (as root, with the lab up; default 3)
 */
import { EngineProject } from "./engine";
import { LabAgent, labHosts, labStack, labStackFiles } from "./labstack";

const reps = Number(process.argv[2] ?? 3);
const sizes = [1, 2, 4];
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Which phase a resource belongs to, by its name (model/names.ts gives every name its suffix). */
const phases: [string, RegExp][] = [
    ["preflight", /-preflight-check$/],
    ["image build", /-parwop-image$/],
    ["broker", /-broker-(image|container|ready)$/],
    ["coordinator", /-coordinator-container$/],
    ["workers", /-worker-container$/],
    ["health gate", /-health-wait$/],
    ["drops", /-drop-/],
    ["run", /-run$/],
    ["record", /-record$/],
];

/** The engine's duration of every resource step in an update's output, by resource name. */
function stepSeconds(out: string): Map<string, number> {
    const found = new Map<string, number>();
    for (const m of out.matchAll(/^ [+-]+\s+\S+ (\S+) (?:created|deleted|updated|replaced)[^(]*\((\d+(?:\.\d+)?)s\)/gm))
        found.set(m[1], Number(m[2]));
    return found;
}

function main(): void {
    const hosts = labHosts();
    if (hosts.length < 4) throw new Error("bench-deploy needs the lab's 4 SSH test hosts: bash test/lab/up.sh");
    const agent = new LabAgent();
    const figures: Record<number, { up: number[]; noop: number[]; destroy: number[] }> = {};
    const steps: Map<string, number>[] = [];
    try {
        for (const n of sizes) {
            const stack = labStack("small");
            const project = new EngineProject(stack, labStackFiles(hosts.slice(0, n)), { SSH_AUTH_SOCK: agent.socket });
            project.ok(["config", "set", "--secret", "parwop:brokerAdminPassword", "bench-admin-pw"]);
            figures[n] = { up: [], noop: [], destroy: [] };
            try {
                for (let i = 0; i < reps; i++) {
                    const up = project.ok(["up", "--yes"]);
                    figures[n].up.push(up.seconds);
                    if (n === 4) steps.push(stepSeconds(up.out));
                    figures[n].noop.push(project.ok(["up", "--yes"]).seconds);
                    figures[n].destroy.push(project.ok(["destroy", "--yes"]).seconds);
                    process.stderr.write(`bench-deploy: ${n} node(s), run ${i + 1}/${reps} done\n`);
                }
            } finally {
                project.pulumi(["destroy", "--yes"]);
                project.remove();
            }
        }
    } finally {
        agent.stop(hosts);
    }
    console.log(`\nwall time, seconds: median of ${reps} (min-max)`);
    console.log("| verb | 1 node | 2 nodes | 4 nodes | 4 / 1 |");
    console.log("| --- | --- | --- | --- | --- |");
    for (const verb of ["up", "noop", "destroy"] as const) {
        const cell = (n: number) =>
            `${median(figures[n][verb]).toFixed(1)} (${Math.min(...figures[n][verb]).toFixed(1)}-${Math.max(...figures[n][verb]).toFixed(1)})`;
        const label = { up: "`up` from nothing", noop: "no-op `up`", destroy: "`destroy`" }[verb];
        console.log(`| ${label} | ${sizes.map(cell).join(" | ")} | ${(median(figures[4][verb]) / median(figures[1][verb])).toFixed(2)} |`);
    }
    console.log(
        "\nwhere a 4-node `up` spends its time (the engine's per-resource durations, median over runs; a phase's resources run in parallel, so its time is its slowest one):",
    );
    console.log("| phase | seconds |");
    console.log("| --- | --- |");
    let chain = 0;
    for (const [phase, re] of phases) {
        const slowest = median(steps.map((s) => Math.max(0, ...[...s].filter(([name]) => re.test(name)).map(([, t]) => t))));
        chain += slowest;
        console.log(`| ${phase} | ${slowest.toFixed(2)} |`);
    }
    console.log(`| the chain of phases | ${chain.toFixed(2)} |`);
    console.log(`| rest of the up (program, plugins, connections, engine) | ${(median(figures[4].up) - chain).toFixed(2)} |`);
}

main();
