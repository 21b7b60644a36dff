import * as fs from "fs";
import * as path from "path";

/** The files command resources feed on stdin (scripts/ at the project root). */
export const scriptsDir = path.resolve(__dirname, "..", "scripts");

export function readScript(name: string): string {
    return fs.readFileSync(path.join(scriptsDir, name), "utf8");
}

/** Quotes one word for a POSIX shell; plain words stay readable in previews. */
export function shellQuote(word: string): string {
    return /^[A-Za-z0-9_\/.,:=@%+-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

export function shellLine(words: (string | number)[]): string {
    return words.map((w) => shellQuote(String(w))).join(" ");
}

/** A command that runs a bash script given on stdin; `timeout` because Pulumi's own timeouts do not stop a remote command. */
export function bashOnNode(timeoutSeconds: number, args: (string | number)[]): string {
    return shellLine(["timeout", "-k", 10, timeoutSeconds, "bash", "-s", "--", ...args]);
}

/**
 * A command that runs a Python program given on stdin inside a PARWOP container, in /code like PARWOP itself.
 * The inner `timeout` stops the program in the container; the outer one a `docker exec` that hangs.
 */
export function pythonInContainer(container: string, timeoutSeconds: number, args: (string | number)[]): string {
    // -k: a program that ignores SIGTERM (stuck in C code) is killed 30 s later, so it cannot
    // outlive its run and overlap the next one.
    return shellLine([
        "timeout",
        "-k",
        30,
        timeoutSeconds + 60,
        "docker",
        "exec",
        "-i",
        "-w",
        "/code",
        container,
        "timeout",
        "-k",
        30,
        timeoutSeconds,
        "python",
        "-u",
        "-",
        ...args,
    ]);
}

/** What a command resource runs on a node: the command line, and the script it reads on stdin. */
export interface NodeStep {
    create: string;
    stdin: string;
}

/** The cache drop on one node (scripts/drop-caches.sh). */
export function dropCachesStep(nodeName: string): NodeStep {
    return { create: bashOnNode(120, ["--node", nodeName]), stdin: readScript("drop-caches.sh") };
}

/** One experiment run: the driver (scripts/driver.py) inside the runner's container, bounded by `timeoutSeconds`. */
export function runStep(container: string, timeoutSeconds: number, driverArgs: (string | number)[]): NodeStep {
    return { create: pythonInContainer(container, timeoutSeconds, driverArgs), stdin: readScript("driver.py") };
}
