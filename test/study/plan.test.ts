import { LastUp, nextRunId, nextStep, recordedRuns, Step, TierState } from "../../tools/study/plan";
import { ScheduledRun } from "../../model/schedule";

/** A tier of a 2-run-per-tier study; `recorded` of its runs in its results. */
const tier = (name: string, over: Partial<TierState> = {}): TierState => ({
    tier: name,
    stack: `lab-${name}`,
    runId: "1",
    expected: 2,
    recorded: 0,
    deployed: false,
    lastUp: "none",
    ...over,
});
const kinds = (s: Step) => (s.kind === "report" ? "report" : s.kind === "stop" ? "stop" : `${s.kind} ${s.tier}`);

describe("nextStep: which tier next", () => {
    it("a fresh study deploys the first tier", () => {
        expect(nextStep([tier("32_2"), tier("64_4")], [])).toEqual({ kind: "up", tier: "32_2", why: "not measured yet" });
    });

    it("a finished, destroyed tier is not run again: the next one is deployed", () => {
        expect(kinds(nextStep([tier("32_2", { recorded: 2 }), tier("64_4")], []))).toBe("up 64_4");
    });

    it("a finished tier still deployed is destroyed before anything else", () => {
        const s = nextStep([tier("32_2", { recorded: 2, deployed: true, lastUp: "finished" }), tier("64_4")], []);
        expect(s).toEqual({ kind: "destroy", tier: "32_2", why: "all 2 runs are recorded" });
    });

    it("every tier done and nothing deployed: the table", () => {
        expect(nextStep([tier("32_2", { recorded: 2 }), tier("64_4", { recorded: 2 })], [])).toEqual({ kind: "report" });
    });

    it("follows the study's order, not the names' (the first listed is the baseline)", () => {
        expect(kinds(nextStep([tier("128_8"), tier("32_2")], []))).toBe("up 128_8");
    });

    it("another deployed stack of the environment stops the study before anything is deployed, naming it", () => {
        const s = nextStep([tier("32_2")], [{ stack: "lab-128_16", deployed: true }]);
        expect(s).toEqual({
            kind: "stop",
            why: "lab-128_16 of this environment is deployed and not in this study (its nodes are the same): pulumi destroy -s lab-128_16, or add it to --tiers",
        });
        expect(kinds(nextStep([tier("32_2")], [{ stack: "lab-128_16", deployed: false }]))).toBe("up 32_2");
    });

    it("two tiers deployed (by hand): the first is brought down", () => {
        const s = nextStep([tier("32_2", { deployed: true }), tier("64_4", { deployed: true })], []);
        expect(s).toMatchObject({
            kind: "destroy",
            tier: "32_2",
            why: "lab-32_2 and lab-64_4 are both deployed: brought down one at a time, then redeployed",
        });
    });
});

describe("nextStep: what resume does after each kind of interruption of the tier in progress", () => {
    const second = (over: Partial<TierState>) => nextStep([tier("32_2", { recorded: 2 }), tier("64_4", { deployed: true, ...over })], []);

    it("Ctrl-C during its up (cancelled cleanly): pulumi up completes it, keeping the runs done", () => {
        expect(second({ recorded: 1, lastUp: "cancelled" })).toEqual({
            kind: "up",
            tier: "64_4",
            why: "its up was cancelled with 1 of 2 runs recorded: pulumi up completes it",
        });
    });

    it.each<[LastUp, string]>([
        ["failed", "its last up failed with 1 of 2 runs recorded: destroyed, then redeployed from scratch"],
        ["vanished", "its last up was cut off (the study was killed) with 1 of 2 runs recorded: destroyed, then redeployed from scratch"],
        ["none", "deployed outside the study with 1 of 2 runs recorded: destroyed, then redeployed from scratch"],
    ])("its up %s: destroyed first", (lastUp, why) => {
        expect(second({ recorded: 1, lastUp })).toEqual({ kind: "destroy", tier: "64_4", why });
    });

    it("after that destroy, the runs the cut-off attempt recorded start a new run id, so the series are not pooled", () => {
        expect(nextStep([tier("32_2", { recorded: 2 }), tier("64_4", { recorded: 1, lastUp: "none" })], [])).toEqual({
            kind: "bump",
            tier: "64_4",
            from: "1",
            to: "2",
            why: "1 of 2 runs of run id 1 were recorded by an attempt that did not finish: the new deployment records run id 2, so the two series are never pooled",
        });
    });

    it("after the bump (nothing of the new run id recorded), it is deployed again", () => {
        expect(kinds(nextStep([tier("32_2", { recorded: 2 }), tier("64_4", { runId: "2" })], []))).toBe("up 64_4");
    });

    it("interrupted during its destroy (done): the destroy is taken up again", () => {
        expect(kinds(second({ recorded: 2, lastUp: "finished" }))).toBe("destroy 64_4");
    });

    it("an up that finished with runs missing is not redeployed in a loop: the study stops, saying where to look", () => {
        expect(second({ recorded: 1, lastUp: "finished" })).toEqual({
            kind: "stop",
            why: "lab-64_4: pulumi up finished but only 1 of 2 runs recorded under run id 1 in results/lab-64_4/runs.jsonl; not redeploying (check the stack's results output and its config)",
        });
    });
});

