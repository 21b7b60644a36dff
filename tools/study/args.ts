import { experimentSchema } from "../../config/experiment";

export const usage = [
    "usage: npm run study -- ENVIRONMENT [--tiers T1,T2,...] [--queries Q1,Q2,...] [--repetitions N] [--quiet]",
    "  each tier's stack ENVIRONMENT-TIER in turn: pulumi up, then pulumi destroy; resumes where an earlier run stopped",
    "  --tiers        in this order, the first the baseline (default: every Pulumi.ENVIRONMENT-*.yaml, smallest first)",
    "  --queries      written to each stack's parwop:experiment.queries, by name from its own list or the study's SQ1-SQ4",
    "  --repetitions  written to each stack's parwop:experiment.repetitions",
    "  --quiet        no progress; errors and the closing line only (the event log is written all the same)",
].join("\n");

export class UsageError extends Error {}

export interface StudyArgs {
    environment: string;
    /** In study order; undefined: every stack file of the environment. */
    tiers?: string[];
    /** Query names; undefined: each stack's own list as it is. */
    queries?: string[];
    repetitions?: number;
    quiet: boolean;
}

/** A comma-separated list: no empty names, none twice. */
function list(flag: string, value: string): string[] {
    const names = value.split(",").map((n) => n.trim());
    if (names.some((n) => n === "")) throw new UsageError(`${flag} ${value}: an empty name in the list`);
    const twice = names.find((n, i) => names.indexOf(n) !== i);
    if (twice !== undefined) throw new UsageError(`${flag} ${value}: ${twice} is listed twice`);
    return names;
}

/** Strict, like tools/plan/plan.ts: an unknown flag, a missing value or a stray word is a one-line error, never a silent default. */
export function parseStudyArgs(argv: string[], env: NodeJS.ProcessEnv = process.env): StudyArgs {
    // `npm run study lab --tiers x` without `--` hands --tiers to npm (npm_config_tiers) and passes only the rest.
    const swallowed = ["tiers", "queries", "repetitions", "quiet"].filter((f) => env[`npm_config_${f}`] !== undefined);
    if (swallowed.length > 0)
        throw new UsageError(`--${swallowed.join(", --")} reached npm, not the study: put -- before the study's arguments`);
    const words: string[] = [];
    const a: Omit<StudyArgs, "environment"> = { quiet: false };
    for (let i = 0; i < argv.length; i++) {
        const w = argv[i];
        const value = () => {
            const v = argv[i + 1];
            if (v === undefined || v.startsWith("--")) throw new UsageError(`${w} needs a value`);
            i++;
            return v;
        };
        if (w === "--tiers") a.tiers = list(w, value());
        else if (w === "--queries") a.queries = list(w, value());
        else if (w === "--repetitions") {
            const v = value();
            // The stack config's own bound, so the flag and the key never disagree.
            const n = experimentSchema.shape.repetitions.safeParse(/^-?\d+$/.test(v) ? Number(v) : v);
            if (!n.success || n.data === undefined) {
                const why = n.success ? "required" : n.error.issues[0].message.replace(/^(Too small|Too big|Invalid input): /, "");
                throw new UsageError(`--repetitions ${v}: ${/^-?\d+$/.test(v) ? why : "must be a whole number"}`);
            }
            a.repetitions = n.data;
        } else if (w === "--quiet") a.quiet = true;
        else if (w.startsWith("-")) throw new UsageError(`unknown option ${w}`);
        else words.push(w);
    }
    if (words.length !== 1)
        throw new UsageError(
            words.length === 0 ? "name the environment (envs/ENVIRONMENT.yaml)" : `one environment, not ${words.join(" ")}`,
        );
    return { ...a, environment: words[0] };
}
