import * as fs from "fs";
import { runPlan, tempProject } from "./project";

describe("config errors", () => {
    const dir = tempProject({
        "Pulumi.bad.yaml": 'config:\n  parwop:environment: lab\n  parwop:tier: "96_6"\n',
        "Pulumi.worse.yaml": "config:\n  parwop:environment: nowhere\n  parwop:tier: dev\n  parwop:colour: blue\n",
    });
    afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("print the program's one-line message and exit 1, with no stack trace and nothing on stdout", () => {
        const r = runPlan(["bad"], dir);
        expect(r).toEqual({ code: 1, stdout: "", stderr: 'parwop:tier: unknown tier "96_6" (known: 128_16, 128_8, 32_2, 64_4, dev)\n' });
    });

    it("print every problem, one line each", () => {
        const r = runPlan(["worse", "--json"], dir);
        expect(r.code).toBe(1);
        expect(r.stdout).toBe("");
        expect(r.stderr).toBe(
            [
                "parwop:colour: unknown config key (known: environment, tier, restartGeneration, restartPolicy, brokerAdminUser, brokerAdminPassword, sshPrivateKey, experiment, healthGate)",
                'parwop:environment: unknown environment "nowhere" (known: dev, lab)',
                "",
            ].join("\n"),
        );
    });

    it("in either stack of a diff stop the diff the same way", () => {
        expect(runPlan(["dev", "--diff", "bad"], dir)).toEqual({
            code: 1,
            stdout: "",
            stderr: expect.stringMatching(/^(warning: .*\n)*parwop:tier: unknown tier "96_6" \(known: 128_16, 128_8, 32_2, 64_4, dev\)\n$/),
        });
    });

    it("a missing stack file is one line too", () => {
        expect(runPlan(["nosuch"], dir)).toEqual({ code: 1, stdout: "", stderr: `no stack file Pulumi.nosuch.yaml in ${dir}\n` });
    });
});
