/**
 * `npm run study` through the real CLI, its plugins and this machine's Docker engine: two small
 * tiers of the dev environment (studyProject.ts), one query, one repetition. A first study is
 * interrupted (Ctrl-C) while the second tier runs its query, and resumed; then a lock a killed
 * CLI left is cleared, and a live one is not. Asserted with the stacks' state, docker, the
 * results files, the study's event log, and the chart as Chromium draws it.
 */
import { ChildProcess, spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { renderSvgToPng, svgSize } from "../helpers/chromium";
import { colourDistance, decodePng, hexRgb } from "../helpers/png";
import { containersOf, removeContainersOf } from "./devstack";
import { EngineProject } from "./engine";
import { lockFiles, processesIn, studyProject, studyStacks } from "./studyProject";

const [t1, t2] = studyStacks;
/** Where the lead can look at what the run drew. */
const keep = path.join(os.tmpdir(), "parwop-study-engine-test");

let project: EngineProject;
const took: Record<string, number> = {};

interface Study {
    code: number | null;
    out: string;
    err: string;
    seconds: number;
}

/** Runs `npm run study -- dev ...` as a user would (node, the project's run-ts); `until` a stdout line, then `signal`. */
function study(args: string[], interrupt?: { until: RegExp; signal: NodeJS.Signals }): Promise<Study> {
    const start = Date.now();
    const child: ChildProcess = spawn(process.execPath, ["tools/run-ts.js", "tools/study/study.ts", "dev", ...args], {
        cwd: project.dir,
        env: project.env,
    });
    let out = "";
    let err = "";
    let sent = false;
    child.stdout!.on("data", (d) => {
        out += d;
        if (interrupt && !sent && out.split("\n").some((l) => interrupt.until.test(l))) {
            sent = true;
            child.kill(interrupt.signal);
        }
    });
    child.stderr!.on("data", (d) => (err += d));
    return new Promise((resolve) =>
        child.on("close", (code) => {
            // An unexpected failure's own words first, whole: a CI log shows an assertion's diff only in part.
            if (code !== 0 && code !== 130)
                console.log(`study ${args.join(" ")} exited ${code}:\n${err.split("\n").slice(-25).join("\n")}`);
            resolve({ code, out, err, seconds: (Date.now() - start) / 1000 });
        }),
    );
}

const results = (stack: string) => {
    const file = path.join(project.dir, "results", stack, "runs.jsonl");
    return fs.existsSync(file) ? fs.readFileSync(file, "utf8").split("\n").filter(Boolean) : [];
};
const studyDir = () => path.join(project.dir, "results", "study-dev");
const events = () =>
    fs
        .readFileSync(path.join(studyDir(), "events.jsonl"), "utf8")
        .split("\n")
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Record<string, unknown>);
/** The events of the last study process: from its "started" on. */
const lastStudyEvents = () => {
    const all = events();
    const from = all.map((e) => e.event === "study" && e.status === "started").lastIndexOf(true);
    return all.slice(from);
};
const resources = (stack: string) =>
    Number(JSON.parse(project.ok(["stack", "ls", "--json"]).out).find((s: { name: string }) => s.name === stack)?.resourceCount ?? 0);

beforeAll(() => {
    for (const s of studyStacks) removeContainersOf(s);
    project = studyProject();
});

afterAll(() => {
    for (const s of studyStacks) {
        if (resources(s) > 0) project.pulumi(["destroy", "--yes", "-s", s]);
        removeContainersOf(s);
    }
    const left = processesIn(project.dir);
    project.remove();
    console.log(`study through the real engine (s): ${JSON.stringify(took)}`);
    if (left.length > 0) throw new Error(`processes left running in the project: ${left.join(", ")}`);
});

