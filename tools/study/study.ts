// `npm run study -- ENVIRONMENT [--tiers ...] [--queries ...] [--repetitions N] [--quiet]`: every
// tier's stack deployed, measured and destroyed in turn through the Automation API, resumable,
// ending in the paper's table and charts (README.md, "A tier study"). This file wires: the
// arguments, the study's lock, the engine, the signals, the exit code.
import * as fs from "fs";
import * as path from "path";
import { projectRoot } from "../../config/stack";
import { parseStudyArgs, usage, UsageError } from "./args";
import { errorLines } from "./pulumiCli";
import { StudyEngine } from "./engine";
import { StudyLoop } from "./loop";
import { Output } from "./output";
import { StudyConfigError } from "./stacks";

const { acquireLock, LockError } = require("../../scripts/results-lock.js") as {
    acquireLock(dir: string, waitMs: number, names: { what: string; doing: string }): { release: () => void; tookOver?: { pid?: number } };
    LockError: new (...args: unknown[]) => Error;
};

async function main(): Promise<number> {
    let args;
    try {
        args = parseStudyArgs(process.argv.slice(2));
    } catch (e) {
        if (!(e instanceof UsageError)) throw e;
        console.error(`study: ${e.message}\n${usage}`);
        return 2;
    }
    const out = new Output(args.quiet);
    const studyDir = path.join(projectRoot, "results", `study-${args.environment}`);
    let lock;
    let engine: StudyEngine | undefined;
    try {
        // One study per environment at a time: its tiers share the nodes and its log.
        fs.mkdirSync(studyDir, { recursive: true });
        lock = acquireLock(studyDir, 0, { what: `the study of ${args.environment}`, doing: "running a study" });
        if (lock.tookOver) out.problem(`study: the study before (pid ${lock.tookOver.pid}) ended without closing; resuming after it`);
        engine = await StudyEngine.open(projectRoot);
        const loop = new StudyLoop(projectRoot, args, engine, out, studyDir);
        for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const)
            process.on(signal, () => loop.cancel(signal === "SIGINT" ? "Ctrl-C" : signal));
        const ending = await loop.run();
        if (ending.kind === "done") {
            out.say(`study ${args.environment}: done in ${out.elapsed()}: ${ending.files.join(", ")}`);
            return 0;
        }
        if (ending.kind === "cancelled") {
            out.problem(`study ${args.environment}: cancelled; run the same command to resume`);
            return 130;
        }
        for (const line of ending.why) out.problem(`study: ${line}`);
        return ending.interrupted ? 130 : 1;
    } catch (e) {
        if (e instanceof StudyConfigError) for (const p of e.problems) out.problem(`study: ${p}`);
        else if (e instanceof LockError) out.problem(`study: ${e.message}`);
        else for (const line of errorLines(e)) out.problem(`study: ${line}`);
        return 1;
    } finally {
        engine?.close();
        lock?.release();
    }
}

main().then((code) => process.exit(code));