describe("nextStep: invariants over every state of a three-tier study", () => {
    const lastUps: LastUp[] = ["finished", "cancelled", "failed", "vanished", "none"];
    const one = (name: string) =>
        [false, true].flatMap((deployed) =>
            [0, 1, 2].flatMap((recorded) => lastUps.map((lastUp) => tier(name, { deployed, recorded, lastUp }))),
        );
    const states = one("a").flatMap((a) => one("b").flatMap((b) => one("c").map((c) => [a, b, c])));

    it(`never deploys while another tier is deployed, never deploys a finished tier, never destroys what is not deployed (${states.length} states)`, () => {
        expect(states).toHaveLength(27000);
        for (const s of states) {
            const step = nextStep(s, []);
            const t = s.find((x) => "tier" in step && x.tier === step.tier);
            if (step.kind === "up") {
                expect(s.filter((x) => x.deployed && x !== t)).toEqual([]);
                expect(t!.recorded).toBeLessThan(t!.expected);
            }
            if (step.kind === "destroy") expect(t!.deployed).toBe(true);
            if (step.kind === "bump")
                expect({ deployed: s.some((x) => x.deployed), partial: t!.recorded > 0 && t!.recorded < 2 }).toEqual({
                    deployed: false,
                    partial: true,
                });
            if (step.kind === "report") expect(s.every((x) => !x.deployed && x.recorded === 2)).toBe(true);
        }
    });
});

