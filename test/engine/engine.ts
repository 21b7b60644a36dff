/**
 * The real Pulumi engine for the engine tests: the CLI and language host test/engine/build.sh
 * built from Go modules, Node 22 from the lab (test/lab/node.sh), a file backend and a
 * throwaway PULUMI_HOME per project, no plugin downloads.
 */
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
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
}

/** A fixture project wired to the built engine, with its own state and a stack selected. */
export class EngineProject {
    readonly dir = fixtureProject();
    readonly env: NodeJS.ProcessEnv = {
        ...process.env,
        PATH: `${engineBin}:${nodeBin}:${process.env.PATH}`,
        PULUMI_HOME: path.join(this.dir, ".pulumi-home"),
        PULUMI_BACKEND_URL: `file://${path.join(this.dir, ".state")}`,
        PULUMI_CONFIG_PASSPHRASE: "engine-tests",
        PULUMI_SKIP_UPDATE_CHECK: "true",
        PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
    };

    constructor(readonly stack: string) {
        fs.mkdirSync(path.join(this.dir, ".state"));
        this.pulumi(["stack", "select", "--create", stack]);
    }

    /** `pulumi ARGS` in the project; stdout and stderr together, as a user sees them. */
    pulumi(args: string[]): Run {
        const r = spawnSync("pulumi", [...args, "--non-interactive"], { cwd: this.dir, env: this.env, encoding: "utf8", timeout: 600_000 });
        if (r.error) throw r.error;
        return { code: r.status, out: `${r.stdout}${r.stderr}` };
    }

    remove(): void {
        fs.rmSync(this.dir, { recursive: true, force: true });
    }
}
