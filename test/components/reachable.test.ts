import * as pulumi from "@pulumi/pulumi";
import { Cluster } from "../../components/cluster";
import { engineProblem } from "../../lib/nodeProvider";
import { nodeNames } from "../../model/names";
import { fixtureDeclaration, fixtureSettings } from "../helpers/fixture";
import { mockStack, Recorder } from "../helpers/mocks";

// A node whose engine does not answer (dead dockerd, lost link, refused host key): the real
// engine tore the other nodes' containers down before it reached that node. Now every node's
// engine is asked first (a docker.getNetwork read through its provider) and nothing that
// creates, replaces or deletes anything on any node is registered unless all answered.
const stack = "three-small";
const settings = fixtureSettings(stack);
const declared = fixtureDeclaration(stack, settings);
const where = declared.placement;
const dead = "n2";
const pinging =
    "failed to create Docker client: Error pinging Docker server, please make sure that ssh://root@n2.test:22 is reachable and Docker is running";

let rec: Recorder;
let failure: unknown;
beforeAll(async () => {
    rec = await mockStack(
        stack,
        (type, name) =>
            type.includes("RemoteImage") ? { imageId: `sha256:${name}` } : type.includes("Random") ? { result: "x" } : { stdout: "" },
        (token, _inputs, provider) => {
            if (token !== "docker:index/getNetwork:getNetwork") throw new Error(`unexpected invoke ${token}`);
            if (provider.includes(`::${nodeNames("parwop", dead).docker}::`)) throw new Error(pinging);
            return { id: "host-network-id", name: "host" };
        },
    );
    // In a deployment nobody handles enginesAnswered: Pulumi's own handler reports the RunError
    // once, without a stack. What waits for the answer is never registered, so nothing settles.
    const cluster = new Cluster("parwop", { declaration: declared });
    failure = await cluster.enginesAnswered.then(
        () => undefined,
        (e: unknown) => e,
    );
    await new Promise((r) => setTimeout(r, 200));
});

test("no container, image or command on any node is registered when one node's engine does not answer", () => {
    const touching = rec.resources.filter(
        (r) => /^docker:index\/(container|remoteImage):|^command:local:Command$/.test(r.type) && !r.name.endsWith("-preflight-check"),
    );
    expect(touching.map((r) => r.name)).toEqual([]);
    // What is registered: the providers, and the preflights, which read and change nothing.
    expect(rec.resources.filter((r) => r.type === "pulumi:providers:docker")).toHaveLength(where.nodes.length);
});

test("the update fails with one RunError naming the node and its engine", () => {
    // (Under mocks the provider's own words do not come through; engineProblem's tests below have them.)
    expect(failure).toBeInstanceOf(pulumi.RunError);
    expect((failure as Error).message).toMatch(
        new RegExp(`^node ${dead} \\(ssh://root@n2\\.test:22\\): its Docker engine does not answer, so nothing was changed on any node: `),
    );
});

test("a dead engine's words, as the provider says them, end the line", () => {
    expect(engineProblem("envs/three.yaml: nodes[1]", where.nodes[1], `sdk-v2/provider2.go:572: ${pinging}`)).toBe(
        "node n2 (ssh://root@n2.test:22): its Docker engine does not answer, so nothing was changed on any node: Error pinging Docker server, please make sure that ssh://root@n2.test:22 is reachable and Docker is running",
    );
});

test("a refused host key names the inventory entry to check and how", () => {
    const n2 = where.nodes[1];
    expect(
        engineProblem(
            "envs/three.yaml: nodes[1]",
            n2,
            "error during connect: ... command [ssh ...] has exited with exit status 255 ... stderr=Host key verification failed.\n",
        ),
    ).toBe(
        "envs/three.yaml: nodes[1].hostKey of node n2 is not the key n2.test presents (ssh refused it): check it with ssh-keyscan -t ed25519 n2.test and put the key, without the host name, there",
    );
});
