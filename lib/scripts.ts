import * as fs from "fs";
import * as path from "path";
import { digestText } from "../model/digest";
import * as steps from "../model/steps";
import { Flags, flagWords, NodeStep, PythonStep, ScriptName, Word } from "../model/steps";
import { bashKillAfterSeconds, DropBounds, dockerExecSlackSeconds, pythonKillAfterSeconds } from "../model/timeouts";

export { runSpoolDir, settledDir } from "../model/steps";

/** The files command resources feed on stdin (scripts/ at the project root). */
export const scriptsDir = path.resolve(__dirname, "..", "scripts");

const scriptTexts = new Map<string, string>();

/** A script's text, read once per evaluation however many steps feed it. */
export function readScript(name: string): string {
    let text = scriptTexts.get(name);
    if (text === undefined) {
        text = fs.readFileSync(path.join(scriptsDir, name), "utf8");
        scriptTexts.set(name, text);
    }
    return text;
}

/** Quotes one word for a POSIX shell; plain words stay readable in previews. */
export function shellQuote(word: string): string {
    return /^[A-Za-z0-9_\/.,:=@%+-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

export function shellLine(words: Word[]): string {
    return words.map((w) => shellQuote(String(w))).join(" ");
}

function bashWords(seconds: number, args: Word[]): Word[] {
    return ["timeout", "-k", bashKillAfterSeconds, seconds, "bash", "-s", "--", ...args];
}

function pythonWords(step: Pick<PythonStep, "container" | "seconds">, args: Word[]): Word[] {
    // -k: a program that ignores SIGTERM (stuck in C code) is killed 30 s later, so it cannot
    // outlive its run and overlap the next one.
    const k = pythonKillAfterSeconds;
    const exec = ["docker", "exec", "-i", "-w", "/code", step.container];
    return [
        "timeout",
        "-k",
        k,
        step.seconds + dockerExecSlackSeconds,
        ...exec,
        "timeout",
        "-k",
        k,
        step.seconds,
        "python",
        "-u",
        "-",
        ...args,
    ];
}

/** A command that runs a bash script given on stdin; `timeout` because Pulumi's own timeouts do not stop a remote command. */
export function bashOnNode(timeoutSeconds: number, args: Word[]): string {
    return shellLine(bashWords(timeoutSeconds, args));
}

/** A command that runs a Python program given on stdin inside a PARWOP container (model/steps.ts PythonStep). */
export function pythonInContainer(container: string, timeoutSeconds: number, args: Word[]): string {
    return shellLine(pythonWords({ container, seconds: timeoutSeconds }, args));
}

/** What a run's rendering needs besides its step: outputs known only while deploying. */
export interface RunOutputs {
    /** The run as one series and cluster know it: equal for its attempts, another after a redeploy (hex). */
    identity?: string;
    /** The runner node's drop time: the driver refuses a measured run that no drop preceded. */
    droppedAt?: string;
}

/** A step's command line on its node. */
export function commandOf(step: NodeStep, outputs: RunOutputs = {}): string {
    switch (step.program) {
        case "bash":
            return shellLine(bashWords(step.seconds, flagWords(step.flags)));
        case "python":
            return shellLine(pythonWords(step, flagWords(step.flags)));
        case "run": {
            const spool = step.spool && {
                "--spool-dir": step.spool.dir,
                "--run-identity": outputs.identity ?? "",
                "--attempt": step.spool.attempt,
            };
            const dropped: Flags = outputs.droppedAt === undefined ? {} : { "--cache-dropped-at": outputs.droppedAt };
            const driver = pythonWords(step.driver, flagWords({ ...step.driver.flags, ...dropped }));
            return shellLine(bashWords(step.seconds, [...flagWords({ ...step.wrapper, ...spool }), "--", ...driver]));
        }
    }
}

/** The scripts a step reads on stdin: a run's wrapper reads only itself; the driver that follows is docker exec's stdin. */
export function scriptsOf(step: NodeStep): ScriptName[] {
    return step.program === "run" ? steps.runScripts : [step.script];
}

export function stdinOf(step: NodeStep): string {
    return scriptsOf(step).map(readScript).join("");
}

/** A step rendered as a command resource runs it. */
export interface RenderedStep {
    create: string;
    stdin: string;
    /** Seconds after which the node side has surely ended, failed or not: a resource timeout must exceed it. */
    nodeSeconds: number;
    /** The command resource's bound. */
    timeoutSeconds: number;
}

export function render(step: NodeStep, outputs: RunOutputs = {}): RenderedStep {
    return { create: commandOf(step, outputs), stdin: stdinOf(step), ...step.budget };
}

/** The cache drop on one node, rendered (tools/node-step.ts, the lab tests). */
export function dropCachesStep(nodeName: string, bounds?: DropBounds): RenderedStep {
    return render(steps.dropStep(nodeName, bounds));
}

/** The broker's readiness wait, rendered. */
export function brokerReadyStep(container: string, timeoutSeconds: number): RenderedStep {
    return render(steps.brokerReadyStep(container, timeoutSeconds));
}

/** A run, rendered: the tests run it as the program does. */
export function runStep(spec: steps.RunSpec, outputs: RunOutputs = {}): RenderedStep {
    return render(steps.runStep(spec), outputs);
}

/** Digests of the scripts the runs execute on the nodes: an edit to either re-runs the runs. */
export function scriptDigests(): { driver: string; dropCaches: string } {
    const run = steps.runScripts.map(readScript).join("");
    return { driver: digestText(run), dropCaches: digestText(readScript(steps.dropStep("").script)) };
}
