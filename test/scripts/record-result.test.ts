import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ROOT, run, RunResult } from "./proc";

const SCRIPT = path.join(ROOT, "scripts", "record-result.js");

const provenance = {
    stack: "lab-32_2",
    tier: "32_2",
    environment: 'lab, "netns"',
    nodes: ["node6", "node7"],
    git_commit: "0123abc",
    config_hash: "cfg1",
    run_id: "r1",
};

function driverLine(over: Record<string, unknown> = {}): string {
    return (
        JSON.stringify({
            query: "SQ1",
            repetition: 1,
            warmup: false,
            mode: "distributed",
            tier: "32_2",
            nodes: ["worker-1", "worker-2"],
            memory_limit_records: 5000000,
            wall_seconds: 12.5,
            batches: 0,
            rows: 0,
            started_at: "2025-01-01T00:00:00.000Z",
            ended_at: "2025-01-01T00:00:12.500Z",
            ...over,
        }) + "\n"
    );
}

/** `prov` null: PARWOP_PROVENANCE unset. */
function record(dir: string, input: string, prov: unknown = provenance): RunResult {
    const env: NodeJS.ProcessEnv = { ...process.env };
    delete env.PARWOP_PROVENANCE;
    if (prov !== null) env.PARWOP_PROVENANCE = typeof prov === "string" ? prov : JSON.stringify(prov);
    return run("node", [SCRIPT, dir], { input, env });
}

function readJsonl(dir: string): Record<string, unknown>[] {
    return fs
        .readFileSync(path.join(dir, "runs.jsonl"), "utf8")
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l) as Record<string, unknown>);
}

