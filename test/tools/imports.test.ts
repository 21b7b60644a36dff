import * as fs from "fs";
import * as path from "path";
import { repoRoot } from "../helpers/fixture";

// The tools are shipped, the tests are not: what both need lives in tools/ (tools/mock/) and the tests import it from there.
function sources(dir: string): string[] {
    return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
        const full = path.join(dir, e.name);
        if (e.isDirectory()) return sources(full);
        return /\.(ts|js)$/.test(e.name) ? [full] : [];
    });
}

test("nothing in tools/ imports from test/", () => {
    const reach = /(?:from\s+|require\()\s*["'](\.\.\/)+test\//;
    const offenders = sources(path.join(repoRoot, "tools")).filter((f) => reach.test(fs.readFileSync(f, "utf8")));
    expect(offenders.map((f) => path.relative(repoRoot, f))).toEqual([]);
});
