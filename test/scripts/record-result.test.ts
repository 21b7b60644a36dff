import { spawn, spawnSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { FIXTURES, ROOT, run, RunResult } from "./proc";

const SCRIPT = path.join(ROOT, "scripts", "record-result.js");

/** Every field the program passes in PARWOP_PROVENANCE, with made-up values. */
const provenance = JSON.parse(fs.readFileSync(path.join(FIXTURES, "provenance.json"), "utf8")) as Record<string, unknown>;

function driverLine(over: Record<string, unknown> = {}): string {
    return (
        JSON.stringify({
            query: "SQ1",
            repetition: 1,
            warmup: false,
            execution_id: "6f1c2b0e-8d4a-4c1e-9b7a-0a1b2c3d4e5f",
            workers: ["worker-1", "worker-2"],
            memory_limit_records: 5000000,
            wall_seconds: 12.5,
            batches: 0,
            rows: 0,
            started_at: "2025-01-01T00:00:00.000Z",
            ended_at: "2025-01-01T00:00:12.500Z",
            records: 40000,
            ...over,
        }) + "\n"
    );
}
const execution = () => ({ execution_id: randomUUID() });

/** `prov` null: PARWOP_PROVENANCE unset. */
function record(dir: string, input: string, prov: unknown = provenance, env: Record<string, string> = {}): RunResult {
    const vars: NodeJS.ProcessEnv = { ...process.env, ...env };
    delete vars.PARWOP_PROVENANCE;
    if (prov !== null) vars.PARWOP_PROVENANCE = typeof prov === "string" ? prov : JSON.stringify(prov);
    return run("node", [SCRIPT, dir], { input, env: vars });
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
    it("creates the dir and writes provenance, the driver's figures, the commit and the time", () => {
        const r = record(dir, driverLine());
        expect(r).toEqual({
            code: 0,
            stdout: `recorded SQ1 rep 1 (execution 6f1c2b0e-8d4a-4c1e-9b7a-0a1b2c3d4e5f) in ${dir}\n`,
            stderr: "",
        });
        const [rec] = readJsonl(dir);
        const head = run("git", ["rev-parse", "HEAD"], { cwd: ROOT }).stdout.trim();
        const dirty = run("git", ["status", "--porcelain"], { cwd: ROOT }).stdout.trim() !== "";
        expect(rec).toEqual({
            ...provenance,
            ...JSON.parse(driverLine()),
            git_commit: head,
            git_dirty: dirty,
            git_diff_digest: dirty ? expect.stringMatching(/^[0-9a-f]{16}$/) : null,
            recorded_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
        });
    });

    it("two executions of the same run are two records; nothing is replaced", () => {
        expect(record(dir, driverLine({ ...execution(), wall_seconds: 10 })).code).toBe(0);
        // the same run again, say after a PARWOP source change rebuilt the image
        expect(record(dir, driverLine({ ...execution(), wall_seconds: 9 }), { ...provenance, source_digest: "src-2222" }).code).toBe(0);
        expect(record(dir, driverLine({ ...execution(), wall_seconds: 30, warmup: true })).code).toBe(0);
        const recs = readJsonl(dir).map((r) => [r.run_id, r.query, r.repetition, r.warmup, r.wall_seconds, r.source_digest]);
        expect(recs).toEqual([
            ["r1", "SQ1", 1, false, 10, "src-1111"],
            ["r1", "SQ1", 1, false, 9, "src-2222"],
            ["r1", "SQ1", 1, true, 30, "src-1111"],
        ]);
        expect(new Set(readJsonl(dir).map((r) => r.execution_id)).size).toBe(3);
        expect(fs.readFileSync(path.join(dir, "runs.csv"), "utf8").trim().split("\n")).toHaveLength(4);
    });

    it("recording the same line again changes nothing; the same execution with other figures is refused", () => {
        expect(record(dir, driverLine()).code).toBe(0);
        const before = fs.readFileSync(path.join(dir, "runs.jsonl"), "utf8");
        const again = record(dir, driverLine());
        expect(again).toEqual({
            code: 0,
            stdout: `already recorded SQ1 rep 1 (execution 6f1c2b0e-8d4a-4c1e-9b7a-0a1b2c3d4e5f) in ${dir}\n`,
            stderr: "",
        });
        const other = record(dir, driverLine({ wall_seconds: 3, records: 7 }));
        expect(other.code).toBe(1);
        expect(other.stderr).toBe(
            "record-result: execution 6f1c2b0e-8d4a-4c1e-9b7a-0a1b2c3d4e5f is already recorded with other wall_seconds, records: records are never replaced\n",
        );
        expect(fs.readFileSync(path.join(dir, "runs.jsonl"), "utf8")).toBe(before);
    });

    it("keeps the lines already there, old ones included, and mends a last line cut short", () => {
        fs.mkdirSync(dir, { recursive: true });
        const old = JSON.stringify({ stack: "lab-32_2", query: "SQ1", repetition: 1, wall_seconds: 11, run_id: "r0" });
        fs.writeFileSync(path.join(dir, "runs.jsonl"), old); // no newline at the end
        expect(record(dir, driverLine()).code).toBe(0);
        const text = fs.readFileSync(path.join(dir, "runs.jsonl"), "utf8");
        expect(text.startsWith(old + "\n{")).toBe(true);
        expect(readJsonl(dir).map((r) => r.run_id)).toEqual(["r0", "r1"]);
    });

    it("loses no record when several recorders run at once", async () => {
        const one = (rep: number) =>
            new Promise<number | null>((resolve) => {
                const child = spawn("node", [SCRIPT, dir], {
                    env: { ...process.env, PARWOP_PROVENANCE: JSON.stringify(provenance) },
                    stdio: ["pipe", "ignore", "inherit"],
                });
                child.on("close", resolve);
                child.stdin.end(driverLine({ ...execution(), repetition: rep }));
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
        const [header, row] = fs.readFileSync(path.join(dir, "runs.csv"), "utf8").split("\n");
        expect(header).toBe(
            "execution_id,run_id,stack,environment,node_count,tier,mode,query,repetition,warmup,wall_seconds,records,batches,rows," +
                "memory_limit_records,workers,nodes,started_at,ended_at,source_digest,image_id,cluster_identity,config_hash," +
                "run_key,attempt,driver_digest,drop_digest,git_commit,git_dirty,git_diff_digest,recorded_at",
        );
        expect(row).toMatch(
            /^6f1c2b0e-8d4a-4c1e-9b7a-0a1b2c3d4e5f,r1,lab-32_2,"lab, ""netns""",2,32_2,distributed,"odd ""name"", with comma",1,false,12\.5,40000,0,0,5000000,worker-1;worker-2,worker-1;worker-2,2025-01-01T00:00:00\.000Z,2025-01-01T00:00:12\.500Z,src-1111,sha256:0123abcd,cluster-aaaa,cfg1,5d1e0c2a9b8f7e6d,1,drv-2222,drop-3333,[0-9a-f]{40},(true,[0-9a-f]{16}|false,),[0-9TZ:.-]+$/,
        );
    });

    const withWall = (raw: string) => driverLine().replace('"wall_seconds":12.5', `"wall_seconds":${raw}`);
    it.each([
        ["not JSON", "xx\n", /^record-result: stdin is not valid JSON: .+\n$/],
        ["empty stdin", "", /^record-result: expected one JSON line on stdin, got 0 lines\n$/],
        ["two lines", driverLine() + driverLine(), /^record-result: expected one JSON line on stdin, got 2 lines\n$/],
        ["a JSON array", "[1]\n", /^record-result: stdin is not a JSON object\n$/],
        ["a string as wall_seconds", withWall('"12"'), /^record-result: stdin field wall_seconds must be a finite number > 0, got "12"\n$/],
        ["0 s", withWall("0"), /^record-result: stdin field wall_seconds must be a finite number > 0, got 0\n$/],
        ["negative seconds", withWall("-1.5"), /^record-result: stdin field wall_seconds must be a finite number > 0, got -1.5\n$/],
        ["1e999 s (Infinity)", withWall("1e999"), /^record-result: stdin field wall_seconds must be a finite number > 0, got Infinity\n$/],
        ["no records", driverLine({ records: undefined }), /^record-result: stdin lacks records\n$/],
        ["0 records", driverLine({ records: 0 }), /^record-result: stdin field records must be a whole number > 0, got 0\n$/],
        ["null records", driverLine({ records: null }), /^record-result: stdin field records must be a whole number > 0, got null\n$/],
        ["no execution id", driverLine({ execution_id: undefined }), /^record-result: stdin lacks execution_id\n$/],
        [
            "a tier",
            driverLine({ tier: "32_2" }),
            /^record-result: stdin field tier would override the provenance's tier: the driver must not report it\n$/,
        ],
        ["nodes", driverLine({ nodes: ["w"] }), /^record-result: stdin field nodes would override the provenance's nodes: /],
        [
            "a commit",
            driverLine({ git_commit: "x" }),
            /^record-result: stdin field git_commit would override the provenance's git_commit: /,
        ],
        [
            "a dirty flag",
            driverLine({ git_dirty: false }),
            /^record-result: stdin field git_dirty would override the provenance's git_dirty: /,
        ],
    ])("rejects %s with one line and exit 1, leaving earlier results alone", (_name, input, message) => {
        expect(record(dir, driverLine({ execution_id: randomUUID() })).code).toBe(0);
        const before = fs.readFileSync(path.join(dir, "runs.jsonl"), "utf8");
        const r = record(dir, input);
        expect(r.code).toBe(1);
        expect(r.stderr).toMatch(message);
        expect(r.stdout).toBe("");
        expect(fs.readFileSync(path.join(dir, "runs.jsonl"), "utf8")).toBe(before);
    });

    it.each([
        ["unset", null, "env PARWOP_PROVENANCE is not set"],
        ["missing fields", { stack: "s", tier: "t" }, "PARWOP_PROVENANCE lacks " + Object.keys(provenance).slice(2).join(", ")],
        [
            "a node count that is not its nodes'",
            { ...provenance, node_count: 3 },
            "PARWOP_PROVENANCE node_count 3 disagrees with its 2 nodes",
        ],
        [
            "a commit of its own",
            { ...provenance, git_commit: "abc" },
            "PARWOP_PROVENANCE must not set git_commit: record-result.js stamps it",
        ],
        [
            "an image name for the image ID",
            { ...provenance, image_id: "parwop:0.1" },
            'PARWOP_PROVENANCE field image_id must be an image ID, "sha256:…", got "parwop:0.1"',
        ],
        [
            "another mode",
            { ...provenance, mode: "cluster" },
            'PARWOP_PROVENANCE field mode must be "local" or "distributed", got "cluster"',
        ],
        ["a numeric run id", { ...provenance, run_id: 1 }, "PARWOP_PROVENANCE field run_id must be a non-empty string, got 1"],
    ])("refuses provenance %s, writing nothing", (_name, prov, message) => {
        const r = record(dir, driverLine(), prov);
        expect(r).toEqual({ code: 1, stdout: "", stderr: `record-result: ${message}\n` });
        expect(fs.existsSync(dir)).toBe(false);
    });

    it("stamps whether the checkout had uncommitted changes and a digest of them: one per content of the change", () => {
        // A checkout of its own holding the two scripts, so the dirty flag is this test's to set.
        const checkout = path.join(tmp, "checkout");
        fs.mkdirSync(path.join(checkout, "scripts"), { recursive: true });
        for (const f of ["record-result.js", "results-lock.js"])
            fs.copyFileSync(path.join(ROOT, "scripts", f), path.join(checkout, "scripts", f));
        const script = path.join(checkout, "scripts", "record-result.js");
        const recordWith = () => {
            const r = run("node", [script, dir], {
                input: driverLine(execution()),
                env: { ...process.env, PARWOP_PROVENANCE: JSON.stringify(provenance) },
            });
            expect(r.code).toBe(0);
            const last = readJsonl(dir).at(-1)!;
            return [last.git_commit, last.git_dirty, last.git_diff_digest];
        };
        expect(recordWith()).toEqual(["unknown", null, null]);
        const git = (...args: string[]) =>
            expect(run("git", ["-c", "user.name=t", "-c", "user.email=t@t", ...args], { cwd: checkout }).code).toBe(0);
        git("init", "-q");
        git("add", ".");
        git("commit", "-q", "-m", "scripts");
        const head = run("git", ["rev-parse", "HEAD"], { cwd: checkout }).stdout.trim();
        expect(recordWith()).toEqual([head, false, null]);
        fs.writeFileSync(path.join(checkout, "scripts", "new.js"), "");
        const [, dirty, newFile] = recordWith();
        expect([dirty, newFile]).toEqual([true, expect.stringMatching(/^[0-9a-f]{16}$/)]);
        // the same change, the same digest; another content of the new file, or an edit to a tracked one, another
        expect(recordWith()[2]).toBe(newFile);
        fs.writeFileSync(path.join(checkout, "scripts", "new.js"), "x");
        const edited = recordWith()[2];
        expect(edited).not.toBe(newFile);
        fs.rmSync(path.join(checkout, "scripts", "new.js"));
        fs.appendFileSync(path.join(checkout, "scripts", "results-lock.js"), "\n");
        const tracked = recordWith()[2];
        expect([tracked, recordWith()[1]]).not.toContain(edited);
        expect(recordWith()[1]).toBe(true);
    });

    it("prints usage without a results dir", () => {
        const r = run("node", [SCRIPT], { input: driverLine() });
        expect(r.code).toBe(2);
        expect(r.stderr).toMatch(/^usage: node scripts\/record-result\.js RESULTS_DIR/);
    });
});

describe("record-result.js: the results lock", () => {
    const lockFile = () => path.join(dir, ".lock");
    const holdLock = (holder: Record<string, unknown>) => {
        fs.mkdirSync(dir, { recursive: true });
        fs.writeFileSync(lockFile(), JSON.stringify({ since: "2025-01-01T00:00:00.000Z", token: "t", ...holder }));
    };
    const deadPid = () => {
        const child = spawnSync("true");
        return child.pid!;
    };

    it("takes over at once from a holder that is gone (its pid is not alive on this host)", () => {
        holdLock({ pid: deadPid(), host: os.hostname() });
        const started = Date.now();
        const r = record(dir, driverLine());
        expect(r.stderr).toBe("");
        expect(r.code).toBe(0);
        expect(Date.now() - started).toBeLessThan(2000);
        expect(fs.readdirSync(dir).sort()).toEqual(["runs.csv", "runs.jsonl"]);
    });

    it("takes over an old version's lock directory once it is 10 s old", () => {
        fs.mkdirSync(lockFile(), { recursive: true });
        const old = new Date(Date.now() - 60_000);
        fs.utimesSync(lockFile(), old, old);
        expect(record(dir, driverLine()).code).toBe(0);
        expect(fs.existsSync(lockFile())).toBe(false);
    });

    it.each([
        [
            "a live holder on this host",
            () => ({ pid: process.pid, host: os.hostname() }),
            `pid ${process.pid} on this host (${os.hostname()})`,
        ],
        [
            "a holder on another machine",
            () => ({ pid: 4242, host: "elsewhere.lab" }),
            "pid 4242 on host elsewhere.lab, another machine: whether it still runs cannot be told from here",
        ],
    ])("waits for %s, then fails naming it", (_name, holder, who) => {
        holdLock(holder());
        const started = Date.now();
        const r = record(dir, driverLine(), provenance, { PARWOP_RESULTS_LOCK_WAIT_SECONDS: "1" });
        expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
        expect(r.code).toBe(1);
        expect(r.stderr).toBe(
            `record-result: results dir ${dir} is locked by ${who}, since 2025-01-01T00:00:00.000Z; still held after 1 s (remove ${lockFile()} if that process is not recording)\n`,
        );
        expect(fs.existsSync(path.join(dir, "runs.jsonl"))).toBe(false);
        expect(fs.existsSync(lockFile())).toBe(true);
    });
});