let tmp: string;
let dir: string;
beforeEach(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "record-result-"));
    dir = path.join(tmp, "results", "lab-32_2"); // not there yet: the script must create it
});
afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe("record-result.js", () => {
    it("creates the dir and writes the merged record to runs.jsonl and runs.csv", () => {
        const r = record(dir, driverLine());
        expect(r).toEqual({ code: 0, stdout: `recorded SQ1 rep 1 in ${dir}\n`, stderr: "" });
        const [rec] = readJsonl(dir);
        expect(rec).toMatchObject({
            stack: "lab-32_2",
            tier: "32_2",
            run_id: "r1",
            git_commit: "0123abc",
            config_hash: "cfg1",
            query: "SQ1",
            repetition: 1,
            warmup: false,
            wall_seconds: 12.5,
            // the run's own worker ids win; the inventory is kept beside them
            nodes: ["worker-1", "worker-2"],
            provenance_nodes: ["node6", "node7"],
        });
        expect(rec.recorded_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    });

    it("stamps the checkout's own commit when the provenance carries none", () => {
        const { git_commit: _omitted, ...withoutCommit } = provenance;
        expect(_omitted).toBe("0123abc");
        expect(record(dir, driverLine(), withoutCommit).code).toBe(0);
        const head = run("git", ["rev-parse", "HEAD"], { cwd: ROOT }).stdout.trim();
        expect(head).toMatch(/^[0-9a-f]{40}$/);
        expect(readJsonl(dir)[0].git_commit).toBe(head);
    });

    it("replaces a record with the same run id, config, query, repetition and warm-up flag", () => {
        expect(record(dir, driverLine({ wall_seconds: 10 })).code).toBe(0);
        expect(record(dir, driverLine({ repetition: 2, wall_seconds: 11 })).code).toBe(0);
        expect(record(dir, driverLine({ warmup: true, wall_seconds: 30 })).code).toBe(0);
        expect(record(dir, driverLine({ wall_seconds: 9 })).code).toBe(0); // re-run of rep 1
        expect(record(dir, driverLine({ wall_seconds: 8 }), { ...provenance, run_id: "r2" }).code).toBe(0);
        // Same run id under another config (e.g. max threads changed) is another result, not a re-run.
        expect(record(dir, driverLine({ wall_seconds: 7 }), { ...provenance, config_hash: "cfg2" }).code).toBe(0);

        const recs = readJsonl(dir).map((r) => [r.run_id, r.config_hash, r.repetition, r.warmup, r.wall_seconds]);
        expect(recs).toEqual([
            ["r1", "cfg1", 1, false, 9],
            ["r1", "cfg1", 2, false, 11],
            ["r1", "cfg1", 1, true, 30],
            ["r2", "cfg1", 1, false, 8],
            ["r1", "cfg2", 1, false, 7],
        ]);
        const csv = fs.readFileSync(path.join(dir, "runs.csv"), "utf8").trim().split("\n");
        expect(csv).toHaveLength(6);
    });

    it("loses no record when several recorders run at once", async () => {
        const one = (rep: number) =>
            new Promise<number | null>((resolve) => {
                const child = spawn("node", [SCRIPT, dir], {
                    env: { ...process.env, PARWOP_PROVENANCE: JSON.stringify(provenance) },
                    stdio: ["pipe", "ignore", "inherit"],
                });
                child.on("close", resolve);
                child.stdin.end(driverLine({ repetition: rep }));
            });
        const codes = await Promise.all([1, 2, 3, 4, 5, 6, 7, 8].map(one));
        expect(codes).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
        expect(
            readJsonl(dir)
                .map((r) => r.repetition)
                .sort(),
        ).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
        expect(fs.readFileSync(path.join(dir, "runs.csv"), "utf8").trim().split("\n")).toHaveLength(9);
        expect(fs.readdirSync(dir).sort()).toEqual(["runs.csv", "runs.jsonl"]);
    });

    it("writes the CSV with a stable column order and proper quoting", () => {
        record(dir, driverLine({ query: 'odd "name", with comma' }));
        const csv = fs.readFileSync(path.join(dir, "runs.csv"), "utf8");
        const [header, row] = csv.split("\n");
        expect(header).toBe(
            "run_id,stack,tier,environment,mode,query,repetition,warmup,wall_seconds,batches,rows," +
                "memory_limit_records,nodes,started_at,ended_at,git_commit,config_hash,recorded_at,provenance_nodes",
        );
        expect(row).toMatch(
            /^r1,lab-32_2,32_2,"lab, ""netns""",distributed,"odd ""name"", with comma",1,false,12\.5,0,0,5000000,worker-1;worker-2,2025-01-01T00:00:00\.000Z,2025-01-01T00:00:12\.500Z,0123abc,cfg1,[0-9TZ:.-]+,node6;node7$/,
        );
        expect(csv.endsWith("\n")).toBe(true);
    });

    it.each([
        ["not JSON", "xx\n", /^record-result: stdin is not valid JSON: .+\n$/],
        ["empty stdin", "", /^record-result: expected one JSON line on stdin, got 0 lines\n$/],
        ["two lines", driverLine() + driverLine(), /^record-result: expected one JSON line on stdin, got 2 lines\n$/],
        ["a JSON array", "[1]\n", /^record-result: stdin is not a JSON object\n$/],
        ["no wall_seconds", driverLine({ wall_seconds: "12" }), /^record-result: stdin field wall_seconds must be a number, got "12"\n$/],
        ["another tier", driverLine({ tier: "64_4" }), /^record-result: tier mismatch: provenance says 32_2, the run says 64_4\n$/],
    ])("rejects %s with one line and exit 1, leaving earlier results alone", (_name, input, message) => {
        expect(record(dir, driverLine()).code).toBe(0);
        const before = fs.readFileSync(path.join(dir, "runs.jsonl"), "utf8");
        const r = record(dir, input);
        expect(r.code).toBe(1);
        expect(r.stderr).toMatch(message);
        expect(r.stdout).toBe("");
        expect(fs.readFileSync(path.join(dir, "runs.jsonl"), "utf8")).toBe(before);
    });

    it("rejects missing or incomplete provenance", () => {
        expect(record(dir, driverLine(), null).stderr).toBe("record-result: env PARWOP_PROVENANCE is not set\n");
        const r = record(dir, driverLine(), { stack: "s" });
        expect(r.code).toBe(1);
        expect(r.stderr).toBe("record-result: PARWOP_PROVENANCE field run_id must be a string, got undefined\n");
        expect(fs.existsSync(dir)).toBe(false);
    });

    it("prints usage without a results dir", () => {
        const r = run("node", [SCRIPT], { input: driverLine() });
        expect(r.code).toBe(2);
        expect(r.stderr).toMatch(/^usage: node scripts\/record-result\.js RESULTS_DIR/);
    });
});
