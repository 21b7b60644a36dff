import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { parse, stringify } from "yaml";
import { fixtureProject } from "../helpers/project";

// `npm run -s plan -- …` as a user runs it, in a project that is its own git repository (the
// fixture's files committed), so --diff compares the working tree with a real commit.
const dir = fixtureProject();
const git = (...args: string[]) => execFileSync("git", ["-c", "user.name=t", "-c", "user.email=t@t", ...args], { cwd: dir });
const plan = (...args: string[]) =>
    spawnSync(process.execPath, ["tools/run-ts.js", "tools/plan/plan.ts", ...args], { cwd: dir, encoding: "utf8", timeout: 120_000 });

beforeAll(() => {
    fs.writeFileSync(path.join(dir, ".gitignore"), "node_modules\n");
    git("init", "-q");
    git("add", "-A");
    git("commit", "-q", "-m", "fixture");
    const env = parse(fs.readFileSync(path.join(dir, "envs/three.yaml"), "utf8")) as { nodes: Record<string, unknown>[] };
    env.nodes.push({ ...env.nodes[0], name: "n4", host: "n4.test", workerId: "worker-4" });
    fs.writeFileSync(path.join(dir, "envs/three.yaml"), stringify(env));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

test("--diff compares the working tree with HEAD: the added node first, as counts", () => {
    const r = plan("three-small", "--diff");
    expect(r.status).toBe(0);
    expect(r.stdout.split("\n").slice(0, 2)).toEqual([
        "three-small at HEAD -> three-small in the working tree: 11 added, 0 removed, 7 changed",
        "  + added: 11 on n4",
    ]);
});

test("--json --out writes clean JSON to the file, whatever else is printed", () => {
    const out = path.join(dir, "plan.json");
    const r = plan("three-small", "--json", "--out", out);
    expect([r.status, r.stdout]).toEqual([0, ""]);
    expect((JSON.parse(fs.readFileSync(out, "utf8")) as { nodes: string[] }).nodes).toEqual(["n1", "n2", "n3", "n4", "cluster"]);
});

test("a config error is the program's lines on stderr and exit 1; a usage error exit 2 with the usage", () => {
    fs.writeFileSync(path.join(dir, "Pulumi.bad.yaml"), "config:\n  parwop:environment: three\n  parwop:tier: huge\n");
    expect(plan("bad")).toMatchObject({ status: 1, stdout: "", stderr: 'parwop:tier: unknown tier "huge" (known: large, small)\n' });
    const usage = plan("three-small", "--dif");
    expect(usage.status).toBe(2);
    expect(usage.stderr.split("\n")[0]).toBe("plan: unknown option --dif");
    expect(usage.stderr).toContain("usage: npm run -s plan -- STACK");
});
