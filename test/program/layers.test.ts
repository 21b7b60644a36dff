import * as fs from "fs";
import * as path from "path";
import { repoRoot } from "../helpers/fixture";

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
