import { parseStudyArgs } from "../../tools/study/args";

const parse = (...argv: string[]) => parseStudyArgs(argv, {});

describe("parseStudyArgs", () => {
    it("takes the environment and the flags, in any order", () => {
        expect(parse("lab", "--tiers", "64_4,32_2", "--queries", "SQ1,SQ3", "--repetitions", "5", "--quiet")).toEqual({
            environment: "lab",
            tiers: ["64_4", "32_2"],
            queries: ["SQ1", "SQ3"],
            repetitions: 5,
            quiet: true,
        });
        expect(parse("--quiet", "dev")).toEqual({ environment: "dev", quiet: true });
    });

    it.each([
        [[], "name the environment (envs/ENVIRONMENT.yaml)"],
        [["lab", "dev"], "one environment, not lab dev"],
        [["lab", "--tier", "32_2"], "unknown option --tier"],
        [["lab", "--tiers"], "--tiers needs a value"],
        [["lab", "--tiers", "--quiet"], "--tiers needs a value"],
        [["lab", "--tiers", "32_2,,64_4"], "--tiers 32_2,,64_4: an empty name in the list"],
        [["lab", "--tiers", "32_2,64_4,32_2"], "--tiers 32_2,64_4,32_2: 32_2 is listed twice"],
        [["lab", "--queries", "SQ1,SQ1"], "--queries SQ1,SQ1: SQ1 is listed twice"],
        [["lab", "--repetitions", "0"], "--repetitions 0: expected number to be >=1"],
        [["lab", "--repetitions", "101"], "--repetitions 101: expected number to be <=100"],
        [["lab", "--repetitions", "2.5"], "--repetitions 2.5: must be a whole number"],
        [["lab", "--repetitions", "three"], "--repetitions three: must be a whole number"],
    ])("%j: %s", (argv, message) => {
        expect(() => parse(...argv)).toThrow(message);
    });

    it("says so when npm took a flag for itself (no -- before the study's arguments)", () => {
        expect(() => parseStudyArgs(["lab"], { npm_config_tiers: "32_2" })).toThrow(
            "--tiers reached npm, not the study: put -- before the study's arguments",
        );
    });
});
