import * as fs from "fs";
import * as path from "path";
import { parse, stringify } from "yaml";
import type { Evaluation, Registered } from "../../tools/mock/mockrun";
import type { Plan } from "../../tools/plan/planModel";
import { fixtureRoot } from "./fixture";

/** One whole-program evaluation: a fixture stack, and project files that differ from the fixture's. */
export interface Case {
    stack: string;
    files?: Record<string, string>;
}

const fixture = (rel: string) => parse(fs.readFileSync(path.join(fixtureRoot, rel), "utf8")) as Record<string, unknown>;
const three = fixture("envs/three.yaml") as { nodes: Record<string, unknown>[] };
const stackFile = fixture("Pulumi.three-small.yaml") as { config: Record<string, { queries: unknown[] }> };
const experiment = stackFile.config["parwop:experiment"];

/**
 * Every evaluation the unit suite reads, made once per run by test/globalSetup.ts (in parallel
 * child processes, cached by content) instead of once per test.
 */
export const cases = {
    "three-small": { stack: "three-small" },
    "three-large": { stack: "three-large" },
    "local-small": { stack: "local-small" },
    // The everyday edits a same-stack diff must read as exactly that edit.
    "three-small+node": {
        stack: "three-small",
        files: {
            "envs/three.yaml": stringify({
                ...three,
                nodes: [...three.nodes, { name: "n4", host: "n4.test", workerId: "worker-4", hostKey: three.nodes[0].hostKey }],
            }),
        },
    },
    "three-small+query": {
        stack: "three-small",
        files: {
            "Pulumi.three-small.yaml": stringify({
                config: {
                    ...stackFile.config,
                    "parwop:experiment": {
                        ...experiment,
                        queries: [...experiment.queries, { name: "Q3", partitionBy: ["C"], orderBy: ["B"] }],
                    },
                },
            }),
        },
    },
    // A secret written without --secret.
    "three-small+plaintext": {
        stack: "three-small",
        files: { "Pulumi.three-small.yaml": stringify({ config: { ...stackFile.config, "parwop:brokerAdminPassword": "hunter2" } }) },
    },
} satisfies Record<string, Case>;

export type CaseName = keyof typeof cases;

export interface Evaluated {
    evaluation: Evaluation;
    plan: Plan;
}

/** Where test/globalSetup.ts put the evaluations. */
export const evaluationsEnv = "PARWOP_TEST_EVALUATIONS";

function read(name: CaseName): Evaluated | { problems: string[] } {
    const dir = process.env[evaluationsEnv];
    if (dir === undefined)
        throw new Error(`${evaluationsEnv} is not set: run jest with jest.config.js (its globalSetup evaluates the stacks)`);
    return JSON.parse(fs.readFileSync(path.join(dir, `${name}.json`), "utf8")) as Evaluated | { problems: string[] };
}

/** The evaluation of a case that must load. */
export function evaluated(name: CaseName): Evaluated {
    const e = read(name);
    if ("problems" in e) throw new Error(`${name}: ${e.problems.join("; ")}`);
    return e;
}

/** The config problems of a case that must not load. */
export function problemsOf(name: CaseName): string[] {
    const e = read(name);
    return "problems" in e ? e.problems : [];
}

/** The one resource of that name an evaluation (or a recorder) registered. */
export function one(ev: { resources: Registered[] }, name: string): Registered {
    const found = ev.resources.filter((r) => r.name === name);
    if (found.length !== 1) throw new Error(`expected one resource named ${name}, found ${found.length}`);
    return found[0];
}
