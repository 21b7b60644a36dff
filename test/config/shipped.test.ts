import * as fs from "fs";
import * as path from "path";
import { listProjectDir, rawStackConfig, readProjectFile } from "../../config/stack";
import { checkedPlacement } from "../../model/declare";
import { loadSettings } from "../../model/load";
import { stackConfig, encryptedPlaceholder } from "../../tools/mock/stackConfig";
import { repoRoot } from "../helpers/fixture";

// Whatever the shipped files hold (a user adds nodes, tiers, queries), every stack file must load.
const stacks = fs
    .readdirSync(repoRoot)
    .filter((f) => /^Pulumi\.[^.]+\.yaml$/.test(f))
    .map((f) => f.slice("Pulumi.".length, -".yaml".length));

test("the project ships a dev stack", () => {
    expect(stacks).toContain("dev");
});

test.each(stacks)("stack %s and the files it names pass validation", (stack) => {
    const { config } = stackConfig(stack, repoRoot);
    // Secrets cannot be decrypted here; their shape is the SDK's business.
    const plain = Object.fromEntries(Object.entries(config).filter(([, v]) => v !== encryptedPlaceholder));
    const s = loadSettings(rawStackConfig(plain), readProjectFile, listProjectDir);
    expect(s.nodes.length).toBeGreaterThan(0);
    // The clash checks run with the placement (model/declare.ts): they must pass too.
    expect(checkedPlacement(s).nodes.length).toBe(s.nodes.length);
    expect(fs.existsSync(path.join(repoRoot, "envs", `${s.environment}.yaml`))).toBe(true);
});
