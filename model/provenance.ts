import { createHash } from "crypto";
import { Settings } from "./settings";

/** A digest of everything that shapes a result: tier, nodes, image, experiment. */
export function configHash(s: Settings): string {
    const shaping = { tier: s.tier, nodes: s.nodes, image: s.image, experiment: s.experiment };
    return createHash("sha256").update(JSON.stringify(shaping)).digest("hex").slice(0, 16);
}

/**
 * What each results line carries besides the driver's figures. Not the git commit:
 * record-result.js adds it, so a new commit changes no record command.
 */
export function provenance(stack: string, s: Settings): Record<string, unknown> {
    return {
        stack,
        tier: s.tier.name,
        environment: s.environment,
        nodes: s.nodes.map((n) => n.workerId),
        config_hash: configHash(s),
    };
}
