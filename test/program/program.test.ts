import { commandLine } from "../../lib/nodeCommand";
import { commandOf, scriptDigests, stdinOf } from "../../lib/scripts";
import { nodeSteps } from "../../model/declare";
import * as path from "path";
import * as fs from "fs";
import { clusterName, nodeNames, serviceNames } from "../../model/names";
import { placement } from "../../model/placement";
import { evaluated, one, problemsOf } from "../helpers/evaluations";
import { fixtureDeclaration, fixtureSettings, repoRoot } from "../helpers/fixture";

// index.ts as `pulumi preview` runs it before a first deployment (test/globalSetup.ts): the
// program loaded through Pulumi's own TypeScript path, every computed output unknown.
const three = () => evaluated("three-small").evaluation;
const settings = fixtureSettings("three-small");
const where = placement(settings);

describe("index.ts", () => {
    test("exports the URLs, the workers, the tier, and the admin password as a secret", () => {
        expect(three().outputs).toMatchObject({
            coordinatorUrl: where.coordinator.url,
            brokerAmqpUrl: "amqp://n1.test:5672",
            brokerManagementUrl: "http://n1.test:15672",
            brokerAdminUser: "admin",
            brokerAdminPassword: "[secret]",
            workers: Object.fromEntries(where.workers.map((w) => [w.node.workerId, w.url])),
            tier: { name: "small", memoryMiB: settings.tier.memoryMiB, cpus: 2, queryMemoryRecords: 1000 },
        });
        // Results exist only once the runs have run.
        expect(three().outputs.results).toBe("[unknown]");
    });

    test("every command uses only inputs that both the command plugin built here and the released 1.x accept", () => {
        // The served pulumi-command build refuses `logging` and `addPreviousOutputInEnv`
        // ("Unrecognized field 'logging' on 'local.CommandInputs'"); 1.x defaults to what we want.
        const accepted = [
            "create",
            "update",
            "delete",
            "triggers",
            "stdin",
            "environment",
            "dir",
            "interpreter",
            "assetPaths",
            "archivePaths",
        ];
        for (const r of three().resources.filter((x) => x.type === "command:local:Command")) {
            expect(Object.keys(r.inputs).filter((k) => !accepted.includes(k))).toEqual([]);
        }
    });

    test("no docker or command resource falls back to a default provider", () => {
        const ours = [...where.nodes.map((n) => nodeNames(clusterName, n.name).docker), serviceNames(clusterName).command];
        for (const r of three().resources.filter((x) => x.custom && /^(docker|command):/.test(x.type))) {
            expect(ours).toContain(r.provider.split("::").slice(-2, -1)[0]);
        }
    });

    test("the dev-like environment: every engine is the local socket, every command runs here without ssh", () => {
        const local = evaluated("local-small").evaluation;
        const providers = local.resources.filter((r) => r.type === "pulumi:providers:docker");
        expect(providers.map((p) => p.inputs.host)).toEqual(["unix:///var/run/docker.sock", "unix:///var/run/docker.sock"]);
        for (const c of local.resources.filter((r) => r.type.startsWith("command:"))) {
            expect(String(c.inputs.create)).not.toMatch(/^ssh /);
        }
        expect(one(local, "parwop-l2-worker-container").inputs).toMatchObject({ name: "parwop-worker-2", cpus: "2.0" });
    });

    test("a secret set without --secret stops the program before any resource, naming the key and the command", () => {
        expect(problemsOf("three-small+plaintext")).toEqual([
            "parwop:brokerAdminPassword: is in plain text in the stack file; set it as a secret: pulumi config set --secret parwop:brokerAdminPassword",
        ]);
    });

    test("dependency depth does not grow with the nodes: a 4th node adds resources beside the others, not after them", () => {
        const base = evaluated("three-small").plan;
        const more = evaluated("three-small+node").plan;
        expect(more.resources.length).toBeGreaterThan(base.resources.length);
        expect(more.depth).toBe(base.depth);
    });
});

// The dependency direction config → model → components → index (lib: the components' helpers,
// which may read the model): no folder imports one above it.
const above: Record<string, string[]> = {
    config: ["model", "lib", "components", "tools", "index"],
    model: ["lib", "components", "tools", "index"],
    lib: ["components", "tools", "index"],
    components: ["tools", "index"],
};

const importsOf = (file: string) =>
    [...fs.readFileSync(file, "utf8").matchAll(/^(?:import|export)\b[^;]*?from "(\.[^"]+)"/gms)].map(
        (m) => path.relative(repoRoot, path.resolve(path.dirname(file), m[1])).split(path.sep)[0],
    );

test.each(Object.keys(above))("%s/ imports nothing from a layer above it", (folder) => {
    const dir = path.join(repoRoot, folder);
    const found = fs
        .readdirSync(dir)
        .filter((f) => f.endsWith(".ts"))
        .flatMap((f) => importsOf(path.join(dir, f)).map((to) => `${folder}/${f} -> ${to}`))
        .filter((arrow) => above[folder].includes(arrow.split(" -> ")[1]));
    expect(found).toEqual([]);
});

test("every node command the program registers is a declared step, its line rendered from the step and its node alone", () => {
    const declared = fixtureDeclaration("three-small", settings, { scripts: scriptDigests() });
    const steps = nodeSteps(declared);
    const onNodes = three().resources.filter((r) => r.type === "command:local:Command" && steps.has(r.name));
    expect(onNodes.map((r) => r.name).sort()).toEqual([...steps.keys()].sort());
    for (const r of onNodes) {
        const { access, step } = steps.get(r.name)!;
        // A run's line carries its identity and drop time, outputs a preview does not know.
        if (step.program === "run") expect(r.inputs.create).toBe("[unknown]");
        else expect(r.inputs.create).toBe(commandLine(access, commandOf(step)));
        expect(r.inputs.stdin).toBe(stdinOf(step));
    }
});
