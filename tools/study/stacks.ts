/**
 * The study's stacks as their files say, with the study's flags applied: one per tier, named
 * ENVIRONMENT-TIER. Every problem of every stack is found before anything is deployed, one line
 * each naming the flag or the stack file and key. What the study writes into a stack's config is
 * returned as config writes, so it is done through the CLI and shown (nothing hidden from
 * `pulumi config`).
 */
import * as fs from "fs";
import * as path from "path";
import { studyQueries } from "../../config/experiment";
import { Settings } from "../../config/settings";
import { ConfigError } from "../../config/validate";
import { ScheduledRun } from "../../model/schedule";
import { stackModel } from "../plan/planModel";
import { StackConfig, stackConfig } from "../mock/stackConfig";
import { StudyArgs } from "./args";

type Query = Settings["experiment"]["queries"][number];

/** One `pulumi config set --path` (value) or `pulumi config rm --path` (no value). */
export interface ConfigWrite {
    key: string;
    value?: string;
}

export interface StudyTier {
    tier: string;
    stack: string;
    settings: Settings;
    /** Every run in order, warm-ups too (model/schedule.ts): progress counts them, the record counts the others. */
    runs: ScheduledRun[];
    /** What identifies this tier's series in its results: the run id and its runs' config hashes, as the program records them. */
    runId: string;
    configHashes: string[];
    /** What the study sets in this stack's config first, in order; empty when the file already says it. */
    writes: ConfigWrite[];
}

export class StudyConfigError extends Error {
    constructor(readonly problems: string[]) {
        super(problems.join("\n"));
    }
}

const byName = (a: string, b: string) => a.localeCompare(b, "en", { numeric: true });

/** Tiers that have a stack file Pulumi.ENV-TIER.yaml in the project, smallest first (32_2 before 128_8). */
export function stackFileTiers(root: string, environment: string): string[] {
    const prefix = `Pulumi.${environment}-`;
    return fs
        .readdirSync(root)
        .filter((f) => f.startsWith(prefix) && f.endsWith(".yaml"))
        .map((f) => f.slice(prefix.length, -".yaml".length))
        .sort(byName);
}

/** The experiment object with the flags applied, and the writes that make the stack file say so. */
function overrides(raw: Record<string, unknown>, current: Settings["experiment"], args: StudyArgs, stack: string) {
    const experiment = { ...raw };
    const writes: ConfigWrite[] = [];
    const problems: string[] = [];
    if (args.repetitions !== undefined && args.repetitions !== current.repetitions) {
        experiment.repetitions = args.repetitions;
        writes.push({ key: "parwop:experiment.repetitions", value: String(args.repetitions) });
    }
    if (args.queries !== undefined) {
        // The stack's own queries, and the study's four (config/experiment.ts) by their names where it lacks them.
        const known = new Map([...studyQueries, ...current.queries].map((q) => [q.name, q]));
        const unknown = args.queries.filter((n) => !known.has(n));
        if (unknown.length > 0)
            problems.push(
                `--queries ${unknown.join(",")}: not a query of ${stack} nor of the study (known: ${[...known.keys()].join(", ")})`,
            );
        const chosen = args.queries.filter((n) => known.has(n)).map((n) => known.get(n) as Query);
        if (unknown.length === 0 && JSON.stringify(chosen) !== JSON.stringify(current.queries)) {
            experiment.queries = chosen;
            if (raw.queries !== undefined) writes.push({ key: "parwop:experiment.queries" });
            chosen.forEach((q, i) => {
                const at = `parwop:experiment.queries[${i}]`;
                writes.push({ key: `${at}.name`, value: q.name });
                q.partitionBy.forEach((c, j) => writes.push({ key: `${at}.partitionBy[${j}]`, value: c }));
                q.orderBy.forEach((c, j) => writes.push({ key: `${at}.orderBy[${j}]`, value: c }));
            });
        }
    }
    return { experiment, writes, problems };
}

function rawExperiment(cfg: StackConfig): Record<string, unknown> {
    const text = cfg.config["parwop:experiment"];
    if (text === undefined) return {};
    try {
        const v = JSON.parse(text) as unknown;
        return v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
    } catch {
        return {}; // the program's own check names it (loadSettings below)
    }
}

/** The model of a stack's config, or its problems prefixed with the stack file. */
function model(stack: string, cfg: StackConfig, root: string, file: string) {
    try {
        return stackModel(stack, cfg, root);
    } catch (e) {
        if (e instanceof ConfigError) return e.problems.map((p) => `${file}: ${p}`);
        throw e;
    }
}

/** The study's tiers in order, checked whole; throws StudyConfigError with every problem. */
export function studyTiers(root: string, args: StudyArgs): StudyTier[] {
    const envs = fs.existsSync(path.join(root, "envs")) ? fs.readdirSync(path.join(root, "envs")).filter((f) => f.endsWith(".yaml")) : [];
    if (!envs.includes(`${args.environment}.yaml`)) {
        const known = envs.map((f) => f.slice(0, -".yaml".length)).sort(byName);
        throw new StudyConfigError([
            `environment ${args.environment}: no envs/${args.environment}.yaml (known: ${known.join(", ") || "none"})`,
        ]);
    }
    const available = stackFileTiers(root, args.environment);
    if (available.length === 0)
        throw new StudyConfigError([`environment ${args.environment}: no stack files Pulumi.${args.environment}-TIER.yaml`]);
    const missing = (args.tiers ?? []).filter((t) => !available.includes(t));
    if (missing.length > 0) {
        const files = missing.map((t) => `Pulumi.${args.environment}-${t}.yaml`).join(", ");
        throw new StudyConfigError([
            `--tiers ${missing.join(",")}: no stack file ${files} (this environment's tiers: ${available.join(", ")})`,
        ]);
    }
    const problems: string[] = [];
    const tiers: StudyTier[] = [];
    for (const tier of args.tiers ?? available) {
        const stack = `${args.environment}-${tier}`;
        const file = `Pulumi.${stack}.yaml`;
        const cfg = stackConfig(stack, root);
        for (const [key, want] of [
            ["environment", args.environment],
            ["tier", tier],
        ]) {
            const got = cfg.config[`parwop:${key}`];
            if (got !== want) problems.push(`${file}: parwop:${key} ${JSON.stringify(got ?? null)} is not its name's ${key} "${want}"`);
        }
        const before = model(stack, cfg, root, file);
        if (Array.isArray(before)) {
            problems.push(...before);
            continue;
        }
        const o = overrides(rawExperiment(cfg), before.settings.experiment, args, stack);
        problems.push(...o.problems);
        const after = model(stack, { ...cfg, config: { ...cfg.config, "parwop:experiment": JSON.stringify(o.experiment) } }, root, file);
        if (Array.isArray(after)) {
            problems.push(...after);
            continue;
        }
        const s = after.settings;
        if (!s.experiment.enabled)
            problems.push(`${file}: parwop:experiment.enabled is false: a study measures, so its tiers must run their queries`);
        tiers.push({
            tier,
            stack,
            settings: s,
            runs: after.runs,
            runId: String(s.experiment.runId),
            configHashes: [...new Set(after.runs.filter((r) => !r.warmup).map((r) => r.configHash))],
            writes: o.writes,
        });
    }
    if (problems.length > 0) throw new StudyConfigError(problems);
    return tiers;
}

/** The command a write amounts to, as a user would type it. */
export function writeCommand(stack: string, w: ConfigWrite): string {
    return w.value === undefined
        ? `pulumi config rm --path -s ${stack} '${w.key}'`
        : `pulumi config set --path -s ${stack} '${w.key}' '${w.value}'`;
}
