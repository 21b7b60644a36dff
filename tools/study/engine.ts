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
import { cliPid, errorLines, Interrupts, isStaleLock, LockHolder, lockHolders, realCli } from "./pulumiCli";

export type Outcome = "finished" | "cancelled" | "failed";

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
