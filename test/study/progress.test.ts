import { duration, EngineEventLike, estimateSeconds, parseUrn, TierProgress } from "../../tools/study/progress";
import { clock } from "../../tools/study/output";
import { ScheduledRun } from "../../model/schedule";

const urn = (types: string[], name: string) => `urn:pulumi:lab-32_2::parwop::${types.join("$")}::${name}`;
const cmd = "command:local:Command";
const cluster = "parwop:index:Cluster";
const pre = (u: string, op = "create"): EngineEventLike => ({ resourcePreEvent: { metadata: { op, urn: u } } });
const done = (u: string, op = "create"): EngineEventLike => ({ resOutputsEvent: { metadata: { op, urn: u } } });
const failed = (u: string): EngineEventLike => ({ resOpFailedEvent: { metadata: { op: "create", urn: u } } });

// Two recorded runs of SQ1, each after a drop on two nodes (names as model/names.ts makes them).
const node = (name: string) => ({ name }) as ScheduledRun["drops"][number];
const run = (repetition: number, warmup = false) =>
    ({
        id: `sq1-${warmup ? "w" : "r"}${repetition}`,
        query: { name: "SQ1" },
        repetition,
        warmup,
        settles: [],
        drops: [node("n1"), node("n2")],
    }) as unknown as ScheduledRun;
const runs = [run(1, true), run(1), run(2)];
const exp = (name: string) => urn(["parwop:index:Experiment", cmd], name);

describe("TierProgress: the engine's events as phases and runs", () => {
    it("names each phase from the component in a resource's URN, once, the first time", () => {
        const p = new TierProgress(runs);
        const notes = [
            pre(urn(["pulumi:pulumi:Stack"], "parwop-lab-32_2")),
            pre(urn([cluster, "parwop:index:Preflight", cmd], "parwop-n1-preflight")),
            pre(urn([cluster, "parwop:index:Preflight", cmd], "parwop-n2-preflight")),
            pre(urn([cluster, "parwop:index:ParwopImage", "docker:index/remoteImage:RemoteImage"], "parwop-n1-parwop")),
            pre(urn([cluster, "parwop:index:Broker", "docker:index/container:Container"], "parwop-broker-container")),
            // the image of another node and the broker's second resource, side by side: no new phase
            pre(urn([cluster, "parwop:index:ParwopImage", "docker:index/remoteImage:RemoteImage"], "parwop-n2-parwop")),
            pre(urn([cluster, "parwop:index:Broker", cmd], "parwop-broker-ready")),
            pre(urn([cluster, "parwop:index:Worker", "docker:index/container:Container"], "parwop-n1-worker-container")),
            pre(urn([cluster, "parwop:index:HealthGate", cmd], "parwop-health-wait")),
        ].flatMap((e) => p.onEvent(e, 0));
        expect(notes).toEqual(["preflight", "image", "broker", "workers", "health gate"].map((phase) => ({ kind: "phase", phase })));
    });

    it("counts runs i of N from the first drop to the run's result, warm-ups among them, and times each", () => {
        const p = new TierProgress(runs);
        const at = (e: EngineEventLike, ms: number) => p.onEvent(e, ms);
        expect(at(pre(exp("experiment-sq1-w1-drop-n1")), 1000)).toEqual([
            { kind: "run", status: "started", index: 1, of: 3, label: "SQ1 rep 1 (warm-up)" },
        ]);
        expect(at(pre(exp("experiment-sq1-w1-drop-n2")), 1100)).toEqual([]);
        expect(at(pre(exp("experiment-sq1-w1-run")), 1500)).toEqual([]);
        expect(at(done(exp("experiment-sq1-w1-drop-n1")), 1600)).toEqual([]);
        expect(at(done(exp("experiment-sq1-w1-run")), 4000)).toEqual([
            { kind: "run", status: "finished", index: 1, of: 3, label: "SQ1 rep 1 (warm-up)", seconds: 3 },
        ]);
        expect(at(pre(exp("experiment-sq1-r1-drop-n1")), 5000)).toEqual([
            { kind: "run", status: "started", index: 2, of: 3, label: "SQ1 rep 1" },
        ]);
        expect(at(pre(exp("experiment-sq1-r1-record")), 5500)).toEqual([]);
        expect(at(failed(exp("experiment-sq1-r1-run")), 9000)).toEqual([
            { kind: "run", status: "failed", index: 2, of: 3, label: "SQ1 rep 1", seconds: 4 },
        ]);
        expect({ finished: p.finished, runSeconds: p.runSeconds }).toEqual({ finished: 1, runSeconds: [3] });
    });

    it("counts the runs a cancelled up finished (op same on the completing up) as done, untimed", () => {
        const p = new TierProgress(runs);
        const notes = [
            pre(exp("experiment-sq1-w1-drop-n1"), "same"),
            pre(exp("experiment-sq1-w1-run"), "same"),
            pre(exp("experiment-sq1-r1-run"), "same"),
        ].flatMap((e) => p.onEvent(e, 0));
        expect(notes).toEqual([
            { kind: "run", status: "kept", index: 1, of: 3, label: "SQ1 rep 1 (warm-up)" },
            { kind: "run", status: "kept", index: 2, of: 3, label: "SQ1 rep 1" },
        ]);
        expect({ finished: p.finished, runSeconds: p.runSeconds }).toEqual({ finished: 2, runSeconds: [] });
    });

    it("parses a URN's name and type chain", () => {
        expect(parseUrn("urn:pulumi:s::p::a:b:C$d:e:F::my-name")).toEqual({ types: ["a:b:C", "d:e:F"], name: "my-name" });
    });
});

describe("estimateSeconds", () => {
    it("is unknown before a run was timed", () => {
        expect(estimateSeconds({ runSeconds: [], tierOverheadSeconds: [], runsLeft: 3, laterTiers: [4] })).toBeUndefined();
    });

    it("is the mean run times the runs left, here and in later tiers, plus each later tier's deploy and destroy", () => {
        expect(estimateSeconds({ runSeconds: [10, 20], tierOverheadSeconds: [], runsLeft: 2, laterTiers: [4, 4] })).toBe(150);
        expect(estimateSeconds({ runSeconds: [10, 20], tierOverheadSeconds: [60, 100], runsLeft: 2, laterTiers: [4, 4] })).toBe(
            150 + 2 * 80,
        );
    });
});

describe("duration and clock", () => {
    it.each([
        [0.4, "0 s", "00:00"],
        [59, "59 s", "00:59"],
        [75, "1 min 15 s", "01:15"],
        [120, "2 min", "02:00"],
        [3725, "1 h 2 min", "1:02:05"],
        [7200, "2 h", "2:00:00"],
    ])("%s s", (s, d, c) => {
        expect([duration(s), clock(s)]).toEqual([d, c]);
    });
});
