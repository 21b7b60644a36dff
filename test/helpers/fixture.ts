import * as fs from "fs";
import * as path from "path";
import { projectFiles, rawStackConfig } from "../../config/stack";
import { Settings } from "../../config/settings";
import { declare, Declaration, DeclareInputs } from "../../model/declare";
import { loadSettings } from "../../model/load";
import { stackConfig } from "../../tools/mock/stackConfig";

/** The repository root, and the test-owned project files (test/fixtures/project/README.md). */
export const repoRoot = path.resolve(__dirname, "..", "..");
export const fixtureRoot = path.join(repoRoot, "test", "fixtures", "project");

/** The fixture's stacks: Pulumi.<env>-<tier>.yaml. */
export const fixtureStacks = fs
    .readdirSync(fixtureRoot)
    .filter((f) => /^Pulumi\.[^.]+\.yaml$/.test(f))
    .map((f) => f.slice("Pulumi.".length, -".yaml".length))
    .sort();

/** Reads project files from `root`, with in-memory files taking precedence (a test's own variants). */
export function fileReader(root: string, files: Record<string, string> = {}) {
    const onDisk = projectFiles(root);
    return {
        read: (rel: string) => files[rel] ?? onDisk.read(rel),
        list: (dir: string) => [
            ...new Set([
                ...onDisk.list(dir),
                ...Object.keys(files)
                    .filter((f) => f.startsWith(`${dir}/`))
                    .map((f) => f.slice(dir.length + 1)),
            ]),
        ],
    };
}

/**
 * Settings of a fixture stack as the program would load them, with config overrides
 * ("parwop:key" -> value as Pulumi hands it: a string, objects as JSON) and extra files.
 */
export function fixtureSettings(stack: string, overrides: Record<string, string> = {}, files: Record<string, string> = {}): Settings {
    const { config } = stackConfig(stack, fixtureRoot, repoRoot);
    const { read, list } = fileReader(fixtureRoot, files);
    return loadSettings(rawStackConfig({ ...config, ...overrides }), read, list);
}

/** The declaration of a fixture stack (model/declare.ts), as index.ts makes it, with test script digests unless given. */
export function fixtureDeclaration(stack: string, settings = fixtureSettings(stack), inputs: Partial<DeclareInputs> = {}): Declaration {
    return declare(settings, { stack, scripts: { driver: "d", dropCaches: "c" }, ...inputs });
}