describe("npm run study on the dev environment, two tiers, through the real engine", () => {
    let first: string[];

    test("Ctrl-C while the second tier runs its query cancels that up cleanly: exit 130, no stack locked, only that tier deployed", async () => {
        const r = await study(["--tiers", "t1,t2"], { until: /^\[[\d:]+\] t2 \(2\/2\): run 1 of 1 \(SQ1 rep 1\)$/, signal: "SIGINT" });
        took["interrupted study"] = r.seconds;
        expect({ code: r.code, err: r.err }).toEqual({
            code: 130,
            err: expect.stringContaining(`${t2}: pulumi up cancelled after`),
        });
        expect(r.err).toContain("Ctrl-C: cancelling the running operation as pulumi cancel would");
        expect(r.out).toMatch(/t1 \(1\/2\): destroyed in .* \(\d+ resources\)/);
        expect(studyStacks.map((s) => lockFiles(project, s))).toEqual([[], []]);
        expect([resources(t1), resources(t2) > 0]).toEqual([0, true]);
        expect([containersOf(t1), containersOf(t2)]).toEqual([
            [],
            ["parwop-coordinator", "parwop-rabbitmq", "parwop-worker-1", "parwop-worker-2"],
        ]);
        first = results(t1);
        expect(first).toHaveLength(1);
        expect(results(t2)).toEqual([]);
        expect(
            lastStudyEvents()
                .filter((e) => e.event === "step")
                .map((e) => [e.stack, e.step, e.status]),
        ).toEqual([
            [t1, "up", "started"],
            [t1, "up", "finished"],
            [t1, "destroy", "started"],
            [t1, "destroy", "finished"],
            [t2, "up", "started"],
            [t2, "up", "cancelled"],
        ]);
        expect(processesIn(project.dir)).toEqual([]);
    });

    test("the same command resumes: the finished tier is not run again, the cancelled up is completed, then the table and charts", async () => {
        const r = await study(["--tiers", "t1,t2"]);
        took["resumed study"] = r.seconds;
        expect(r.code).toBe(0);
        expect(r.out.trim().split("\n").pop()).toMatch(
            /^study dev: done in .*: results\/study-dev\/STUDY\.md, results\/study-dev\/SQ1\.svg$/,
        );
        const steps = lastStudyEvents().filter((e) => e.event === "step");
        expect(steps.map((e) => [e.stack, e.step, e.status])).toEqual([
            [t2, "up", "started"],
            [t2, "up", "finished"],
            [t2, "destroy", "started"],
            [t2, "destroy", "finished"],
        ]);
        expect(steps[0].why).toBe("its up was cancelled with 0 of 1 runs recorded: pulumi up completes it");
        expect(results(t1)).toEqual(first);
        expect(results(t2)).toHaveLength(1);
        expect(studyStacks.map(resources)).toEqual([0, 0]);
        expect(studyStacks.flatMap(containersOf)).toEqual([]);

        const [r1, r2] = [first[0], results(t2)[0]].map((l) => JSON.parse(l) as Record<string, unknown>);
        const md = fs.readFileSync(path.join(studyDir(), "STUDY.md"), "utf8");
        const row = (r: Record<string, unknown>, tier: string, ram: number, cpus: number, speedup: string) =>
            `| distributed | ${tier} | ${ram} | ${cpus} | 1 | ${(r.wall_seconds as number).toFixed(3)} | ${(r.wall_seconds as number).toFixed(3)} | ${(r.wall_seconds as number).toFixed(3)} | ${speedup} |`;
        expect(md).toContain(row(r1, "t1", 1, 1, "1.00"));
        expect(md).toContain(row(r2, "t2", 2, 2, ((r1.wall_seconds as number) / (r2.wall_seconds as number)).toFixed(2)));
        // The provenance is the records': the project's own commit, a clean checkout.
        expect(md).toContain(
            `| t2 | ${String(r2.source_digest)} | ${String(r2.image_id)} | ${String(r2.cluster_identity)} | ${String(r2.git_commit)} | no |`,
        );
        expect(r2.git_commit).toMatch(/^[0-9a-f]{40}$/);
        expect(r1.cluster_identity).not.toBe(r2.cluster_identity);

        fs.mkdirSync(keep, { recursive: true });
        const svg = path.join(studyDir(), "SQ1.svg");
        const png = path.join(keep, "SQ1.png");
        renderSvgToPng(svg, png);
        fs.copyFileSync(svg, path.join(keep, "SQ1.svg"));
        fs.copyFileSync(path.join(studyDir(), "STUDY.md"), path.join(keep, "STUDY.md"));
        const text = fs.readFileSync(svg, "utf8");
        const image = decodePng(fs.readFileSync(png));
        expect({ width: image.width, height: image.height }).toEqual(svgSize(text));
        const dots = [
            ...text.matchAll(/<circle class="run" cx="([\d.]+)" cy="([\d.]+)" r="\d+" fill="(#[0-9A-F]{6})"[^>]*><title>([^<]+)</g),
        ];
        expect(dots.map((d) => d[4])).toEqual([
            `SQ1 at t1: ${(r1.wall_seconds as number).toFixed(3)} s`,
            `SQ1 at t2: ${(r2.wall_seconds as number).toFixed(3)} s`,
        ]);
        for (const [, cx, cy, fill] of dots) expect(colourDistance(image.rgb(Number(cx), Number(cy)), hexRgb(fill))).toBeLessThan(40);
        expect(text).toContain(`commit ${String(r2.git_commit).slice(0, 12)} · uncommitted changes: no`);
        expect(processesIn(project.dir)).toEqual([]);
    });

    test("a lock left by a killed CLI (its pid gone) is cleared with pulumi cancel; one held by a live process is not", async () => {
        // A new series for t2, as a user takes one; t1 stays done.
        project.ok(["config", "set", "--path", "-s", t2, "parwop:experiment.runId", "2"]);
        const lockDir = path.join(project.dir, ".state", ".pulumi", "locks", "organization", "parwop", t2);
        fs.mkdirSync(lockDir, { recursive: true });
        const plant = (pid: number) => {
            const file = path.join(lockDir, `${pid}-planted.json`);
            fs.writeFileSync(
                file,
                JSON.stringify({ pid, username: os.userInfo().username, hostname: os.hostname(), timestamp: new Date().toISOString() }),
            );
            return file;
        };

        const live = plant(process.pid);
        const refused = await study(["--tiers", "t1,t2"]);
        expect(refused.code).toBe(1);
        expect(refused.err).toContain(`study: ${t2}: pulumi up failed after`);
        expect(refused.err).toContain("the stack is currently locked by 1 lock(s)");
        expect(refused.err).toContain(`held by pid ${process.pid} on ${os.hostname()}`);
        expect(fs.existsSync(live)).toBe(true);
        expect(resources(t2)).toBe(0);
        fs.rmSync(live);

        const gone = plant(spawnGonePid());
        const r = await study(["--tiers", "t1,t2", "--quiet"]);
        took["study after a stale lock"] = r.seconds;
        expect({ code: r.code, out: r.out }).toEqual({ code: 0, out: expect.stringMatching(/^study dev: done in [^\n]*\n$/) });
        expect(r.err).toMatch(new RegExp(`^${t2}: locked by pid \\d+ on ${os.hostname()}, which is gone: pulumi cancel -s ${t2}\n$`));
        expect(fs.existsSync(gone)).toBe(false);
        expect(lastStudyEvents().map((e) => e.event)).toContain("unlock");
        expect(results(t1)).toEqual(first);
        expect(results(t2).map((l) => JSON.parse(l).run_id)).toEqual(["1", "2"]);
        expect(studyStacks.flatMap(containersOf)).toEqual([]);
    });
});

/** A pid that was just used and is gone: a finished child's. */
function spawnGonePid(): number {
    return spawnSync("true").pid!;
}
