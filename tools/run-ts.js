#!/usr/bin/env node
// Runs a TypeScript file the way `pulumi up` compiles a program: @pulumi/pulumi's own
// choice of TypeScript (ours, else its vendored 3.8.3) and of ts-node (its vendored 7.0.1),
// the compiler options it defaults to, overridden by our tsconfig.json. A tsconfig that only
// ts-jest accepts fails here as it would fail `pulumi up`.
// Usage: node tools/run-ts.js FILE.ts [ARGS...]
"use strict";
const path = require("path");
const semver = require("semver");

const root = path.resolve(__dirname, "..");
const pulumiDir = path.dirname(require.resolve("@pulumi/pulumi", { paths: [root] }));
const tsutils = require(path.join(pulumiDir, "tsutils.js"));

function registerLikePulumi() {
    const tsConfigPath = path.join(root, "tsconfig.json");
    const compilerOptions = tsutils.loadTypeScriptCompilerOptions(tsConfigPath);
    const { tsnodeRequire, typescriptRequire } = tsutils.typeScriptRequireStrings();
    const ts = require(typescriptRequire);
    const useNodeNext = semver.gte(ts.version, "4.7.0");
    require(tsnodeRequire).register({
        compiler: typescriptRequire,
        transpileOnly: compilerOptions.noCheck,
        project: tsConfigPath,
        skipProject: false,
        compilerOptions: {
            target: "ES2020",
            module: useNodeNext ? "nodenext" : "commonjs",
            moduleResolution: useNodeNext ? "nodenext" : "node",
            sourceMap: "true",
            ...compilerOptions,
        },
    });
    return ts.version;
}

module.exports = { registerLikePulumi };

if (require.main === module) {
    const [file, ...args] = process.argv.slice(2);
    if (!file) {
        console.error("usage: node tools/run-ts.js FILE.ts [ARGS...]");
        process.exit(2);
    }
    registerLikePulumi();
    process.argv = [process.argv[0], path.resolve(file), ...args];
    require(path.resolve(file));
}
