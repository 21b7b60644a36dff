// The real Pulumi engine (test/engine/build.sh builds it from Go modules): slow, one at a time.
/** @type {import('jest').Config} */
module.exports = {
    testEnvironment: "node",
    roots: ["<rootDir>/test/engine"],
    testMatch: ["**/*.test.ts"],
    transform: { "^.+\\.ts$": ["ts-jest", { tsconfig: "<rootDir>/tsconfig.json" }] },
    testTimeout: 600000,
    maxWorkers: 1,
};
