import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";

// Not part of the image's behaviour: VCS metadata, caches and the datasets that may sit beside the code.
const skipped = new Set([".git", "__pycache__", "node_modules", ".venv", "data"]);

/**
 * A digest of every file under a build context (paths and contents, in a fixed order), so a
 * changed PARWOP source triggers a rebuild on every node. Undefined when the dir is missing on
 * this machine: then the build itself fails with docker's own message.
 */
export function sourceHash(dir: string): string | undefined {
    if (!fs.existsSync(dir)) return undefined;
    const hash = createHash("sha256");
    const walk = (rel: string) => {
        const entries = fs.readdirSync(path.join(dir, rel), { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name));
        for (const e of entries) {
            if (skipped.has(e.name)) continue;
            const child = path.join(rel, e.name);
            if (e.isDirectory()) walk(child);
            else if (e.isFile())
                hash.update(child)
                    .update("\0")
                    .update(fs.readFileSync(path.join(dir, child)))
                    .update("\0");
        }
    };
    walk("");
    return hash.digest("hex");
}
