/**
 * The real Pulumi engine for the engine tests: the CLI, its language host and the docker and
 * command plugins test/engine/build.sh built from Go modules, Node 22 from the lab
 * (test/lab/node.sh), a file backend and a throwaway PULUMI_HOME per project, no plugin downloads.
 */
import { ChildProcess, execFileSync, spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { runSpoolDir, settledDir } from "../../lib/scripts";
import { repoRoot } from "../helpers/fixture";
import { fixtureProject } from "../helpers/project";

const sh = (script: string) =>
    execFileSync("bash", [path.join(repoRoot, script)], { encoding: "utf8" })
        .trim()
        .split("\n")
        .pop()!;

/** Builds nothing when already built (cached by the pins): the setup stage of test/run.sh built it. */
export const engineBin = sh("test/engine/build.sh");
export const nodeBin = sh("test/lab/node.sh");

export interface Run {
    code: number | null;
    out: string;
    /** Wall time of the command, in seconds. */
    seconds: number;
}

/** A project wired to the built engine, with its own state and a stack selected. */
export class EngineProject {
    readonly env: NodeJS.ProcessEnv;

    readonly dir: string;

    /**
     * `files` go on top of the fixture project (test/helpers/project.ts): a stack file, an
     * environment. `env` adds to the CLI's environment (an ssh agent's socket).
     */
    constructor(
        readonly stack: string,
        files: Record<string, string> = {},
        env: NodeJS.ProcessEnv = {},
    ) {
        this.dir = fixtureProject(files);
        this.env = {
            ...process.env,
            ...env,
            PATH: `${engineBin}:${nodeBin}:${process.env.PATH}`,
            PULUMI_HOME: path.join(this.dir, ".pulumi-home"),
            PULUMI_BACKEND_URL: `file://${path.join(this.dir, ".state")}`,
            PULUMI_CONFIG_PASSPHRASE: "engine-tests",
            PULUMI_SKIP_UPDATE_CHECK: "true",
            PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
        };
        fs.mkdirSync(path.join(this.dir, ".state"), { recursive: true });
        this.pulumi(["stack", "select", "--create", stack]);
    }

    /** `pulumi ARGS` in the project; stdout and stderr together, as a user sees them. */
    pulumi(args: string[], timeoutMs = 600_000): Run {
        const start = Date.now();
        const r = spawnSync("pulumi", [...args, "--non-interactive"], {
            cwd: this.dir,
            env: this.env,
            encoding: "utf8",
            timeout: timeoutMs,
        });
        if (r.error) throw r.error;
        return { code: r.status, out: withoutAmbientWarnings(`${r.stdout}${r.stderr}`), seconds: (Date.now() - start) / 1000 };
    }

    /** `pulumi ARGS`, failing the test with the CLI's whole output when it does not exit 0. */
    ok(args: string[], timeoutMs?: number): Run {
        const r = this.pulumi(args, timeoutMs);
        if (r.code !== 0) throw new Error(`pulumi ${args.join(" ")} exited ${r.code}:\n${r.out}`);
        return r;
    }

    /** The stack's outputs, secrets shown. */
    outputs(): Record<string, unknown> {
        return JSON.parse(this.ok(["stack", "output", "--json", "--show-secrets"]).out) as Record<string, unknown>;
    }

    /** The lines of the stack's results file, as written. */
    results(): string[] {
        const file = path.join(this.dir, "results", this.stack, "runs.jsonl");
        return fs.existsSync(file) ? fs.readFileSync(file, "utf8").split("\n").filter(Boolean) : [];
    }

    /** What each measured run noted before it started (results/<stack>/attempts.jsonl), in order. */
    attempts(): { run: string; attempt: number; run_key: string }[] {
        return fs
            .readFileSync(path.join(this.dir, "results", this.stack, "attempts.jsonl"), "utf8")
            .split("\n")
            .filter(Boolean)
            .map((l) => JSON.parse(l) as { run: string; attempt: number; run_key: string });
    }

    /**
     * `pulumi up --yes`, calling `act` with the CLI's process once, as soon as `when` holds while
     * it runs: a fault injected mid-up. A `when` that throws counts as not yet.
     */
    upActing(when: () => boolean | Promise<boolean>, act: (cli: ChildProcess) => void): Promise<Acted> {
        const cli = spawn("pulumi", ["up", "--yes", "--non-interactive"], { cwd: this.dir, env: this.env });
        let out = "";
        let actedAt: number | undefined;
        let whenError: string | undefined;
        cli.stdout.on("data", (d) => (out += d));
        cli.stderr.on("data", (d) => (out += d));
        let polling = true;
        const holds = async () => {
            try {
                return await when();
            } catch (e) {
                whenError = String(e);
                return false;
            }
        };
        void (async () => {
            while (polling && actedAt === undefined) {
                if (await holds()) {
                    act(cli);
                    actedAt = Date.now();
                } else await new Promise((r) => setTimeout(r, 20));
            }
        })();
        return new Promise((resolve) =>
            cli.on("close", (code) => {
                polling = false;
                const afterAct = actedAt === undefined ? NaN : (Date.now() - actedAt) / 1000;
                resolve({ code, out: withoutAmbientWarnings(out), acted: actedAt !== undefined, afterAct, whenError });
            }),
        );
    }

    /** Removes the project and what its stacks' runs left on the nodes (the lab's hosts share this machine's /var/tmp). */
    remove(): void {
        const stacks = path.join(this.dir, ".state", ".pulumi", "stacks", "parwop");
        const names = fs.existsSync(stacks) ? fs.readdirSync(stacks).filter((f) => f.endsWith(".json")) : [];
        for (const stack of names.map((f) => f.slice(0, -".json".length))) {
            for (const dir of [runSpoolDir(stack), settledDir(stack)]) fs.rmSync(dir, { recursive: true, force: true });
        }
        fs.rmSync(this.dir, { recursive: true, force: true });
    }
}

/** What `upActing` saw. */
export interface Acted {
    code: number | null;
    out: string;
    /** Whether `act` was called before the CLI exited. */
    acted: boolean;
    /** Seconds from the act to the CLI's exit. */
    afterAct: number;
    /** Why `when` last threw, if it did. */
    whenError?: string;
}

/** A stack's runs in the nodes' spool (the lab's hosts share this machine's /var/tmp): one dir per run identity. */
export function spooledRuns(stack: string): string[] {
    const spool = runSpoolDir(stack);
    return fs.existsSync(spool)
        ? fs
              .readdirSync(spool)
              .filter((d) => /^[0-9a-f]+$/.test(d))
              .map((d) => path.join(spool, d))
        : [];
}

/** A run of the stack has started on its node: its spool dir names the driver's pid. */
export const runStarted = (stack: string) => spooledRuns(stack).some((d) => fs.existsSync(path.join(d, "pid")));

/**
 * The CLI says, on every command, that it uses the plugins it found on $PATH (ours, in the bin
 * dir): true and expected here, and noise in every assertion on what a user sees.
 */
function withoutAmbientWarnings(out: string): string {
    return out
        .split("\n")
        .filter((l) => !/warning: using pulumi-(language|resource)-\w+ from \$PATH/.test(l))
        .join("\n");
}

/**
 * The last `Resources:` summary a command printed, as counts per verb ({ unchanged: 29 },
 * { "to update": 4, … }): `up` prints its preview's summary first, then the update's.
 */
export function summary(out: string): Record<string, number> {
    const blocks = [...out.matchAll(/\nResources:\n((?:[ \t]+.+\n?)+)/g)];
    const block = blocks.at(-1);
    if (!block) throw new Error(`no Resources: summary in:\n${out}`);
    const counts: Record<string, number> = {};
    for (const line of block[1].split("\n")) {
        const m = /^\s+(?:[-+~]+ ?)?(\d+) (.+)$/.exec(line);
        if (m) counts[m[2].trim()] = Number(m[1]);
    }
    return counts;
}

export interface Change {
    /** update, replace, create, delete, … as `pulumi preview --diff` prints it. */
    op: string;
    type: string;
    /** The resource's name (the last part of its URN). */
    name: string;
}

/** Every resource `pulumi preview --diff` lists with an operation, in its order. */
export function changes(out: string): Change[] {
    const found: Change[] = [];
    const re = /^\s*[-+~]+\s*(\S+): \(([\w-]+)\)\n(?:\s+\[id=.*\]\n)?\s+\[urn=\S+::([^:\]]+)\]/gm;
    for (let m = re.exec(out); m; m = re.exec(out)) found.push({ type: m[1], op: m[2], name: m[3] });
    return found;
}
