import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { fixtureRoot, repoRoot } from "./fixture";

/** What a copy of the project needs to run index.ts and the tools: the code, not the shipped inventories and stacks. */
const code = ["index.ts", "Pulumi.yaml", "tsconfig.json", "package.json", "components", "config", "lib", "model", "scripts", "tools"];

/**
 * A throwaway project: the program's code (copied: config/stack.ts reads envs/ and stacks/
 * beside its own real path), the test-owned envs/, stacks/ and stack files, and `files` on
 * top (a variant's inventory or stack file). node_modules is a symlink.
 */
export function fixtureProject(files: Record<string, string> = {}, dir = fs.mkdtempSync(path.join(os.tmpdir(), "parwop-test-"))): string {
    for (const name of code) fs.cpSync(path.join(repoRoot, name), path.join(dir, name), { recursive: true });
    for (const name of fs.readdirSync(fixtureRoot)) fs.cpSync(path.join(fixtureRoot, name), path.join(dir, name), { recursive: true });
    fs.symlinkSync(path.join(repoRoot, "node_modules"), path.join(dir, "node_modules"));
    for (const [name, text] of Object.entries(files)) {
        fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
        fs.writeFileSync(path.join(dir, name), text);
    }
    return dir;
}
