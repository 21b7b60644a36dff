import * as fs from "fs";
import * as path from "path";
import { EngineProject, engineBin } from "./engine";

// The real CLI and language host (test/engine/build.sh) run the real index.ts, on Node 22, with
// a fixture stack whose nodes do not exist: what the engine does with the program before any
// host is touched (config errors, secrets). The deployments are devstack.test.ts's.

const cliVersion = /github\.com\/pulumi\/pulumi\/pkg\/v3 (v\S+)/.exec(fs.readFileSync(path.join(__dirname, "cli", "go.mod"), "utf8"))![1];

let project: EngineProject;
beforeAll(() => {
    project = new EngineProject("three-small");
});
afterAll(() => project.remove());

test("the CLI is the pinned version, and the Node.js language host sits beside it", () => {
    expect(project.pulumi(["version"]).out.trim()).toBe(cliVersion);
    expect(fs.existsSync(path.join(engineBin, "pulumi-language-nodejs"))).toBe(true);
});

test("preview runs index.ts through the real language host and registers the component tree", () => {
    const r = project.pulumi(["preview"]);
    expect(r.out).toContain("parwop:index:Cluster parwop");
    expect(r.out).toContain("parwop:index:Experiment experiment");
});

test("bad stack config: every problem in one line each, exit non-zero, no stack trace", () => {
    project.pulumi(["config", "set", "parwop:tier", "huge"]);
    project.pulumi(["config", "set", "parwop:colour", "blue"]);
    try {
        const r = project.pulumi(["preview"]);
        expect(r.code).not.toBe(0);
        expect(r.out).toContain(
            "error: parwop:colour: unknown config key (known: environment, tier, restartGeneration, restartPolicy, brokerAdminUser, brokerAdminPassword, experiment, healthGate)\n",
        );
        expect(r.out).toContain('    parwop:tier: unknown tier "huge" (known: large, small)\n');
        expect(r.out).not.toMatch(/^\s+at /m);
        expect(r.out).not.toContain("ConfigError");
    } finally {
        project.pulumi(["config", "set", "parwop:tier", "small"]);
        project.pulumi(["config", "rm", "parwop:colour"]);
    }
});

test("pulumi config set --path changes one field of a structured key, and the program checks it", () => {
    project.pulumi(["config", "set", "--path", "parwop:experiment.repetitions", "0"]);
    try {
        const r = project.pulumi(["preview"]);
        expect(r.out).toContain("error: parwop:experiment.repetitions: expected number to be >=1 (got 0)");
        // The rest of the object stays as the stack file has it.
        expect(project.pulumi(["config", "get", "parwop:experiment"]).out).toContain('"queries"');
    } finally {
        project.pulumi(["config", "set", "--path", "parwop:experiment.repetitions", "1"]);
    }
});

test("a secret set without --secret is refused naming the command; set with --secret it is taken", () => {
    project.pulumi(["config", "set", "parwop:brokerAdminPassword", "hunter2"]);
    const plain = project.pulumi(["preview"]);
    expect(plain.out).toContain(
        "error: parwop:brokerAdminPassword: is in plain text in the stack file; set it as a secret: pulumi config set --secret parwop:brokerAdminPassword",
    );
    project.pulumi(["config", "set", "--secret", "parwop:brokerAdminPassword", "hunter2"]);
    const secret = project.pulumi(["preview"]);
    expect(secret.out).not.toContain("plain text");
    expect(secret.out).toContain("parwop:index:Cluster parwop");
    expect(fs.readFileSync(path.join(project.dir, "Pulumi.three-small.yaml"), "utf8")).not.toContain("hunter2");
});
