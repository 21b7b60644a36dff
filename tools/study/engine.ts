/**
 * The study's hands on Pulumi: the Automation API (LocalWorkspace, Stack) driving the user's own
 * CLI, started in a session of its own (cli/bin/pulumi) so that the study alone decides what
 * signal it gets. Every operation can be cancelled (one SIGINT: the CLI's graceful cancel, as
 * `pulumi cancel` would: what is in flight finishes, nothing new starts, the stack is unlocked)
 * or, on a second request, stopped at once (a second SIGINT: the CLI terminates).
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { CommandError, ConcurrentUpdateError, EngineEvent, LocalWorkspace, PulumiCommand, Stack } from "@pulumi/pulumi/automation";

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

export type Outcome = "finished" | "cancelled" | "failed";

/** The pid the CLI wrapper wrote, or undefined when there is none. */
function cliPid(file: string): number | undefined {
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

export class StudyEngine {
    private readonly pidFile = path.join(os.tmpdir(), `parwop-study-${process.pid}.cli-pid`);
    /** The SIGINTs of the operation running, if one is. */
    private current?: Interrupts;

    private constructor(readonly workspace: LocalWorkspace) {}

    /** A workspace on the project in `root`, through the CLI found on PATH. */
    static async open(root: string): Promise<StudyEngine> {
        const cli = realCli();
        if (cli === undefined) throw new Error("the pulumi CLI is not on PATH (https://www.pulumi.com/docs/install/)");
        process.env.PARWOP_STUDY_CLI = cli;
        const pulumiCommand = await PulumiCommand.get({ root: path.join(__dirname, "cli") });
        const engine = new StudyEngine(await LocalWorkspace.create({ workDir: root, pulumiCommand }));
        process.env.PARWOP_STUDY_CLI_PID = engine.pidFile;
        return engine;
    }

    /** Selects the stack, creating it in the backend when only its stack file exists. */
    stack(name: string): Promise<Stack> {
        return Stack.createOrSelect(name, this.workspace);
    }

    /** Resources each stack of the backend holds (0: not deployed). */
    async resourceCounts(): Promise<Map<string, number>> {
        return new Map((await this.workspace.listStacks()).map((s) => [s.name, s.resourceCount ?? 0]));
    }

    /** Operations a killed CLI left pending in a stack's state: what they touched may exist outside it. */
    async pendingOperations(stack: Stack): Promise<string[]> {
        const ops = ((await stack.exportStack()).deployment?.pending_operations ?? []) as { type: string; resource: { urn: string } }[];
        return ops.map((o) => `${o.type} ${o.resource.urn.split("::").pop()}`);
    }

    /**
     * Runs `up` or `destroy` with the engine's events; resolves how it ended. A stale lock (its
     * holder a process of this host that is gone) is removed with `pulumi cancel` first, once.
     */
    async run(
        stack: Stack,
        op: "up" | "destroy",
        onEvent: (e: EngineEvent) => void,
        onUnlock: (holders: LockHolder[]) => void,
    ): Promise<{ outcome: Outcome; error?: string[] }> {
        let asked = 0;
        const attempt = async () => {
            // The wrapper writes this operation's CLI pid here as it starts it.
            fs.rmSync(this.pidFile, { force: true });
            const interrupts = (this.current = new Interrupts(asked));
            try {
                const tracked = (e: EngineEvent) => {
                    interrupts.started(cliPid(this.pidFile));
                    onEvent(e);
                };
                await (op === "up" ? stack.up({ onEvent: tracked }) : stack.destroy({ onEvent: tracked }));
                return { outcome: "finished" as const };
            } finally {
                asked = interrupts.requests;
                this.current = undefined;
            }
        };
        try {
            try {
                return await attempt();
            } catch (e) {
                const holders = e instanceof ConcurrentUpdateError ? lockHolders(e.message) : [];
                // A cancel asked for while the lock was found: no second attempt.
                if (!isStaleLock(holders) || asked > 0) throw e;
                onUnlock(holders);
                await stack.cancel();
                return await attempt();
            }
        } catch (e) {
            if (!(e instanceof CommandError)) throw e;
            const cancelled = /\b(update|destroy) canceled\b/.test(e.message);
            // Whose lock it is, which the CLI says on lines of their own: a live process is waited for, never unlocked.
            const held =
                e instanceof ConcurrentUpdateError
                    ? lockHolders(e.message).map(
                          (h) =>
                              `held by pid ${h.pid} on ${h.host} (${h.user}), not gone: let it finish, or stop it, then run the study again`,
                      )
                    : [];
            // Stopped at once (a second request): what was in flight was cut off, so the state is
            // not to be completed but destroyed; that is how a failed up is taken up again.
            if (cancelled && asked >= 2)
                return { outcome: "failed", error: ["stopped at once (asked twice): the operations in flight were cut off"] };
            return { outcome: cancelled ? "cancelled" : "failed", error: [...errorLines(e), ...held] };
        }
    }

    /** A cancel request (Interrupts): what it does, or undefined when nothing is running. */
    cancel(): "cancelling" | "stopping" | undefined {
        return this.current?.ask();
    }

    close(): void {
        fs.rmSync(this.pidFile, { force: true });
    }
}
