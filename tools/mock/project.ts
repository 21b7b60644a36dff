import * as fs from "fs";
import * as os from "os";
import * as path from "path";

/** The checkout these tools belong to (in a scratch copy, the copy). */
export const repoRoot = path.resolve(__dirname, "..", "..");

/** What a copy of the project needs to run index.ts and the tools: the code, not the shipped inventories and stacks. */
const code = ["index.ts", "Pulumi.yaml", "tsconfig.json", "package.json", "components", "config", "lib", "model", "scripts", "tools"];

/** Points `dir`'s node_modules at this checkout's: a copy of the project runs on the same installed packages. */
export function linkNodeModules(dir: string): void {
    fs.symlinkSync(path.join(repoRoot, "node_modules"), path.join(dir, "node_modules"));
}

export interface ScratchOptions {
    /** Directories whose entries are copied over the code, in order (the tests' own envs/, stacks/ and stack files). */
    layers?: string[];
    /** Where; default a new temp dir. */
    dir?: string;
}

/**
 * A throwaway project: the program's code (copied, not linked: config/stack.ts reads envs/ and
 * stacks/ beside its own real path), each layer, then `files` on top (a variant's inventory or
 * stack file). For the benchmarks and the tests, which evaluate generated or fixture stacks.
 */
export function scratchProject(files: Record<string, string> = {}, options: ScratchOptions = {}): string {
    const dir = options.dir ?? fs.mkdtempSync(path.join(os.tmpdir(), "parwop-copy-"));
    for (const name of code) fs.cpSync(path.join(repoRoot, name), path.join(dir, name), { recursive: true });
    for (const layer of options.layers ?? []) {
        for (const name of fs.readdirSync(layer)) fs.cpSync(path.join(layer, name), path.join(dir, name), { recursive: true });
    }
    linkNodeModules(dir);
    for (const [name, text] of Object.entries(files)) {
        fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
        fs.writeFileSync(path.join(dir, name), text);
    }
    return dir;
}
