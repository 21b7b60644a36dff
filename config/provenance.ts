import { execFileSync } from "child_process";
import { createHash } from "crypto";
import { Settings } from "./settings";

/** The project's commit, so every result says which program produced it. */
export function gitCommit(cwd: string): string {
    try {
        return execFileSync("git", ["rev-parse", "HEAD"], { cwd, stdio: ["ignore", "pipe", "ignore"] })
            .toString()
            .trim();
    } catch {
        return "unknown";
    }
}

/** A digest of everything that shapes a result: tier, nodes, image, experiment. */
export function configHash(s: Settings): string {
    const shaping = { tier: s.tier, nodes: s.nodes, image: s.image, experiment: s.experiment };
    return createHash("sha256").update(JSON.stringify(shaping)).digest("hex").slice(0, 16);
}

/** What each results line carries besides the driver's figures. */
export function provenance(stack: string, s: Settings, commit: string): Record<string, unknown> {
    return {
        stack,
        tier: s.tier.name,
        environment: s.environment,
        nodes: s.nodes.map((n) => n.workerId),
        git_commit: commit,
        config_hash: configHash(s),
    };
}
