import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { byType, containerType, evaluateStack, one, providerType } from "./harness";

const root = path.resolve(__dirname, "..", "..");
const stacks = fs
    .readdirSync(root)
    .filter((f) => /^Pulumi\.[^.]+\.yaml$/.test(f))
    .map((f) => f.slice("Pulumi.".length, -".yaml".length))
    .sort();

test("the project ships the dev stack and one lab stack per tier", () => {
    expect(stacks).toEqual(["dev", "lab-128_16", "lab-128_8", "lab-32_2", "lab-64_4"]);
});

test.each(stacks)("stack %s loads from its files and passes validation", async (stack) => {
    const ev = await evaluateStack(stack);
    expect(byType(ev, containerType).length).toBeGreaterThanOrEqual(3);
});

describe("dev stack", () => {
    test("everything on the local engine, commands run locally, two workers on their own ports", async () => {
        const ev = await evaluateStack("dev");
        expect(byType(ev, providerType).map((p) => p.inputs.host)).toEqual(["unix:///var/run/docker.sock", "unix:///var/run/docker.sock"]);
        expect(ev.resources.filter((r) => r.type === "command:remote:Command")).toEqual([]);
        expect(one(ev, "parwop-dev-2-worker-container").inputs).toMatchObject({ name: "parwop-worker-2", memory: 1127, cpus: "1.0" });
        expect(ev.outputs.workers).toEqual({ "worker-1": "http://localhost:8001", "worker-2": "http://localhost:8002" });
    });
});

test("index.ts compiles and runs the way `pulumi up` loads it (Pulumi's ts-node + our tsconfig)", () => {
    // Not ts-jest: a tsconfig that only ts-jest accepts must fail here, as it would fail `pulumi up`.
    const out = execFileSync("node", ["tools/run-ts.js", "test/program/loadIndex.ts", "lab-64_4"], { cwd: root, encoding: "utf8" });
    expect(JSON.parse(out)).toMatchObject({ containers: 10, coordinatorUrl: "http://node1.lab:8000" });
});
