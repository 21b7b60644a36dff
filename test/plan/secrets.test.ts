import { rabbitPasswordHash } from "../../lib/brokerFiles";
import { Evaluation, evaluate } from "../../tools/mockrun";
import { buildPlan } from "../../tools/planModel";
import { renderPlan } from "../../tools/render";
import { stackConfig } from "../../tools/stackConfig";
import { root } from "./project";

/** Evaluates in a fresh module registry (Pulumi's runtime state is per module instance), with extra secrets. */
async function evaluateWith(stack: string, secrets: Record<string, string>): Promise<Evaluation> {
    const cfg = stackConfig(stack);
    for (const [key, value] of Object.entries(secrets)) {
        cfg.config[key] = value;
        cfg.secretKeys.push(key);
    }
    let ev: Evaluation | undefined;
    await jest.isolateModulesAsync(async () => {
        ev = await evaluate(stack, cfg);
    });
    return ev!;
}

/** Everything the plan prints, both forms. */
function printed(stack: string, ev: Evaluation): string {
    const plan = buildPlan(stack, ev, root);
    return renderPlan(plan) + JSON.stringify(plan);
}

describe("secrets in the plan", () => {
    it("never show the admin password, its hash or the SSH key; the broker's uploads and the connections read [secret]", async () => {
        const password = "Correct-Horse-9";
        const key = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----";
        const ev = await evaluateWith("lab-32_2", { "parwop:brokerAdminPassword": password, "parwop:sshPrivateKey": key });
        const out = printed("lab-32_2", ev);
        for (const leak of [password, rabbitPasswordHash(password), "b3BlbnNzaC1rZXktdjEAAAAA"]) expect(out).not.toContain(leak);
        expect(out).toContain('uploads: "[secret]"');
        expect(out).toContain('connection: "[secret]"');
        expect(ev.outputs.brokerAdminPassword).toBe("[secret]");
        // The host is still known (it is not secret), so remote commands land on their node.
        expect(buildPlan("lab-32_2", ev, root).resources.find((r) => r.name === "parwop-health-wait")!.node).toBe("node1");
    });

    it("never show a generated password or its hash", async () => {
        const ev = await evaluateWith("dev", {});
        // tools/mockrun.ts invents this value for the RandomPassword's result.
        const generated = "generated-parwop-broker-admin-password";
        const out = printed("dev", ev);
        expect(out).not.toContain(generated);
        expect(out).not.toContain(rabbitPasswordHash(generated));
        expect(out).toContain('uploads: "[secret]"');
    });
});
