/**
 * What the study knows about the CLI it drives, pure: where the real CLI is, who holds a stack's
 * lock and whether that holder is gone, the lines of a failure worth showing, and the SIGINTs one
 * operation's CLI may get.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

/** The first `pulumi` on PATH that is not the study's own wrapper. */
export function realCli(env: NodeJS.ProcessEnv = process.env): string | undefined {
    const own = path.join(__dirname, "cli", "bin");
    for (const dir of (env.PATH ?? "").split(path.delimiter)) {
        if (dir === "" || path.resolve(dir) === own) continue;
        const file = path.join(dir, "pulumi");
        try {
            fs.accessSync(file, fs.constants.X_OK);
            if (fs.statSync(file).isFile()) return file;
        } catch {
            // not here
        }
    }
    return undefined;
}

export interface LockHolder {
    user: string;
    host: string;
    pid: number;
}

/** The holders a DIY backend names when a stack is locked ("created by USER@HOST (pid N) at T"). */
export function lockHolders(message: string): LockHolder[] {
    // The Automation API's error repeats the CLI's output (its stderr, then the exec error): each holder once.
    const seen = new Map<string, LockHolder>();
    for (const m of message.matchAll(/created by (\S+?)@(\S+) \(pid (\d+)\)/g))
        seen.set(`${m[2]}:${m[3]}`, { user: m[1], host: m[2], pid: Number(m[3]) });
    return [...seen.values()];
}

function alive(pid: number): boolean {
    try {
        process.kill(pid, 0);
        return true;
    } catch (e) {
        return (e as NodeJS.ErrnoException).code === "EPERM";
    }
}

/** A lock that provably nobody holds any more: every holder a process of this host that is gone. */
export function isStaleLock(holders: LockHolder[], host = os.hostname(), isAlive = alive): boolean {
    return holders.length > 0 && holders.every((h) => h.host === host && !isAlive(h.pid));
}

/** The lines of a CLI failure a person needs: its error lines, without the Automation API's wrapping. */
export function errorLines(e: unknown): string[] {
    const text = e instanceof Error ? e.message : String(e);
    const lines = text
        .split("\n")
        .map((l) => l.trim())
        .filter((l) => /^error: /.test(l) && !/^error: update failed$|^error: destroy failed$/.test(l))
        .map((l) => l.replace(/^error: /, ""));
    const unique = [...new Set(lines)];
    return unique.length > 0 ? unique.slice(0, 12) : [text.split("\n").find((l) => l.trim() !== "") ?? text];
}

/** The pid the CLI wrapper wrote, or undefined when there is none. */
export function cliPid(file: string): number | undefined {
    try {
        const pid = Number(fs.readFileSync(file, "utf8").trim());
        return Number.isInteger(pid) && pid > 0 ? pid : undefined;
    } catch {
        return undefined;
    }
}

/**
 * The SIGINTs of one operation's CLI: the first request cancels it gracefully (the CLI's own
 * cancel), the second stops it at once; no more than two are ever sent. They go to the CLI that
 * sent the operation's first engine event (its SIGINT handler is there by then), never to the
 * CLI calls the Automation API makes around it (reading the outputs); a request made before that
 * event waits for it.
 */
export class Interrupts {
    private pid?: number;
    private sent = 0;

    constructor(
        private asked = 0,
        private readonly kill: (pid: number) => void = (pid) => process.kill(pid, "SIGINT"),
    ) {}

    get requests(): number {
        return this.asked;
    }

    /** The operation's first engine event: its CLI is `pid`. */
    started(pid: number | undefined): void {
        if (this.pid !== undefined || pid === undefined) return;
        this.pid = pid;
        this.deliver();
    }

    ask(): "cancelling" | "stopping" {
        this.asked = Math.min(this.asked + 1, 2);
        this.deliver();
        return this.asked === 1 ? "cancelling" : "stopping";
    }

    private deliver(): void {
        if (this.pid === undefined) return;
        for (; this.sent < this.asked; this.sent++) {
            try {
                this.kill(this.pid);
            } catch {
                return; // it has just ended
            }
        }
    }
}