describe("a simulated study, interrupted in every way at every point, resumed until done", () => {
    type Interruption = "cancel" | "fail" | "kill";
    /** The world the study sees: per tier, the runs recorded per run id, whether deployed, how its last up ended, and how often it was deployed. */
    interface World {
        runId: Record<string, number>;
        recorded: Record<string, Record<number, number>>;
        deployed: Record<string, boolean>;
        lastUp: Record<string, LastUp>;
        ups: Record<string, number>;
        maxDeployed: number;
    }
    const names = ["32_2", "64_4"];
    const expected = 2;
    const fresh = (): World => ({
        runId: { "32_2": 1, "64_4": 1 },
        recorded: { "32_2": {}, "64_4": {} },
        deployed: { "32_2": false, "64_4": false },
        lastUp: { "32_2": "none", "64_4": "none" },
        ups: { "32_2": 0, "64_4": 0 },
        maxDeployed: 0,
    });
    const states = (w: World): TierState[] =>
        names.map((n) =>
            tier(n, {
                runId: String(w.runId[n]),
                recorded: w.recorded[n][w.runId[n]] ?? 0,
                deployed: w.deployed[n],
                lastUp: w.lastUp[n],
                expected,
            }),
        );

    /** Takes one step; `cut` interrupts an up after that many more runs are recorded, or a destroy part way. Returns false when the study process ends. */
    function apply(w: World, step: Step, cut?: { after: number; how: Interruption }): boolean {
        if (step.kind === "bump") w.runId[step.tier] = Number(step.to);
        if (step.kind === "destroy") {
            // Cut: the destroy stopped part way, the stack still holds resources and the process ended.
            if (cut !== undefined) return false;
            w.deployed[step.tier] = false;
            w.lastUp[step.tier] = "none";
        }
        if (step.kind === "up") {
            const n = step.tier;
            w.ups[n]++;
            w.deployed[n] = true;
            w.maxDeployed = Math.max(w.maxDeployed, names.filter((x) => w.deployed[x]).length);
            const id = w.runId[n];
            const have = w.recorded[n][id] ?? 0;
            // A completing up (after a clean cancel) runs only what is missing; any other starts from nothing recorded.
            const runs = cut === undefined ? expected - have : Math.min(cut.after, expected - have);
            w.recorded[n][id] = have + runs;
            if (cut === undefined || have + runs === expected) w.lastUp[n] = "finished";
            else w.lastUp[n] = cut.how === "cancel" ? "cancelled" : cut.how === "fail" ? "failed" : "vanished";
            return cut === undefined || have + runs === expected;
        }
        return true;
    }

    /** Runs the study to its end: the first process is cut at its `cutAt`-th step, each later one runs through. */
    function study(cutAt: number, cut: { after: number; how: Interruption }): World {
        const w = fresh();
        let steps = 0;
        for (let process = 0; process < 10; process++) {
            for (;;) {
                const step = nextStep(states(w), []);
                if (step.kind === "report") return w;
                if (step.kind === "stop") throw new Error(step.why);
                const interrupt = process === 0 && steps === cutAt;
                steps++;
                if (!apply(w, step, interrupt ? cut : undefined)) break; // the process ended: resume
            }
        }
        throw new Error("never finished");
    }

    // Uninterrupted, the steps are: up 32_2, destroy 32_2, up 64_4, destroy 64_4.
    const cases = [0, 1, 2, 3].flatMap((cutAt) =>
        (["cancel", "fail", "kill"] as const).flatMap((how) => [0, 1].map((after) => ({ cutAt, how, after }))),
    );
    it.each(cases)(
        "cut at step $cutAt ($how after $after more runs): every tier ends with one complete series, deployed at most one at a time",
        ({ cutAt, how, after }) => {
            const w = study(cutAt, { after, how });
            expect(w.maxDeployed).toBe(1);
            for (const n of names) {
                expect(w.recorded[n][w.runId[n]]).toBe(expected);
                expect(w.deployed[n]).toBe(false);
                // Redeployed only when its attempt did not end cleanly; a clean cancel is completed, not redeployed.
                if (how === "cancel") expect(w.runId[n]).toBe(1);
            }
        },
    );

    it("a tier finished before the interruption is not deployed again by the resume", () => {
        // Steps: up 32_2, destroy 32_2, then up 64_4 is cut (killed after one run).
        const w = study(2, { after: 1, how: "kill" });
        expect(w.ups).toEqual({ "32_2": 1, "64_4": 2 });
        expect(w.runId).toEqual({ "32_2": 1, "64_4": 2 });
        expect(w.recorded["64_4"]).toEqual({ 1: 1, 2: 2 });
    });
});

describe("nextRunId", () => {
    it.each([
        ["1", "2"],
        ["41", "42"],
        ["pilot", "pilot-2"],
        ["pilot-2", "pilot-3"],
        ["v1.2", "v1.2-2"],
    ])("%s -> %s", (from, to) => expect(nextRunId(from)).toBe(to));
});

describe("recordedRuns", () => {
    const run = (q: string, repetition: number, warmup = false) =>
        ({ query: { name: q }, repetition, warmup, configHash: `h-${q}` }) as unknown as ScheduledRun;
    const runs = [run("SQ1", 1, true), run("SQ1", 1), run("SQ1", 2), run("SQ2", 1)];
    const series = { stack: "lab-32_2", runId: "3" };
    const rec = (query: string, repetition: number, over: Record<string, unknown> = {}) => ({
        stack: "lab-32_2",
        run_id: "3",
        config_hash: `h-${query}`,
        query,
        repetition,
        warmup: false,
        wall_seconds: 1,
        ...over,
    });

    it("counts the scheduled recorded runs found under the series' stack, run id and config hash, each once", () => {
        const records = [
            rec("SQ1", 1),
            rec("SQ1", 1), // recorded twice (two executions): still one run done
            rec("SQ1", 2, { run_id: "2" }), // an older series
            rec("SQ2", 1, { config_hash: "h-SQ1" }), // measured something else (another query's settings)
            rec("SQ1", 2, { warmup: true }),
            rec("SQ9", 1), // not asked for any more
        ];
        expect(recordedRuns(records, runs, series)).toBe(1);
        expect(recordedRuns([...records, rec("SQ1", 2), rec("SQ2", 1)], runs, series)).toBe(3);
    });
});
