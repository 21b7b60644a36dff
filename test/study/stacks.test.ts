import * as fs from "fs";
import { fixtureProject } from "../helpers/project";
import { StudyArgs } from "../../tools/study/args";
import { StudyConfigError, studyTiers, writeCommand } from "../../tools/study/stacks";

const args = (over: Partial<StudyArgs> = {}): StudyArgs => ({ environment: "local", quiet: false, ...over });
// A copy of the project with the test-owned stacks (test/fixtures/project): environment local with
// stacks local-large and local-small.
let fixtureRoot: string;
beforeAll(() => (fixtureRoot = fixtureProject()));
afterAll(() => fs.rmSync(fixtureRoot, { recursive: true, force: true }));

/** The problems a study of `a` finds in the project at `root`. */
function problems(a: StudyArgs, root = fixtureRoot): string[] {
    try {
        studyTiers(root, a);
    } catch (e) {
        if (e instanceof StudyConfigError) return e.problems;
        throw e;
    }
    throw new Error("no problems");
}

describe("studyTiers: the study's stacks from their files", () => {
    it("takes every stack file of the environment by default, smallest name first, with each tier's series and runs", () => {
        const tiers = studyTiers(fixtureRoot, args());
        expect(tiers.map((t) => [t.tier, t.stack, t.runId, t.writes])).toEqual([
            ["large", "local-large", "1", []],
            ["small", "local-small", "1", []],
        ]);
        expect(tiers[1].runs.map((r) => r.id)).toEqual(["q1-r1", "q2-r1"]);
        // one hash per query (model/provenance.ts), none shared between tiers
        expect(tiers[1].configHashes).toEqual(tiers[1].runs.map((r) => r.configHash));
        expect(tiers[1].configHashes).toHaveLength(2);
        for (const h of tiers[0].configHashes) expect(h).toMatch(/^[0-9a-f]{16}$/);
        expect(tiers[0].configHashes.filter((h) => tiers[1].configHashes.includes(h))).toEqual([]);
    });

    it("keeps the order --tiers gives", () => {
        expect(studyTiers(fixtureRoot, args({ tiers: ["small", "large"] })).map((t) => t.tier)).toEqual(["small", "large"]);
    });

    it("turns --repetitions into a visible config write, and the tier's runs follow it", () => {
        const [small] = studyTiers(fixtureRoot, args({ tiers: ["small"], repetitions: 2 }));
        expect(small.writes).toEqual([{ key: "parwop:experiment.repetitions", value: "2" }]);
        expect(writeCommand(small.stack, small.writes[0])).toBe(
            "pulumi config set --path -s local-small 'parwop:experiment.repetitions' '2'",
        );
        expect(small.runs.map((r) => r.id)).toEqual(["q1-r1", "q1-r2", "q2-r1", "q2-r2"]);
    });

    it("turns --queries into writes of the chosen queries, taken by name from the stack's own list", () => {
        const [small] = studyTiers(fixtureRoot, args({ tiers: ["small"], queries: ["Q2"] }));
        expect(small.writes).toEqual([
            { key: "parwop:experiment.queries" },
            { key: "parwop:experiment.queries[0].name", value: "Q2" },
            { key: "parwop:experiment.queries[0].partitionBy[0]", value: "B" },
            { key: "parwop:experiment.queries[0].partitionBy[1]", value: "C" },
            { key: "parwop:experiment.queries[0].orderBy[0]", value: "A" },
        ]);
        expect(writeCommand(small.stack, small.writes[0])).toBe("pulumi config rm --path -s local-small 'parwop:experiment.queries'");
        expect(small.runs.map((r) => r.id)).toEqual(["q2-r1"]);
    });

    it("takes one of the study's four queries by name where the stack does not list it", () => {
        const [small] = studyTiers(fixtureRoot, args({ tiers: ["small"], queries: ["Q1", "SQ3"] }));
        expect(small.settings.experiment.queries).toEqual([
            { name: "Q1", partitionBy: ["A"], orderBy: ["B"] },
            { name: "SQ3", partitionBy: ["CROSSLINE"], orderBy: ["INLINE", "DISTANCE"] },
        ]);
    });

    it("writes nothing when the stack file already says what the flags ask", () => {
        expect(studyTiers(fixtureRoot, args({ queries: ["Q1", "Q2"], repetitions: 1 })).flatMap((t) => t.writes)).toEqual([]);
    });

    it.each<[string, Partial<StudyArgs>, string[]]>([
        ["an unknown environment", { environment: "moon" }, ["environment moon: no envs/moon.yaml (known: local, three)"]],
        [
            "a tier without a stack file",
            { tiers: ["small", "huge"] },
            ["--tiers huge: no stack file Pulumi.local-huge.yaml (this environment's tiers: large, small)"],
        ],
        [
            "a query a stack does not have",
            { queries: ["Q1", "Q9"] },
            [
                "--queries Q9: not a query of local-large nor of the study (known: SQ1, SQ2, SQ3, SQ4, Q1, Q2)",
                "--queries Q9: not a query of local-small nor of the study (known: SQ1, SQ2, SQ3, SQ4, Q1, Q2)",
            ],
        ],
    ])("%s: one line naming the flag and value", (_name, over, expected) => {
        expect(problems(args(over))).toEqual(expected);
    });

    it("every problem of every stack file at once, each naming the file and key, before anything is deployed", () => {
        const root = fixtureProject({
            "Pulumi.local-small.yaml": "config:\n  parwop:environment: local\n  parwop:tier: large\n  parwop:colour: blue\n",
            "Pulumi.local-large.yaml":
                "config:\n  parwop:environment: local\n  parwop:tier: large\n  parwop:experiment:\n    enabled: false\n",
        });
        try {
            expect(problems(args(), root)).toEqual([
                "Pulumi.local-large.yaml: parwop:experiment.enabled is false: a study measures, so its tiers must run their queries",
                'Pulumi.local-small.yaml: parwop:tier "large" is not its name\'s tier "small"',
                expect.stringMatching(/^Pulumi\.local-small\.yaml: parwop:colour: unknown config key/),
            ]);
        } finally {
            fs.rmSync(root, { recursive: true, force: true });
        }
    });
});
